/**
 * Connections to the data center's PostgreSQL: a pool whose BIGINTs read back as numbers (seqs and
 * ms times stay far below 2^53), and a transaction helper that always ends what it began.
 */
import pg from 'pg';
import type { PoolClient, PoolConfig } from 'pg';

const INT8_OID = 20;

/** Every BIGINT this store writes is a seq, a count or ms since epoch: safe integers. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

export interface PgOptions {
  /** postgres://user@host:port/db */
  readonly connectionString: string;
  /** A schema other than public (tests give each store its own); created when missing. */
  readonly schema?: string;
  /** Pool size; each node's appends queue on one row lock anyway (S15), so a few suffice. */
  readonly max?: number;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function poolConfig(opts: PgOptions): PoolConfig {
  if (opts.schema !== undefined && !SCHEMA_NAME.test(opts.schema)) throw new Error(`invalid schema name ${opts.schema}`);
  return {
    connectionString: opts.connectionString,
    max: opts.max ?? 8,
    types,
    ...(opts.schema === undefined ? {} : { options: `-c search_path=${opts.schema}` }),
    application_name: 'motcua-sync',
  };
}

export function createPool(opts: PgOptions): pg.Pool {
  const pool = new pg.Pool(poolConfig(opts));
  // An idle client whose server went away emits 'error' on the pool: without a listener it would
  // crash the process. The next query gets a fresh connection.
  pool.on('error', () => undefined);
  return pool;
}

export type Isolation = 'read committed' | 'repeatable read';

/** Runs `fn` in one transaction on one connection; COMMIT when it resolves, ROLLBACK when it throws. */
export async function inTransaction<T>(pool: pg.Pool, fn: (c: PoolClient) => Promise<T>, isolation: Isolation = 'read committed', readOnly = false): Promise<T> {
  const client = await pool.connect();
  // A connection whose BEGIN, ROLLBACK or COMMIT failed is in an unknown state: it is destroyed, not
  // given back to the pool.
  let healthy = false;
  try {
    await client.query(`BEGIN ISOLATION LEVEL ${isolation.toUpperCase()}${readOnly ? ' READ ONLY' : ''}`);
    let value: T;
    try {
      value = await fn(client);
    } catch (err) {
      await client.query('ROLLBACK');
      healthy = true;
      throw err;
    }
    await client.query('COMMIT');
    healthy = true;
    return value;
  } finally {
    client.release(!healthy);
  }
}

/** PostgreSQL's SQLSTATE of a failed query, if any. */
export function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
