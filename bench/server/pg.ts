/**
 * A PostgreSQL database of its own for each configuration run: created before the nodes start and
 * dropped after, so runs never see each other's rows.
 */
import pg from 'pg';
import { PG_ADMIN_URL } from './config.ts';

export interface BenchDatabase {
  readonly url: string;
  /** Tables in its public schema: a node that stored anything there created some. */
  tableCount(): Promise<number>;
  /** Its counters in pg_stat_database: how many transactions (each autocommit query is one) and rows. */
  activity(): Promise<DatabaseActivity>;
  drop(): Promise<void>;
}

async function withAdmin<T>(fn: (c: pg.Client) => Promise<T>, url = PG_ADMIN_URL): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export interface DatabaseActivity {
  readonly commits: number;
  readonly rowsFetched: number;
  readonly rowsInserted: number;
}

export async function createDatabase(config: string): Promise<BenchDatabase> {
  const name = `motcua_bench_${config}_${process.pid}`;
  const ident = pg.escapeIdentifier(name);
  try {
    await withAdmin(async (c) => {
      await c.query(`DROP DATABASE IF EXISTS ${ident}`);
      await c.query(`CREATE DATABASE ${ident}`);
    });
  } catch (e) {
    throw new Error(`PostgreSQL at ${PG_ADMIN_URL} refused CREATE DATABASE (${e instanceof Error ? e.message : String(e)}); set BENCH_SERVER_PG`);
  }
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    tableCount: () =>
      withAdmin(async (c) => Number((await c.query<{ n: string }>("SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'public'")).rows[0]?.n ?? 0), url.toString()),
    activity: () =>
      withAdmin(async (c) => {
        // The statistics collector reports with a delay: ask for a fresh snapshot first.
        await c.query('SELECT pg_stat_clear_snapshot()');
        const r = await c.query<{ commits: string; fetched: string; inserted: string }>(
          'SELECT xact_commit AS commits, tup_fetched AS fetched, tup_inserted AS inserted FROM pg_stat_database WHERE datname = $1',
          [name],
        );
        const row = r.rows[0];
        return { commits: Number(row?.commits ?? 0), rowsFetched: Number(row?.fetched ?? 0), rowsInserted: Number(row?.inserted ?? 0) };
      }),
    // WITH (FORCE): a node killed without closing its pool must not keep the database alive.
    drop: () => withAdmin(async (c) => void (await c.query(`DROP DATABASE IF EXISTS ${ident} WITH (FORCE)`))),
  };
}
