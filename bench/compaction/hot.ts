/**
 * One doc with many updates from one writer (a dossier edited live for a long time): compaction's
 * time against the number of updates, and Y.mergeUpdates of them all at once beside it (superlinear:
 * every struct is compared across all the updates still being read).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Y from 'yjs';
import { SqliteStore } from '../../sync-server/store/sqlite.ts';
import { BENCH_UNIT } from '../data.ts';

const DOC = `${BENCH_UNIT}/dossier/00000000-0000-4000-8000-00000000a11e`;
const BATCH = 500;

export interface HotDoc {
  readonly updates: number;
  readonly compactMs: number;
  readonly calls: number;
  readonly rowsAfter: number;
  /** Y.mergeUpdates of every update at once; null above `naiveMax`. */
  readonly mergeAllMs: number | null;
}

/** What a live editor sends (y-websocket): each transaction's own update, its own deletes only. */
function liveUpdates(n: number): Uint8Array[] {
  const doc = new Y.Doc();
  const out: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => out.push(u));
  for (let i = 0; i < n; i++) {
    // Field edits that overwrite each other (deletes), and a note typed at its end.
    if (i % 3 === 0) doc.getText('note').insert(doc.getText('note').length, `${i} `);
    else doc.getMap('fields').set(`f${i % 40}`, `giá trị ${i}`);
  }
  doc.destroy();
  return out;
}

export async function hotDoc(n: number, naiveMax: number): Promise<HotDoc> {
  const updates = liveUpdates(n);
  const dir = mkdtempSync(join(tmpdir(), 'motcua-hot-'));
  const store = new SqliteStore(join(dir, 'hot.sqlite'));
  try {
    for (let i = 0; i < n; i += BATCH) {
      await store.appendBatch('dev-live', `live-${i}`, updates.slice(i, i + BATCH).map((data) => ({ doc: DOC, unit: BENCH_UNIT, data })));
    }
    const t0 = performance.now();
    let calls = 0;
    for (;;) {
      calls++;
      if (!(await store.compactDoc(DOC)).more) break;
    }
    const compactMs = performance.now() - t0;
    const rowsAfter = (await store.readDoc(DOC)).length;
    let mergeAllMs: number | null = null;
    if (n <= naiveMax) {
      const m0 = performance.now();
      Y.mergeUpdates(updates);
      mergeAllMs = performance.now() - m0;
    }
    return { updates: n, compactMs: Math.round(compactMs), calls, rowsAfter, mergeAllMs: mergeAllMs === null ? null : Math.round(mergeAllMs) };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
