import { describe, expect, it, vi } from 'vitest';
import { Compactor, COMPACTOR_DEFAULTS, compactorFromEnv } from '../../sync-server/compactor.ts';
import type { CompactOptions, CompactResult } from '../../sync-server/store/compact-types.ts';
import { MemoryStore } from '../../sync-server/store/memory.ts';
import { StoreError } from '../../sync-server/store/types.ts';
import { docOf, stateOf, Writer } from './compaction-util.ts';
import { startServer } from '../../sync-server/server.ts';
import { UNIT } from './helpers.ts';

const doc = (n: number): string => `${UNIT}/dossier/00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** A store whose compactDoc fails once for the docs named, as a full disk would. */
class FlakyStore extends MemoryStore {
  readonly failOnce = new Set<string>();
  override async compactDoc(name: string, options?: CompactOptions): Promise<CompactResult> {
    if (this.failOnce.delete(name)) throw new StoreError('io', 'disk full');
    return super.compactDoc(name, options);
  }
}

async function push(store: MemoryStore, n: number, rows: number, writer = new Writer()): Promise<void> {
  for (let i = 0; i < rows; i++) await store.appendBatch('d1', `b-${n}-${Math.random()}`, [{ doc: doc(n), unit: UNIT, data: writer.set(`k${i}`, 'v') }]);
}

const rowsOf = async (store: MemoryStore, n: number): Promise<number> => (await store.readDoc(doc(n))).length;

const events = (logs: readonly string[], ev: string): Record<string, unknown>[] =>
  logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => e.ev === ev);

describe('the background compactor', () => {
  it('[S16] compacts docs with enough rows once their rows are older than the settle time, and logs what it did', async () => {
    const store = new MemoryStore();
    const logs: string[] = [];
    let now = 0;
    const compactor = new Compactor(store, (l) => logs.push(l), { minRows: 8, settleMs: 1_000 }, () => now);
    const w = new Writer();
    await push(store, 1, 10, w);
    await push(store, 2, 3);
    const full = stateOf(docOf(await store.readDoc(doc(1))));

    expect((await compactor.tick()).docs).toBe(0); // nothing has settled yet
    now = 1_000;
    expect(await compactor.tick()).toMatchObject({ docs: 1, groups: 1, rowsBefore: 10, rowsAfter: 1, errors: 0 });
    expect(await rowsOf(store, 1)).toBe(1);
    expect(await rowsOf(store, 2)).toBe(3); // under minRows
    expect(stateOf(docOf(await store.readDoc(doc(1))))).toEqual(full);
    expect(events(logs, 'compaction')).toEqual([expect.objectContaining({ docs: 1, rowsBefore: 10, rowsAfter: 1, scannedTo: 13, queued: 0 })]);

    // Rows pushed now are young: the next ticks leave them until a head seen after them has settled.
    await push(store, 1, 9, w);
    now = 1_500;
    expect((await compactor.tick()).docs).toBe(0);
    now = 2_000;
    expect((await compactor.tick()).docs).toBe(0);
    now = 3_000;
    expect(await compactor.tick()).toMatchObject({ docs: 1, rowsBefore: 10, rowsAfter: 1 });
    expect(await rowsOf(store, 1)).toBe(1);
  });

  it('[S16] a failed compaction leaves the doc as it was, is logged, and is tried again next tick: no flag stays behind', async () => {
    const store = new FlakyStore();
    const logs: string[] = [];
    const compactor = new Compactor(store, (l) => logs.push(l), { minRows: 4, settleMs: 0 });
    await push(store, 1, 5);
    await push(store, 2, 5);
    const before = await store.readDoc(doc(1));
    store.failOnce.add(doc(1));
    expect(await compactor.tick()).toMatchObject({ docs: 2, errors: 1, rowsBefore: 5, rowsAfter: 1 });
    expect(await store.readDoc(doc(1))).toEqual(before);
    expect(events(logs, 'compaction_error')).toEqual([expect.objectContaining({ doc: doc(1), error: 'disk full', attempt: 1 })]);
    expect(await compactor.tick()).toMatchObject({ docs: 1, errors: 0, rowsBefore: 5, rowsAfter: 1 });
    expect(await rowsOf(store, 1)).toBe(1);
  });

  it('[S16] takes a long group in bounded steps and a bounded number of docs per tick', async () => {
    const store = new MemoryStore();
    const compactor = new Compactor(store, () => undefined, { minRows: 2, settleMs: 0, docsPerTick: 2 });
    for (let n = 1; n <= 3; n++) await push(store, n, 3);
    expect((await compactor.tick()).docs).toBe(2);
    expect((await compactor.tick()).docs).toBe(1);
    expect([await rowsOf(store, 1), await rowsOf(store, 2), await rowsOf(store, 3)]).toEqual([1, 1, 1]);
  });

  it('[S16] runs inside the server, and stops when the server closes', async () => {
    const store = new MemoryStore();
    const logs: string[] = [];
    const server = await startServer({ port: 0, store, log: (l) => logs.push(l), compaction: { minRows: 4, settleMs: 0, intervalMs: 20 } });
    await push(store, 1, 6);
    // The tick logs after its last doc: wait for the line, not only for the rows.
    await vi.waitFor(
      async () => {
        expect(await rowsOf(store, 1)).toBe(1);
        expect(events(logs, 'compaction').length).toBeGreaterThan(0);
      },
      { timeout: 5_000, interval: 20 },
    );
    await server.close();
    const spy = vi.spyOn(store, 'compactionCandidates');
    const headSpy = vi.spyOn(store, 'headSeq');
    await push(store, 2, 6);
    // Nothing to wait for when nothing happens: give the timer five of its intervals, then check that
    // nothing asked the store.
    await new Promise((r) => setTimeout(r, 100));
    expect(spy).not.toHaveBeenCalled();
    expect(headSpy).not.toHaveBeenCalled();
  });

  it('reads its settings from the environment; COMPACT_MIN_ROWS=0 turns it off', () => {
    expect(compactorFromEnv({})).toEqual({ minRows: COMPACTOR_DEFAULTS.minRows, intervalMs: COMPACTOR_DEFAULTS.intervalMs, docsPerTick: COMPACTOR_DEFAULTS.docsPerTick });
    expect(compactorFromEnv({ COMPACT_MIN_ROWS: '32', COMPACT_INTERVAL_MS: '5000', COMPACT_DOCS_PER_TICK: '50' })).toEqual({
      minRows: 32,
      intervalMs: 5_000,
      docsPerTick: 50,
    });
    expect(compactorFromEnv({ COMPACT_MIN_ROWS: '0' })).toBeNull();
    expect(() => compactorFromEnv({ COMPACT_MIN_ROWS: '1' })).toThrow(/COMPACT_MIN_ROWS/);
    expect(() => compactorFromEnv({ COMPACT_INTERVAL_MS: 'soon' })).toThrow(/COMPACT_INTERVAL_MS/);
  });
});
