/**
 * A real PostgreSQL for tests: checks the server is up (starting the local cluster if it is not), and
 * gives each test file its own database, dropped at the end. `TEST_PG_URL` points elsewhere
 * (default postgres://postgres@127.0.0.1:5432/postgres, trust auth).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import pg from 'pg';

export const ADMIN_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function reachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Starts the Debian cluster when PostgreSQL does not answer; fails loudly when it still does not. */
export async function ensurePostgres(): Promise<void> {
  if (await reachable()) return;
  let versions: string[] = [];
  try {
    versions = readdirSync('/etc/postgresql');
  } catch {
    // Not a Debian cluster layout: nothing to start here.
  }
  for (const version of versions) {
    try {
      execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], { stdio: 'ignore' });
    } catch {
      // Already running, or not ours to start: the check below decides.
    }
  }
  for (let i = 0; i < 30; i++) {
    if (await reachable()) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`PostgreSQL is not reachable at ${ADMIN_URL} and could not be started (set TEST_PG_URL)`);
}

export interface TestDatabase {
  /** Connection string of the new database. */
  readonly url: string;
  readonly name: string;
  drop(): Promise<void>;
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A fresh database (name from random bytes, so parallel runs never collide). */
export async function createTestDatabase(prefix = 'motcua_test'): Promise<TestDatabase> {
  await ensurePostgres();
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}
