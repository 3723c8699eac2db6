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
  cccd: string;
  phone: string;
  status: string;
  conflict: number;
  receivedAt: number;
  updatedAt: number;
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
  return db;
}
