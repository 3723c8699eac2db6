/**
 * Compacts every doc of a store the way the background compactor does (candidates by seq ranges,
 * compactDoc per doc, again while a doc has more), timing each thousand docs, and reads the log's
 * size before and after.
 */
import type { LogSize } from '../../sync-server/store/compact-types.ts';
import type { SyncStore } from '../../sync-server/store/types.ts';

export interface CompactionRun {
  readonly before: LogSize;
  readonly after: LogSize;
  readonly docs: number;
  /** compactDoc calls (a doc longer than one call's rows takes several). */
  readonly calls: number;
  /** Wall time of the whole pass, candidate scans included. */
  readonly seconds: number;
  /** ms of compactDoc calls per 1,000 docs, one figure per consecutive thousand. */
  readonly msPer1000: readonly number[];
}

const SCAN_ROWS = 50_000;

export async function compactAll(store: SyncStore, log: (msg: string) => void): Promise<CompactionRun> {
  const before = await store.logSize();
  const head = await store.headSeq();
  const t0 = performance.now();
  const msPer1000: number[] = [];
  let slice = 0;
  let docs = 0;
  let calls = 0;
  for (let after = 0; after < head; ) {
    const found = await store.compactionCandidates({ afterSeq: after, maxSeq: head, scanRows: SCAN_ROWS, minRows: 2 });
    after = found.scannedTo;
    for (const doc of found.docs) {
      const c0 = performance.now();
      for (;;) {
        calls++;
        if (!(await store.compactDoc(doc, { maxSeq: head })).more) break;
      }
      slice += performance.now() - c0;
      if (++docs % 1000 === 0) {
        msPer1000.push(Math.round(slice));
        slice = 0;
        if (docs % 20_000 === 0) log(`compacted ${docs.toLocaleString('en')} docs`);
      }
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  return { before, after: await store.logSize(), docs, calls, seconds, msPer1000 };
}

/** The per-thousand figures summed up: the first, the middle and the last thousand, and last / first. */
export function linearity(ms: readonly number[]): { first: number; median: number; last: number; lastOverFirst: number } {
  const sorted = [...ms].sort((a, b) => a - b);
  // The first thousand pays for the JIT's warm-up; the second stands for the start of the store.
  const first = ms[Math.min(1, ms.length - 1)] ?? 0;
  const last = ms[ms.length - 1] ?? 0;
  return { first, median: sorted[Math.floor(sorted.length / 2)] ?? 0, last, lastOverFirst: first === 0 ? 0 : Math.round((last / first) * 100) / 100 };
}
