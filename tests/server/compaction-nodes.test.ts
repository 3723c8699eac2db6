/**
 * Compaction on two PostgreSQL nodes at once (S16): two PgStore instances on one database push and
 * compact the same docs, interleaved, while a device pulls from its cursor. At the end every doc holds
 * the union of what was pushed (nothing lost), no Yjs item is in two rows of a group (nothing
 * duplicated), each group's highest seq is the highest pushed, and the device converged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { CompactResult } from '../../sync-server/store/compact-types.ts';
import { PgStore } from '../../sync-server/store/pg.ts';
import type { SyncStore } from '../../sync-server/store/types.ts';
import { createTestDatabase, type TestDatabase } from '../support/pg.ts';
import { heldTwiceIn, viewLog } from './compaction-check.ts';
import { docOf, stateOf, Writer } from './compaction-util.ts';

const A = '20209';
const B = '20194';
const DOCS = 6;
const PUSHES = 120;
const docA = (n: number): string => `${A}/dossier/00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

let db: TestDatabase;
let schemas = 0;
beforeAll(async () => {
  db = await createTestDatabase();
}, 60_000);
afterAll(async () => {
  await db.drop();
});

async function twoNodes(): Promise<[PgStore, PgStore]> {
  const schema = `nodes_${++schemas}`;
  const a = await PgStore.open({ connectionString: db.url, schema, max: 4 });
  const b = await PgStore.open({ connectionString: db.url, schema, max: 4 });
  await a.putUnits([{ code: A, name: 'Phường Thanh Khê' }, { code: B, name: 'Phường Hải Vân' }]);
  return [a, b];
}

/** A device of unit A: pushes through one node, pulls (its own rows skipped) through the other. */
class Device {
  readonly docs = new Map<string, Y.Doc>();
  cursor = 0;
  constructor(readonly id: string) {}

  apply(doc: string, update: Uint8Array): void {
    let d = this.docs.get(doc);
    if (d === undefined) {
      d = new Y.Doc();
      this.docs.set(doc, d);
    }
    Y.applyUpdate(d, update);
  }

  async pull(store: SyncStore): Promise<void> {
    for (;;) {
      const page = await store.readSince({ units: [A], since: this.cursor, limit: 7, excludeDevice: this.id });
      for (const r of page.rows) this.apply(r.doc, r.data);
      this.cursor = page.lastScanned;
      if (!page.more) return;
    }
  }
}

