/**
 * The PostgreSQL schema, as numbered migrations run at start. `schema_version` holds how many have
 * run; each runs in its own transaction with the version bump, under an advisory lock, so two nodes
 * starting at once migrate once and a crash mid-migration leaves the previous version.
 * Append new migrations; never edit one that has shipped.
 *
 * Times are ms since epoch (BIGINT); seqs are BIGINT handed out by `log_head` (rule S15).
 */
import type { PoolClient } from 'pg';
import { StoreError } from './types.ts';

const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE units (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL
  );

  CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    unit TEXT NOT NULL REFERENCES units(code),
    ordinal INTEGER NOT NULL CHECK (ordinal BETWEEN 0 AND 9),
    label TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('counter', 'department')),
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
  );
  -- A revoked device frees its ordinal; two live devices of a unit never share one.
  CREATE UNIQUE INDEX devices_live_ordinal ON devices(unit, ordinal) WHERE revoked_at IS NULL;

  CREATE TABLE enrollments (
    code_hash TEXT PRIMARY KEY,
    unit TEXT NOT NULL REFERENCES units(code),
    role TEXT NOT NULL CHECK (role IN ('counter', 'department')),
    uses_left INTEGER NOT NULL CHECK (uses_left >= 0),
    expires_at BIGINT,
    created_at BIGINT NOT NULL
  );

  CREATE TABLE officers (
    id TEXT PRIMARY KEY,
    unit TEXT NOT NULL REFERENCES units(code),
    username TEXT NOT NULL,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('counter', 'processing', 'leader')),
    salt TEXT NOT NULL,
    hash TEXT NOT NULL,
    iterations INTEGER NOT NULL,
    UNIQUE (unit, username)
  );

  -- The log's head: the highest seq ever handed out. Appenders lock this one row from the moment
  -- they take seqs until they commit, so seqs become visible in the order they were handed out (S15)
  -- and are never reused, even after compaction deletes the highest rows.
  CREATE TABLE log_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL
  );
  INSERT INTO log_head (id, seq) VALUES (1, 0);

  CREATE TABLE updates (
    seq BIGINT PRIMARY KEY,
    doc TEXT NOT NULL,
    unit TEXT NOT NULL,
    device TEXT NOT NULL,
    batch_id TEXT NOT NULL,
    data BYTEA NOT NULL,
    received_at BIGINT NOT NULL
  );
  CREATE INDEX updates_unit_seq ON updates(unit, seq);
  CREATE INDEX updates_doc_seq ON updates(doc, seq);

  CREATE TABLE pushed_batches (
    device TEXT NOT NULL,
    batch_id TEXT NOT NULL,
    seqs TEXT NOT NULL,
    acked_at BIGINT NOT NULL,
    PRIMARY KEY (device, batch_id)
  );

  CREATE TABLE last_batch (
    device TEXT PRIMARY KEY,
    batch_id TEXT NOT NULL,
    seqs TEXT NOT NULL
  );

  CREATE TABLE number_counters (
    unit TEXT NOT NULL,
    day TEXT NOT NULL,
    next INTEGER NOT NULL,
    PRIMARY KEY (unit, day)
  );

  CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );

  -- A doc readable and writable by a unit other than its home unit (S12).
  CREATE TABLE grants (
    doc TEXT NOT NULL,
    unit TEXT NOT NULL REFERENCES units(code),
    device TEXT NOT NULL,
    granted_at BIGINT NOT NULL,
    PRIMARY KEY (doc, unit)
  );

  -- Every event id the server stamped, so none is stamped twice whatever node carries it (S13).
  CREATE TABLE event_stamps (
    doc TEXT NOT NULL,
    event_id TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (doc, event_id)
  );

  CREATE TABLE catalog (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version TEXT NOT NULL,
    body TEXT NOT NULL,
    count INTEGER NOT NULL,
    published_at BIGINT NOT NULL
  );

  -- Projection rows of dossier docs, computed once and sent with pulls.
  CREATE TABLE doc_rows (
    doc TEXT PRIMARY KEY,
    seq BIGINT NOT NULL,
    row TEXT NOT NULL
  );
  `,
  // 2: the relational projection of dossiers for the city's dashboards, reports and exports (S18).
  `
  CREATE TABLE dossiers (
    doc TEXT PRIMARY KEY,
    unit TEXT NOT NULL,
    code TEXT NOT NULL,
    procedure_code TEXT NOT NULL,
    procedure_name TEXT NOT NULL,
    status TEXT NOT NULL,
    received_at BIGINT,
    due_at BIGINT,
    resolved_at BIGINT,
    returned_at BIGINT,
    rating TEXT,
    handler TEXT NOT NULL,
    conflicts INTEGER NOT NULL,
    events INTEGER NOT NULL,
    seq BIGINT NOT NULL
  );
  CREATE INDEX dossiers_unit_received ON dossiers(unit, received_at, doc);
  CREATE INDEX dossiers_received ON dossiers(received_at, doc);

  CREATE TABLE dossier_events (
    doc TEXT NOT NULL,
    ord INTEGER NOT NULL,
    event_id TEXT NOT NULL,
    type TEXT NOT NULL,
    at BIGINT NOT NULL,
    server_at BIGINT,
    officer TEXT NOT NULL,
    device TEXT NOT NULL,
    PRIMARY KEY (doc, ord)
  );
  `,
  // 3: a dossier record carries a version (its writers' optimistic check, so no writer needs the
  // log's head for it) and its time, not a seq.
  `
  ALTER TABLE dossiers DROP COLUMN seq;
  ALTER TABLE dossiers ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE dossiers ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;
  `,
  // 4: appends take the log's head and write in one statement sent behind the lock (pg-append.ts);
  // when what they read before the lock no longer stands, the statement fails with MC001 and the
  // append runs again.
  `
  CREATE FUNCTION motcua_stale_append() RETURNS INTEGER LANGUAGE plpgsql AS $fn$
  BEGIN
    RAISE EXCEPTION 'grants or granted docs changed since they were read' USING ERRCODE = 'MC001';
  END
  $fn$;
  `,
  // 5: officer accounts that can be disabled, and each unit's officer-list version (S23).
  `
  ALTER TABLE officers ADD COLUMN disabled_at BIGINT;
  CREATE TABLE officer_lists (
    unit TEXT PRIMARY KEY,
    version INTEGER NOT NULL
  );
  `,
];

export const PG_SCHEMA_VERSION = MIGRATIONS.length;

/** Any constant: the advisory lock that serialises migrations of one database. */
const MIGRATION_LOCK = 7_190_420;

async function currentVersion(client: PoolClient): Promise<number> {
  await client.query('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
  const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_version');
  return rows[0]?.version ?? 0;
}

export async function migratePg(client: PoolClient): Promise<void> {
  for (;;) {
    await client.query('BEGIN');
    try {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      const version = await currentVersion(client);
      // A database written by a newer server: refuse rather than guess at tables we do not know.
      if (version > MIGRATIONS.length) throw new StoreError('schema_too_new', `schema ${version} > ${MIGRATIONS.length}`);
      if (version === MIGRATIONS.length) {
        await client.query('COMMIT');
        return;
      }
      await client.query(MIGRATIONS[version] ?? '');
      await client.query('DELETE FROM schema_version');
      await client.query('INSERT INTO schema_version (version) VALUES ($1)', [version + 1]);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK');
      throw err;
    }
  }
}
