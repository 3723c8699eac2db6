/**
 * The device's store of record on Dexie. Every local action is ONE readwrite transaction with strict
 * durability that writes the Yjs update, the outbox row and the projection row together (decision 3):
 * when it resolves, the action is on disk, and nothing a list shows can disagree with the doc.
 *
 * Several tabs may write: IndexedDB serialises readwrite transactions over the same tables, and every
 * read-modify-write here (a doc, the number pool) happens inside one transaction, so two tabs cannot
 * interleave a read and a write. Only the sync leader assigns batches (see sync-client.ts).
 */
import * as Y from 'yjs';
import type { DossierRow, MotcuaDb, OutboxRow, UpdateRow } from '../db/schema.ts';
import { addBlock, emptyPool, takeNumber, type NumberPool } from '../domain/dossier-code.ts';
import { parseDocName } from '../protocol/doc-names.ts';
import type { PullItem } from '../protocol/messages.ts';
import { docFromUpdates } from './dossier-doc.ts';
import { parseServerRow, Projector } from './projector.ts';

/** A doc with more stored rows than this is compacted into one row when next written. */
const COMPACT_AFTER_ROWS = 32;

export const META = {
  device: 'device',
  officers: 'officers',
  session: 'session',
  numberPool: 'numberPool',
  cursor: 'cursor',
  catalog: 'catalog',
  projectionVersion: 'projectionVersion',
  /** The server store's epoch last seen, and a reconcile after it changed (S17, reconcile.ts). */
  epoch: 'epoch',
  reconcile: 'reconcile',
  /** Set with a new epoch: the number blocks held are told to the server at the next reservation. */
  claimBlocks: 'claimBlocks',
} as const;

export interface DeviceInfo {
  deviceId: string;
  token: string;
  unit: string;
  unitName: string;
  ordinal: number;
}

export interface NewDossierWrite {
  docName: string;
  update: Uint8Array;
  /** The doc `update` was encoded from, when the caller has it: projected as it is instead of decoding the update again. */
  doc?: Y.Doc;
}


/** The dossier id of a dossier doc's name (its row's key), null for other docs. */
function dossierIdOf(docName: string): string | null {
  const name = parseDocName(docName);
  return name !== null && name.kind === 'dossier' ? name.id : null;
}

/** What a change to an existing doc produced: the update to store, or why it was not made. */
export type DocChange<T> =
  | { ok: true; update: Uint8Array; grant?: string; result: T }
  | { ok: false; reason: string; message: string };

export class LocalStore {
  constructor(
    readonly db: MotcuaDb,
    readonly projector: Projector = new Projector(null),
  ) {}

  async getMeta<T>(key: string): Promise<T | undefined> {
    const row = await this.db.meta.get(key);
    return row?.value as T | undefined;
  }

  async setMeta(key: string, value: unknown): Promise<void> {
    await this.db.meta.put({ key, value });
  }

  /**
   * Takes the next dossier number and writes the new dossier built from it, atomically: a number is
   * never handed out twice, even by two tabs, and never burnt by a write that did not commit.
   */
  async commitNewDossier(
    day: string,
    ordinal: number,
    build: (dossierNumber: number) => NewDossierWrite,
    now: number,
  ): Promise<{ docName: string; dossierNumber: number }> {
    const { db } = this;
    return db.transaction('rw', [db.updates, db.outbox, db.dossiers, db.meta], async () => {
      const pool = ((await db.meta.get(META.numberPool))?.value as NumberPool | undefined) ?? emptyPool();
      const taken = takeNumber(pool, day, ordinal);
      const write = build(taken.number);
      const doc = write.doc ?? docFromUpdates([write.update]);
      const row = this.projector.project(write.docName, doc, now);
      doc.destroy();
      // Issued together, not one after another: the transaction commits once, after all of them.
      await Promise.all([
        db.meta.put({ key: META.numberPool, value: taken.pool }),
        db.updates.add({ doc: write.docName, data: write.update }),
        db.outbox.add({ doc: write.docName, data: write.update, batchId: '' }),
        row === null ? Promise.resolve() : db.dossiers.put(row),
      ]);
      return { docName: write.docName, dossierNumber: taken.number };
    });
  }

  /** Loads a doc from its stored rows (null when the device holds none). */
  async loadDoc(docName: string): Promise<Y.Doc | null> {
    const rows = await this.db.updates.where('doc').equals(docName).sortBy('id');
    if (rows.length === 0) return null;
    return docFromUpdates(rows.map((r) => r.data));
  }

