/**
 * The compaction part of the store contract (rule S16), run by runStoreContract on every adapter:
 * merged state equals the union of the rows, rows not read survive as they were, every device cursor
 * still converges, a device's own rows come back in the merged row, granted units' copies are their
 * own group, and compacting again changes nothing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SERVER_DEVICE } from '../../sync-server/store/server-rows.ts';
import type { SyncStore, UpdateRow } from '../../sync-server/store/types.ts';
import { docOf, heldTwice, stateOf, Writer } from './compaction-util.ts';

const A = '20209';
const B = '20194';
const docA = (n: number): string => `${A}/dossier/00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** Every row of the units, in seq order. */
async function allRows(store: SyncStore, units: readonly string[] | 'all'): Promise<UpdateRow[]> {
  return (await store.readSince({ units, since: 0, limit: 100_000 })).rows.map((r) => ({ ...r, data: r.data.slice() }));
}

/** Pulls from `since` in pages of 3, as a device would, and returns the rows pulled. */
async function pull(store: SyncStore, units: readonly string[], since: number, excludeDevice?: string): Promise<UpdateRow[]> {
  const out: UpdateRow[] = [];
  let cursor = since;
  for (;;) {
    const page = await store.readSince({ units, since: cursor, limit: 3, ...(excludeDevice === undefined ? {} : { excludeDevice }) });
    out.push(...page.rows);
    cursor = page.lastScanned;
    if (!page.more) return out;
  }
}

const stateOfRows = (rows: readonly UpdateRow[], doc: string) => stateOf(docOf(rows.filter((r) => r.doc === doc).map((r) => r.data)));

