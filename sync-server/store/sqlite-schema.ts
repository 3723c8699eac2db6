/**
 * The SQLite schema, as numbered migrations. `PRAGMA user_version` holds how many have run; each runs
 * in its own transaction with the version bump, so a crash mid-migration leaves the previous version.
 * Append new migrations; never edit one that has shipped.
 */
import type Database from 'better-sqlite3';
import { StoreError } from './types.ts';

const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE units (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL
  ) WITHOUT ROWID;

  CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    unit TEXT NOT NULL REFERENCES units(code),
    ordinal INTEGER NOT NULL CHECK (ordinal BETWEEN 0 AND 9),
    label TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('counter', 'department')),
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
  );
  -- A revoked device frees its ordinal; two live devices of a unit never share one.
  CREATE UNIQUE INDEX devices_live_ordinal ON devices(unit, ordinal) WHERE revoked_at IS NULL;

  CREATE TABLE enrollments (
    code_hash TEXT PRIMARY KEY,
    unit TEXT NOT NULL REFERENCES units(code),
    role TEXT NOT NULL CHECK (role IN ('counter', 'department')),
    uses_left INTEGER NOT NULL CHECK (uses_left >= 0),
    expires_at INTEGER,
    created_at INTEGER NOT NULL
  ) WITHOUT ROWID;

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

  -- AUTOINCREMENT: seqs are never reused, even after compaction deletes the highest rows, so a
  -- device cursor can never point past a number that is later handed out again.
  CREATE TABLE updates (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    doc TEXT NOT NULL,
    unit TEXT NOT NULL,
    device TEXT NOT NULL,
    batch_id TEXT NOT NULL,
    data BLOB NOT NULL,
    received_at INTEGER NOT NULL
  );
  CREATE INDEX updates_unit_seq ON updates(unit, seq);
  CREATE INDEX updates_doc_seq ON updates(doc, seq);

  CREATE TABLE pushed_batches (
    device TEXT NOT NULL,
    batch_id TEXT NOT NULL,
    seqs TEXT NOT NULL,
    acked_at INTEGER NOT NULL,
    PRIMARY KEY (device, batch_id)
  ) WITHOUT ROWID;

  CREATE TABLE last_batch (
    device TEXT PRIMARY KEY,
    batch_id TEXT NOT NULL,
    seqs TEXT NOT NULL
  ) WITHOUT ROWID;

  CREATE TABLE number_counters (
    unit TEXT NOT NULL,
    day TEXT NOT NULL,
    next INTEGER NOT NULL,
    PRIMARY KEY (unit, day)
  ) WITHOUT ROWID;

  CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
  // 2: any-center intake (S12) and server time stamps (S13).
  `
  -- A doc readable and writable by a unit other than its home unit. Rows for that unit are written
  -- into updates (fan-out on write), so this table is read on writes and scope checks, never by pulls.
  CREATE TABLE grants (
    doc TEXT NOT NULL,
    unit TEXT NOT NULL REFERENCES units(code),
    device TEXT NOT NULL,
    granted_at INTEGER NOT NULL,
    PRIMARY KEY (doc, unit)
  ) WITHOUT ROWID;

  -- Every event id the server stamped, so none is stamped twice whatever carries it again.
  CREATE TABLE event_stamps (
    doc TEXT NOT NULL,
    event_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (doc, event_id)
  ) WITHOUT ROWID;
  `,
  // 3: the procedure catalog the data center publishes (one current version).
  `
  CREATE TABLE catalog (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version TEXT NOT NULL,
    body TEXT NOT NULL,
    count INTEGER NOT NULL,
    published_at INTEGER NOT NULL
  );
  `,
  // 4: projection rows of dossier docs, computed once and sent with pulls (issue 4).
  `
  CREATE TABLE doc_rows (
    doc TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    row TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
  // 5: the relational projection of dossiers for reports and exports (S18).
  `
  CREATE TABLE dossiers (
    doc TEXT PRIMARY KEY,
    unit TEXT NOT NULL,
    code TEXT NOT NULL,
    procedure_code TEXT NOT NULL,
    procedure_name TEXT NOT NULL,
    status TEXT NOT NULL,
    received_at INTEGER,
    due_at INTEGER,
    resolved_at INTEGER,
    returned_at INTEGER,
    rating TEXT,
    handler TEXT NOT NULL,
    conflicts INTEGER NOT NULL,
    events INTEGER NOT NULL,
    seq INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX dossiers_unit_received ON dossiers(unit, received_at, doc);
  CREATE INDEX dossiers_received ON dossiers(received_at, doc);

  CREATE TABLE dossier_events (
    doc TEXT NOT NULL,
    ord INTEGER NOT NULL,
    event_id TEXT NOT NULL,
    type TEXT NOT NULL,
    at INTEGER NOT NULL,
    server_at INTEGER,
    officer TEXT NOT NULL,
    device TEXT NOT NULL,
    PRIMARY KEY (doc, ord)
  ) WITHOUT ROWID;
  `,
  // 6: a dossier record carries a version (its writers' optimistic check) and its time, not a seq.
  `
  ALTER TABLE dossiers DROP COLUMN seq;
  ALTER TABLE dossiers ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE dossiers ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0;
  `,
  // 7: officer accounts that can be disabled, and each unit's officer-list version (S23).
  `
  ALTER TABLE officers ADD COLUMN disabled_at INTEGER;
  CREATE TABLE officer_lists (
    unit TEXT PRIMARY KEY,
    version INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export function migrate(db: Database.Database): void {
  const current = Number(db.pragma('user_version', { simple: true }));
  // A file written by a newer server: refuse rather than guess at tables we do not know.
  if (current > MIGRATIONS.length) throw new StoreError('schema_too_new', `schema ${current} > ${MIGRATIONS.length}`);
  for (let v = current; v < MIGRATIONS.length; v++) {
    const sql = MIGRATIONS[v] ?? '';
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
}
