/**
 * A ward's year in the server's log as the devices pushed it online, step by step: each dossier's
 * intake and each of its three later steps is its own push, and each push gets the server's time
 * stamp row (S13), so a dossier leaves 8 rows. That is the log compaction (S16) works on; the other
 * benches' year store (seed-ward.ts) holds each dossier as one merged push, as a device that was
 * offline all along would leave it.
 *
 * Built once per (seed, count, generator version) into bench/.cache as a SQLite file and copied for
 * each run.
 */
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteStore } from '../../sync-server/store/sqlite.ts';
import { BENCH_UNIT, updatesOf, ward } from '../data.ts';
import { WARD } from '../seed-ward.ts';

/** Bump when the rows written here change, so a stale cache is not reused. */
const GENERATOR_VERSION = 1;
const CACHE = new URL('../.cache/', import.meta.url).pathname;
/** Dossiers per block: each block is pushed as 4 batches, one per step. */
const BLOCK = 2000;
const STEPS = 4;

/** Copies (building first if needed) a log of `count` dossiers to `path`. */
export async function yearLog(path: string, count: number, log: (msg: string) => void): Promise<void> {
  mkdirSync(CACHE, { recursive: true });
  const cached = join(CACHE, `compact-ward-${WARD.seed}-${count}-v${GENERATOR_VERSION}.sqlite`);
  if (!existsSync(cached)) {
    const t0 = performance.now();
    const tmp = `${cached}.tmp`;
    rmSync(tmp, { force: true });
    const store = new SqliteStore(tmp);
    await store.putUnits([{ code: BENCH_UNIT, name: 'Phường Thanh Khê' }]);
    for (let from = 0; from < count; from += BLOCK) {
      const block = [...ward(WARD, from, Math.min(BLOCK, count - from))];
      const updates = block.map((d) => updatesOf(d));
      for (let step = 0; step < STEPS; step++) {
        const items = block.map((d, i) => ({ doc: d.docName, unit: BENCH_UNIT, data: updates[i]?.[step] ?? new Uint8Array() }));
        const stamps = block.map((d) => ({ doc: d.docName, unit: BENCH_UNIT, eventIds: [d.events[step]?.id ?? ''] }));
        const now = Math.max(...block.map((d) => d.events[step]?.at ?? 0)) + 60_000;
        await store.appendBatch(WARD.device ?? 'dev-ward', `year-${from}-${step}`, items, { now, stamps });
      }
      if (from % 40_000 === 0) log(`year log: ${from.toLocaleString('en')} / ${count.toLocaleString('en')} dossiers`);
    }
    await store.close();
    renameSync(tmp, cached);
    log(`year log built in ${((performance.now() - t0) / 1000).toFixed(0)} s: ${cached}`);
  }
  copyFileSync(cached, path);
}
