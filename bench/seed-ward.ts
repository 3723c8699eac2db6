/**
 * A sync server's store holding a ward's year (440,000 dossiers with their events and server stamps),
 * written through the store's own appendBatch as if the ward's devices had pushed it, with the list
 * rows the server computes when devices pull (sync-server/doc-rows.ts). Built once per
 * (seed, count, generator version) into bench/.cache and copied for each run: generating it costs
 * about a minute, copying a second.
 */
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as Y from 'yjs';
import { docRows, serverProjector } from '../sync-server/doc-rows.ts';
import { SqliteStore } from '../sync-server/store/sqlite.ts';
import { BENCH_UNIT, updatesOf, ward, type WardOptions } from './data.ts';

/** Bump when bench/data.ts or the doc shape changes, so a stale cache is not reused. */
const GENERATOR_VERSION = 3;
const CACHE = new URL('./.cache/', import.meta.url).pathname;
const BATCH = 2000;

export const WARD: WardOptions = { seed: 2026, start: Date.UTC(2025, 10, 24, 0, 30), device: 'dev-ward-history' };

/** The merged update a device pushes for a dossier it took in and moved through its steps offline. */
export function pushedUpdate(d: Parameters<typeof updatesOf>[0]): Uint8Array {
  return Y.mergeUpdates(updatesOf(d));
}

/** Copies (building first if needed) a store of `count` dossiers into `dataDir` as the server's file. */
export async function seedWard(dataDir: string, count: number, log: (msg: string) => void): Promise<void> {
  mkdirSync(CACHE, { recursive: true });
  const cached = join(CACHE, `ward-${WARD.seed}-${count}-v${GENERATOR_VERSION}.sqlite`);
  if (!existsSync(cached)) {
    const t0 = performance.now();
    const tmp = `${cached}.tmp`;
    rmSync(tmp, { force: true });
    const store = new SqliteStore(tmp);
    const projector = serverProjector();
    for (let from = 0; from < count; from += BATCH) {
      const items = [];
      const stamps = [];
      let last = 0;
      for (const d of ward(WARD, from, Math.min(BATCH, count - from))) {
        items.push({ doc: d.docName, unit: BENCH_UNIT, data: pushedUpdate(d) });
        stamps.push({ doc: d.docName, unit: BENCH_UNIT, eventIds: d.events.map((e) => e.id) });
        last = Math.max(last, ...d.events.map((e) => e.at));
      }
      await store.appendBatch('seed', `seed-${from}`, items, { now: last + 60_000, stamps });
      // The rows the server computed when the commune's devices first pulled these (doc-rows.ts).
      await docRows(store, projector, new Map(items.map((it) => [it.doc, 0])), last + 60_000);
      if (from % 50_000 === 0) log(`ward store: ${from.toLocaleString('en')} / ${count.toLocaleString('en')} dossiers`);
    }
    await store.close();
    renameSync(tmp, cached);
    log(`ward store built in ${((performance.now() - t0) / 1000).toFixed(0)} s: ${cached}`);
  }
  mkdirSync(dataDir, { recursive: true });
  copyFileSync(cached, join(dataDir, 'motcua.sqlite'));
}