  /**
   * Applies one pulled page: the updates, the projections they change, and the cursor, in one
   * transaction, so a crash never leaves the cursor ahead of the data it stands for (S5).
   * A newly enrolled device ingests a year of its commune this way (issue 4: 5,000/s), so the common
   * case decodes nothing: a dossier the device holds nothing of, or holds only as the server sent it,
   * is stored as its updates plus the server's row. Only the other docs are read back and decoded.
   */
  async applyRemote(items: readonly PullItem[], cursor: number, now: number): Promise<void> {
    const { db } = this;
    await db.transaction('rw', [db.updates, db.dossiers, db.meta], async () => {
      // An item at or below the stored cursor is already here: the cursor moved with its data (S5).
      // Skipping it keeps a page delivered twice from storing its updates twice.
      const applied = ((await db.meta.get(META.cursor))?.value as number | undefined) ?? 0;
      const incoming = new Map<string, Uint8Array[]>();
      // The server's row of a doc rides on the doc's last item of the page.
      const rowOf = new Map<string, string | undefined>();
      for (const item of items) {
        if (item.seq <= applied) continue;
        rowOf.set(item.doc, item.row);
        const list = incoming.get(item.doc);
        if (list === undefined) incoming.set(item.doc, [item.update]);
        else list.push(item.update);
      }
      const ids = [...incoming.keys()].map((doc) => dossierIdOf(doc));
      // One primary-key read for the page: which of its dossiers the device holds, and how.
      const held = new Map<string, DossierRow>();
      for (const row of await db.dossiers.bulkGet(ids.filter((id): id is string => id !== null))) if (row !== undefined) held.set(row.doc, row);
      const adds: UpdateRow[] = [];
      const projected: DossierRow[] = [];
      const decode: string[] = [];
      for (const [docName, updates] of incoming) {
        const mine = held.get(docName);
        // Nothing of this doc here (or only what the server sent, and its row with it): store the
        // updates and the server's newer row without decoding. The doc is decoded when it is opened.
        const have = mine === undefined ? 0 : mine.servedRows;
        const served = rowOf.get(docName);
        const fast = have !== undefined && served !== undefined && have + updates.length <= COMPACT_AFTER_ROWS ? parseServerRow(served, docName, now) : null;
        if (fast === null || have === undefined) {
          decode.push(docName);
          continue;
        }
        for (const data of updates) adds.push({ doc: docName, data });
        // Rewritten even when it shows nothing new: its updatedAt is what an open dossier screen and
        // the register watch to re-read the doc, and servedRows must count every stored row.
        projected.push({ ...fast, servedRows: have + updates.length });
      }
      const stored = new Map<string, UpdateRow[]>();
      if (decode.length > 0) {
        for (const row of await db.updates.where('doc').anyOf(decode).toArray()) {
          const list = stored.get(row.doc);
          if (list === undefined) stored.set(row.doc, [row]);
          else list.push(row);
        }
      }
      const removed: number[] = [];
      for (const docName of decode) {
        const updates = incoming.get(docName) ?? [];
        const rows = (stored.get(docName) ?? []).sort((x, y) => (x.id as number) - (y.id as number));
        const doc = docFromUpdates([...rows.map((r) => r.data), ...updates]);
        if (rows.length + updates.length > COMPACT_AFTER_ROWS) {
          // Compaction replaces the doc's rows by one; the outbox keeps its own copies, so unconfirmed
          // local updates are still sent (S1).
          for (const r of rows) removed.push(r.id as number);
          adds.push({ doc: docName, data: Y.encodeStateAsUpdate(doc) });
        } else {
          for (const data of updates) adds.push({ doc: docName, data });
        }
        const row = this.projector.project(docName, doc, now);
        doc.destroy();
        if (row !== null) projected.push(row);
      }
      await Promise.all([
        removed.length > 0 ? db.updates.bulkDelete(removed) : Promise.resolve(),
        adds.length > 0 ? db.updates.bulkAdd(adds) : Promise.resolve(),
        projected.length > 0 ? db.dossiers.bulkPut(projected) : Promise.resolve(),
        cursor > applied ? db.meta.put({ key: META.cursor, value: cursor }) : Promise.resolve(),
      ]);
    });
  }

