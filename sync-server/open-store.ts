/**
 * The store the environment names, for main.ts and the CLIs: PostgreSQL with DATABASE_URL (a node of
 * the data center), else the SQLite file `${DATA_DIR}/motcua.sqlite` (created with its folder).
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PgStore } from './store/pg.ts';
import { SqliteStore } from './store/sqlite.ts';
import type { SyncStore } from './store/types.ts';

export interface OpenedStore {
  readonly store: SyncStore;
  /** For the banner: the SQLite path, or the URL with its password hidden. */
  readonly description: string;
  readonly pg: PgStore | null;
}

/** The URL without its password, for the banner. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return '(DATABASE_URL)';
  }
}

export async function openStoreFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<OpenedStore> {
  const databaseUrl = env.DATABASE_URL ?? '';
  if (databaseUrl !== '') {
    const pg = await PgStore.open({ connectionString: databaseUrl });
    return { store: pg, pg, description: `PostgreSQL ${redactUrl(databaseUrl)}` };
  }
  const dataDir = resolve(env.DATA_DIR ?? './data');
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'motcua.sqlite');
  return { store: new SqliteStore(file), pg: null, description: `SQLite ${file}` };
}