describe('compaction on two PostgreSQL nodes', () => {
  it('[S16] pushes and compactions interleaved on two nodes lose nothing, duplicate nothing, and keep cursors valid', async () => {
    const [nodeA, nodeB] = await twoNodes();
    const pushed = new Map<string, Uint8Array[]>();
    const topSeq = new Map<string, number>();
    const devices = [new Device('dev-a'), new Device('dev-b')];
    let pushing = 2;

    const pushLoop = async (node: PgStore, device: Device, writers: Writer[]): Promise<void> => {
      for (let i = 0; i < PUSHES; i++) {
        // One or two docs a batch; doc 0 is granted to unit B early on, so it has a group of copies.
        const docs = [i % DOCS, (i * 7 + 3) % DOCS].slice(0, 1 + (i % 2));
        const items = [...new Set(docs)].map((n) => {
          const w = writers[n] as Writer;
          const data = i % 4 === 0 ? w.note(`${device.id}${i} `) : w.set(`${device.id}-${i}`, String(i));
          return { doc: docA(n), unit: A, data };
        });
        const grants = i === 5 ? [{ doc: docA(0), unit: B }] : [];
        const r = await node.appendBatch(device.id, `${device.id}-${i}`, items, { grants });
        items.forEach((it, k) => {
          pushed.set(it.doc, [...(pushed.get(it.doc) ?? []), it.data]);
          topSeq.set(it.doc, Math.max(topSeq.get(it.doc) ?? 0, r.seqs[k] ?? 0));
          device.apply(it.doc, it.data);
        });
      }
      pushing--;
    };
    const results: CompactResult[][] = [[], []];
    const compactLoop = async (node: PgStore, out: CompactResult[]): Promise<void> => {
      for (let round = 0; pushing > 0; round++) {
        for (let n = 0; n < DOCS; n++) out.push(await node.compactDoc(docA((n + round) % DOCS), { maxRows: 2 + (round % 5) }));
      }
    };
    const pullLoop = async (device: Device, node: PgStore): Promise<void> => {
      while (pushing > 0) await device.pull(node);
    };
    // Each device writes its own copy of every doc (its own client ids), as two counters would.
    const writersOf = (): Writer[] => Array.from({ length: DOCS }, () => new Writer());
    await Promise.all([
      pushLoop(nodeA, devices[0] as Device, writersOf()),
      pushLoop(nodeB, devices[1] as Device, writersOf()),
      compactLoop(nodeA, results[0] as CompactResult[]),
      compactLoop(nodeB, results[1] as CompactResult[]),
      pullLoop(devices[0] as Device, nodeB),
      pullLoop(devices[1] as Device, nodeA),
    ]);

    // Both nodes merged rows while the others pushed; some attempts found the other node on the doc.
    const merged = results.map((rs) => rs.reduce((n, r) => n + r.rowsBefore - r.rowsAfter, 0));
    expect(merged[0]).toBeGreaterThan(0);
    expect(merged[1]).toBeGreaterThan(0);

    const view = await viewLog(nodeA, [A, B]);
    expect(heldTwiceIn(view)).toEqual([]);
    for (let n = 0; n < DOCS; n++) {
      const doc = docA(n);
      const union = stateOf(docOf(pushed.get(doc) ?? []));
      expect(view.get(`${doc} @${A}`)?.state, doc).toEqual(union);
      expect(view.get(`${doc} @${A}`)?.topSeq, doc).toBe(topSeq.get(doc));
      expect(stateOf(docOf(await nodeB.readDoc(doc)))).toEqual(union);
    }
    expect(view.get(`${docA(0)} @${B}`)?.state).toEqual(stateOf(docOf(pushed.get(docA(0)) ?? [])));

    // Each device pulls the rest from its cursor, through either node, and holds every doc whole.
    for (const [i, device] of devices.entries()) {
      await device.pull(i === 0 ? nodeA : nodeB);
      for (let n = 0; n < DOCS; n++) expect(stateOf(device.docs.get(docA(n)) ?? new Y.Doc()), `${device.id} ${docA(n)}`).toEqual(stateOf(docOf(pushed.get(docA(n)) ?? [])));
    }
    await Promise.all([nodeA.close(), nodeB.close()]);
  }, 120_000);

  it('[S16] two nodes compacting the same doc at once: one merges, the other does nothing or merges what is left', async () => {
    const [nodeA, nodeB] = await twoNodes();
    const w = new Writer();
    const all: Uint8Array[] = [];
    for (let i = 0; i < 600; i++) {
      const data = i % 3 === 0 ? w.note(`n${i} `) : w.set(`k${i}`, String(i));
      all.push(data);
      await nodeA.appendBatch('dev-a', `b${i}`, [{ doc: docA(1), unit: A, data }]);
    }
    const head = await nodeA.headSeq();
    for (let attempt = 0; attempt < 3; attempt++) {
      const [ra, rb] = await Promise.all([nodeA.compactDoc(docA(1)), nodeB.compactDoc(docA(1))]);
      const removed = ra.rowsBefore - ra.rowsAfter + (rb.rowsBefore - rb.rowsAfter);
      const view = await viewLog(nodeA, [A]);
      const group = view.get(`${docA(1)} @${A}`);
      expect(group?.state).toEqual(stateOf(docOf(all)));
      expect(group?.topSeq).toBe(head);
      expect(heldTwiceIn(view)).toEqual([]);
      if (attempt === 0) {
        // 600 rows from one client merge into one row: whichever node took the doc removed 599.
        expect(removed).toBe(599);
        expect(ra.busy || rb.busy || ra.groups === 0 || rb.groups === 0).toBe(true);
      } else {
        expect(removed).toBe(0);
      }
      expect(group?.rows).toBe(1);
    }
    await Promise.all([nodeA.close(), nodeB.close()]);
  }, 60_000);
});