  /**
   * A local change to an existing doc (a workflow step), in one transaction like an intake: the doc is
   * read inside it, so two tabs acting on one dossier are serialised and each sees the other's event.
   */
  async commitToDoc<T>(docName: string, change: (doc: Y.Doc) => DocChange<T>, now: number, writer?: number): Promise<DocChange<T>> {
    const { db } = this;
    return db.transaction('rw', [db.updates, db.outbox, db.dossiers], async () => {
      const rows: UpdateRow[] = await db.updates.where('doc').equals(docName).sortBy('id');
      if (rows.length === 0) return { ok: false, reason: 'not_found', message: 'Không tìm thấy hồ sơ trên máy này.' };
      const doc = docFromUpdates(rows.map((r) => r.data), writer);
      const out = change(doc);
      if (out.ok) {
        const row = this.projector.project(docName, doc, now);
        const outbox: OutboxRow = { doc: docName, data: out.update, batchId: '' };
        if (out.grant !== undefined) outbox.grant = out.grant;
        await Promise.all([
          db.updates.add({ doc: docName, data: out.update }),
          db.outbox.add(outbox),
          row === null ? Promise.resolve() : db.dossiers.put(row),
        ]);
      }
      doc.destroy();
      return out;
    });
  }

  /** Recomputes every dossier's row (after a schema or calendar change), a page per transaction. */
  async reprojectAll(now: number, pageSize = 200): Promise<number> {
    const { db } = this;
    const ids = (await db.dossiers.toCollection().primaryKeys()) as string[];
    for (let i = 0; i < ids.length; i += pageSize) {
      await db.transaction('rw', [db.updates, db.dossiers], async () => {
        for (const id of ids.slice(i, i + pageSize)) {
          const row = await db.dossiers.get(id);
          if (row === undefined) continue;
          const updates = await db.updates.where('doc').equals(row.doc).sortBy('id');
          const doc = docFromUpdates(updates.map((u) => u.data));
          const next = this.projector.project(row.doc, doc, now);
          doc.destroy();
          if (next !== null) await db.dossiers.put(next);
        }
      });
    }
    return ids.length;
  }

  /**
   * The next batch to push. A batch that was assigned but not confirmed is returned again with the same
   * id (the server answers a known batch id without writing twice); otherwise the oldest unassigned rows
   * are given a new id, durably, before they are sent.
   */
  async nextBatch(maxItems: number, maxBytes: number, newId: () => string): Promise<{ batchId: string; rows: OutboxRow[] } | null> {
    const { db } = this;
    return db.transaction('rw', db.outbox, async () => {
      const first = await db.outbox.orderBy('id').first();
      if (first === undefined) return null;
      if (first.batchId !== '') {
        return { batchId: first.batchId, rows: await db.outbox.where('batchId').equals(first.batchId).sortBy('id') };
      }
      // The oldest pending rows choose the docs; every pending row of those docs comes along (in id
      // order, so each doc's own order is kept), and the client merges them into one update per doc.
      // Across docs the order does not matter: each doc is its own CRDT.
      const oldest = await db.outbox.where('batchId').equals('').limit(maxItems).toArray();
      const docs = [...new Set(oldest.map((r) => r.doc))];
      const pending = await db.outbox.where('doc').anyOf(docs).filter((r) => r.batchId === '').toArray();
      const byDoc = new Map<string, OutboxRow[]>(docs.map((d) => [d, []]));
      for (const r of pending.sort((a, b) => (a.id as number) - (b.id as number))) byDoc.get(r.doc)?.push(r);
      const rows: OutboxRow[] = [];
      let bytes = 0;
      for (const docRows of byDoc.values()) {
        const size = docRows.reduce((s, r) => s + r.data.byteLength, 0);
        if (rows.length > 0 && bytes + size > maxBytes) break;
        rows.push(...docRows);
        bytes += size;
      }
      const batchId = newId();
      for (const r of rows) r.batchId = batchId;
      await db.outbox.bulkPut(rows);
      return { batchId, rows };
    });
  }

  /** The server confirmed the batch is durable: only now may its rows leave the outbox (S1). */
  async confirmBatch(batchId: string): Promise<number> {
    return this.db.outbox.where('batchId').equals(batchId).delete();
  }

  async pendingCount(): Promise<number> {
    return this.db.outbox.count();
  }

  /** Read-modify-write of the number pool in one transaction, so it never races an intake in another tab. */
  async updateNumberPool(change: (pool: NumberPool) => NumberPool): Promise<NumberPool> {
    const { db } = this;
    return db.transaction('rw', db.meta, async () => {
      const pool = ((await db.meta.get(META.numberPool))?.value as NumberPool | undefined) ?? emptyPool();
      const next = change(pool);
      if (next !== pool) await db.meta.put({ key: META.numberPool, value: next });
      return next;
    });
  }

  /** Blocks the server reserved for us; addBlock refuses a malformed or overlapping one (S8, S10). */
  async mergeNumberBlocks(blocks: readonly { day: string; start: number; end: number }[]): Promise<void> {
    await this.updateNumberPool((pool) => blocks.reduce(addBlock, pool));
  }

}