export function runCompactionContract(makeStore: () => Promise<SyncStore>): void {
  describe('compaction (S16)', () => {
    let store: SyncStore;
    beforeEach(async () => {
      store = await makeStore();
      await store.putUnits([
        { code: A, name: 'Phường Thanh Khê' },
        { code: B, name: 'Phường Hải Vân' },
      ]);
    });
    afterEach(async () => {
      await store.close();
    });

    /** Three devices take turns on two docs, each pull-then-write, so updates depend on each other. */
    async function busyLog(rounds: number): Promise<void> {
      const writers = [new Writer(), new Writer(), new Writer()];
      const other = new Writer();
      for (let i = 0; i < rounds; i++) {
        const w = writers[i % 3] as Writer;
        const update = i % 2 === 0 ? w.set(`k${i}`, `v${i}`) : w.note(`n${i} `);
        for (const peer of writers) if (peer !== w) peer.pull(update);
        await store.appendBatch(`d${i % 3}`, `b${i}`, [
          { doc: docA(1), unit: A, data: update },
          ...(i % 4 === 0 ? [{ doc: docA(2), unit: A, data: other.set(`o${i}`, 'x') }] : []),
        ]);
      }
    }

    it('[S16] merges a doc’s rows into the row with the highest seq: the state is the union, other docs and the head untouched', async () => {
      await busyLog(10);
      const before = await allRows(store, [A]);
      const head = await store.headSeq();
      const size = await store.logSize();
      const doc1 = before.filter((r) => r.doc === docA(1));

      const result = await store.compactDoc(docA(1));
      expect(result).toEqual({
        doc: docA(1),
        groups: 1,
        rowsBefore: doc1.length,
        rowsAfter: 1,
        bytesBefore: doc1.reduce((n, r) => n + r.data.byteLength, 0),
        bytesAfter: expect.any(Number) as number,
        more: false,
        busy: false,
      });
      expect(result.bytesAfter).toBeLessThan(result.bytesBefore);

      const after = await allRows(store, [A]);
      const merged = after.filter((r) => r.doc === docA(1));
      expect(merged.map((r) => [r.seq, r.device, r.unit])).toEqual([[doc1[doc1.length - 1]?.seq, SERVER_DEVICE, A]]);
      expect(stateOfRows(after, docA(1))).toEqual(stateOfRows(before, docA(1)));
      expect(stateOf(docOf(await store.readDoc(docA(1))))).toEqual(stateOfRows(before, docA(1)));
      expect(after.filter((r) => r.doc === docA(2))).toEqual(before.filter((r) => r.doc === docA(2)));
      expect(await store.headSeq()).toBe(head);
      const smaller = await store.logSize();
      expect(smaller.rows).toBe(size.rows - doc1.length + 1);
      expect(smaller.dataBytes).toBe(size.dataBytes - result.bytesBefore + result.bytesAfter);
    });

    it('[S16] deletes only the rows it read: rows above maxSeq stay exactly as they were', async () => {
      await busyLog(8);
      const before = await allRows(store, [A]);
      const doc1 = before.filter((r) => r.doc === docA(1));
      const cut = doc1[4]?.seq ?? 0;
      const result = await store.compactDoc(docA(1), { maxSeq: cut });
      expect(result).toMatchObject({ rowsBefore: 5, rowsAfter: 1, more: false });
      const after = (await allRows(store, [A])).filter((r) => r.doc === docA(1));
      expect(after[0]).toMatchObject({ seq: cut, device: SERVER_DEVICE });
      expect(after.slice(1)).toEqual(doc1.filter((r) => r.seq > cut));
      expect(stateOf(docOf(after.map((r) => r.data)))).toEqual(stateOfRows(before, docA(1)));
      expect(heldTwice(after.map((r) => r.data))).toBeNull();
    });

    it('[S16] a reader at any cursor, skipping its own rows or not, converges after compaction', async () => {
      await busyLog(12);
      const before = await allRows(store, [A]);
      const head = await store.headSeq();
      for (const doc of [docA(1), docA(2)]) await store.compactDoc(doc);
      for (let cursor = 0; cursor <= head; cursor++) {
        for (const device of [undefined, 'd0', 'd1', 'd2']) {
          // What the device holds: every row up to its cursor, and all it pushed itself.
          const held = before.filter((r) => r.seq <= cursor || r.device === device);
          const pulled = await pull(store, [A], cursor, device);
          expect(pulled.every((r) => r.seq > cursor)).toBe(true);
          for (const doc of [docA(1), docA(2)]) {
            const replica = docOf([...held, ...pulled].filter((r) => r.doc === doc).map((r) => r.data));
            expect(stateOf(replica), `cursor ${cursor}, device ${device ?? 'none'}, ${doc}`).toEqual(stateOfRows(before, doc));
          }
        }
      }
    });

    it('[S16] a device gets its own updates back in the merged row (a server row), and nothing past the head', async () => {
      await busyLog(6);
      await store.compactDoc(docA(1));
      const own = await store.readSince({ units: [A], since: 0, limit: 100, excludeDevice: 'd0' });
      const merged = own.rows.find((r) => r.doc === docA(1));
      expect(merged?.device).toBe(SERVER_DEVICE);
      expect(await store.readSince({ units: [A], since: await store.headSeq(), limit: 100, excludeDevice: 'd0' })).toMatchObject({ rows: [], more: false });
    });

    it('[S16] compacts each granted unit’s copies as their own group; readDoc and a department see home rows only', async () => {
      const w = new Writer();
      await store.appendBatch('a1', 'a-1', [{ doc: docA(1), unit: A, data: w.set('name', 'Lê Văn Tám') }]);
      await store.appendBatch('a1', 'a-2', [{ doc: docA(1), unit: A, data: w.set('status', 'received') }], { grants: [{ doc: docA(1), unit: B }] });
      for (let i = 0; i < 4; i++) await store.appendBatch('b1', `b-${i}`, [{ doc: docA(1), unit: A, data: w.note(`b${i} `) }]);
      const home = (await allRows(store, [A])).filter((r) => r.doc === docA(1));
      const copies = await allRows(store, [B]);
      expect(copies.length).toBe(5);

      const result = await store.compactDoc(docA(1));
      expect(result).toMatchObject({ groups: 2, rowsBefore: home.length + copies.length, rowsAfter: 2 });
      const forB = await allRows(store, [B]);
      expect(forB.map((r) => [r.seq, r.unit, r.device])).toEqual([[copies[copies.length - 1]?.seq, B, SERVER_DEVICE]]);
      expect(stateOfRows(forB, docA(1))).toEqual(stateOfRows(home, docA(1)));
      const dept = await allRows(store, 'all');
      expect(dept.map((r) => [r.seq, r.unit])).toEqual([[home[home.length - 1]?.seq, A]]);
      expect(await store.readDoc(docA(1))).toHaveLength(1);
      // A later write is copied to B as before, above the merged row.
      const later = await store.appendBatch('b1', 'b-late', [{ doc: docA(1), unit: A, data: w.set('note', 'x') }]);
      expect([...later.units].sort()).toEqual([B, A]);
    });

    it('[S16] compacting again changes nothing; a long group takes several bounded calls', async () => {
      const w = new Writer();
      for (let i = 0; i < 10; i++) await store.appendBatch('a1', `a-${i}`, [{ doc: docA(1), unit: A, data: w.set(`k${i}`, String(i)) }]);
      const before = await allRows(store, [A]);
      let calls = 0;
      for (;;) {
        calls++;
        const r = await store.compactDoc(docA(1), { maxRows: 4 });
        expect(r.rowsBefore).toBeLessThanOrEqual(4);
        if (!r.more) break;
      }
      expect(calls).toBe(3);
      const once = await allRows(store, [A]);
      expect(once.map((r) => r.seq)).toEqual([10]);
      expect(stateOfRows(once, docA(1))).toEqual(stateOfRows(before, docA(1)));

      expect(await store.compactDoc(docA(1))).toMatchObject({ groups: 0, rowsBefore: 1, rowsAfter: 1, more: false });
      expect(await allRows(store, [A])).toEqual(once);
      expect(await store.compactDoc(docA(9))).toMatchObject({ groups: 0, rowsBefore: 0, rowsAfter: 0 });
    });

    it('[S16] candidates: docs with a group of at least minRows rows among the rows scanned, the scan resumable', async () => {
      const w = new Writer();
      const push = (n: number, i: number) => store.appendBatch('a1', `c-${n}-${i}`, [{ doc: docA(n), unit: A, data: w.set(`${n}-${i}`, 'x') }]);
      for (let i = 0; i < 3; i++) await push(1, i); // seqs 1-3
      await push(2, 0); // 4
      for (let i = 0; i < 3; i++) await push(3, i); // 5-7
      await push(1, 3); // 8
      const all = await store.compactionCandidates({ afterSeq: 0, maxSeq: 8, scanRows: 100, minRows: 3 });
      expect(all).toEqual({ docs: [docA(1), docA(3)], scannedTo: 8 });
      // Counts stop at maxSeq: doc 1 has 3 rows up to seq 7.
      expect((await store.compactionCandidates({ afterSeq: 0, maxSeq: 7, scanRows: 100, minRows: 4 })).docs).toEqual([]);
      const first = await store.compactionCandidates({ afterSeq: 0, maxSeq: 8, scanRows: 4, minRows: 3 });
      expect(first).toEqual({ docs: [docA(1)], scannedTo: 4 });
      const rest = await store.compactionCandidates({ afterSeq: first.scannedTo, maxSeq: 8, scanRows: 4, minRows: 3 });
      expect(rest).toEqual({ docs: [docA(3), docA(1)], scannedTo: 8 });
      expect(await store.compactionCandidates({ afterSeq: 8, maxSeq: 8, scanRows: 4, minRows: 3 })).toEqual({ docs: [], scannedTo: 8 });
    });
  });
}
