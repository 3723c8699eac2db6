/**
 * The device's IndexedDB schema, shared by the page (which only reads the projection through
 * liveQuery) and the worker (the only writer). See docs/sync-rules.md for what each table promises.
 */
import { Dexie, type EntityTable } from 'dexie';

export const DB_NAME = 'motcua';

/** One Yjs update of one doc. A doc is loaded by applying its rows in id order. */
export interface UpdateRow {
  id?: number;
  doc: string;
  data: Uint8Array;
}

/** A local update not yet confirmed by the server. Deleted only when its batch is acknowledged (S1). */
export interface OutboxRow {
  id?: number;
  doc: string;
  data: Uint8Array;
  /** Set when the row is put in a batch; the batch keeps its id across reconnects (S3). */
  batchId: string;
  /** A commune the doc is transferred to (any-center intake): the server grants it the doc (S12). */
  grant?: string;
  /**
   * Times in a row the server refused this row's batch (S22), and the last refusal's close code. Reset
   * when a send of the batch ends without an answer: that send may have been stored (S3).
   */
  refused?: number;
  refusedCode?: number;
  /** The batch is a part of a refused batch that was split (S22): one more refusal splits it again. */
  part?: boolean;
}

/**
 * An outbox row set aside (S22): refused by the data center on its own, or too large to send. It keeps
 * its outbox id; it is never sent again nor deleted, and its update stays in the doc's `updates` rows.
 */
export interface AsideRow {
  id: number;
  doc: string;
  data: Uint8Array;
  grant?: string;
  /** The close code the server refused it with; CloseCode.MessageTooBig for a row too large to send. */
  code: number;
  at: number;
}

/** What lists and search read: one row per dossier, derived from the dossier's doc. */
export interface DossierRow {
  id: string;
  doc: string;
  unit: string;
  code: string;
  procedureCode: string;
  procedureName: string;
  applicantName: string;
  /** Folded name words (no diacritics, lower case) for prefix search. */
  nameWords: string[];
  /** The folded name words joined by one space: a full name typed in order is one index range. */
  nameKey: string;
  cccd: string;
  phone: string;
  status: string;
  conflict: number;
  receivedAt: number;
  /** Current appointment date (ms), 0 when none (not received, or a same-day result returned). */
  dueAt: number;
  /** The officer who took it in (id), for per-officer dashboards. */
  officer: string;
  /** Where it is being processed now (the body's name), '' at the center. */
  handler: string;
  /** When it was resolved (ms), 0 while not: with dueAt it tells whether it was on time. */
  resolvedAt: number;
  updatedAt: number;
  /**
   * Set when the row is the server's (sent with a pull) and the device has never written the doc:
   * how many update rows the device stores for it. A later pull may then replace the row with the
   * server's newer one without decoding the doc (issue 4). Absent once the device projects the row itself.
   */
  servedRows?: number;
}

export interface MetaRow {
  key: string;
  value: unknown;
}

export type MotcuaDb = Dexie & {
  updates: EntityTable<UpdateRow, 'id'>;
  outbox: EntityTable<OutboxRow, 'id'>;
  dossiers: EntityTable<DossierRow, 'id'>;
  meta: EntityTable<MetaRow, 'key'>;
  aside: EntityTable<AsideRow, 'id'>;
};

export function openDb(name: string = DB_NAME): MotcuaDb {
  // Strict durability: a committed transaction is on disk, so a receipt shown survives a power cut.
  // Chrome defaults to 'relaxed' since v121 (decision 1 in the product brief).
  const db = new Dexie(name, { chromeTransactionDurability: 'strict' }) as MotcuaDb;
  db.version(1).stores({
    updates: '++id, doc',
    outbox: '++id, batchId',
    dossiers: 'id, code, *nameWords, cccd, phone, status, receivedAt, updatedAt',
    meta: 'key',
  });
  // v2 (issue 3): due dates for the near-due and overdue lists; rows written by v1 lack them until their
  // doc is next written, which the worker does for every dossier on upgrade (reprojectAll).
  db.version(2).stores({
    dossiers: 'id, code, *nameWords, cccd, phone, status, receivedAt, updatedAt, dueAt, officer',
  });
  // v3 (issue 4): the outbox by doc, so a batch takes every pending row of the docs it carries and the
  // sync client merges them into one update per doc (a week offline: intake and steps travel as one).
  db.version(3).stores({
    outbox: '++id, batchId, doc',
  });
  // v4 (issue 4): the whole folded name as one key. A name search first walks this index (a full
  // name typed in order, the usual case, finds its rows among 440,000 at once); words in any order
  // still work through nameWords, which a common first word ("nguyen") makes slow.
  db.version(4)
    .stores({ dossiers: 'id, code, *nameWords, nameKey, cccd, phone, status, receivedAt, updatedAt, dueAt, officer' })
    .upgrade((tx) =>
      tx
        .table('dossiers')
        .toCollection()
        .modify((row: { nameWords?: string[]; nameKey?: string }) => {
          row.nameKey = (row.nameWords ?? []).join(' ');
        }),
    );
  // v5 (issue 4): the updatedAt and officer indexes go: no query walks them, and a new device writes
  // 440,000 rows. [status+dueAt] comes: the overdue dossiers are one key range per running status,
  // whether the device holds a busy day (hundreds running, none past due) or a year (nearly every
  // due date past, few running), where a range of dueAt or of status alone reads one of those sets.
  db.version(5).stores({ dossiers: 'id, code, *nameWords, nameKey, cccd, phone, status, receivedAt, dueAt, [status+dueAt]' });
  // v6 (S22): outbox rows the data center refused, set aside so the rows behind them keep flowing.
  db.version(6).stores({ aside: 'id, doc' });
  return db;
}
