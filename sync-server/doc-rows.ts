/**
 * The list rows the server sends with pulled dossiers (issue 4). A device holding nothing of a doc
 * stores the pulled update as it is and this row as its projection, instead of decoding the doc:
 * decoding a Y.Doc and reducing its events costs ~0.25 ms at full speed, four times that on a
 * low-spec laptop, which would cap a new device's ingest of a ward's year (440,000) near 1,000 a second.
 *
 * The row is the same Projector the devices run, over every home row of the doc, with the same
 * published calendar. It is computed when a page first needs it and cached with the head seq it
 * reflects, so the commune's other devices (and the next new one) reuse it.
 */
import { readFileSync } from 'node:fs';
import { buildCalendar } from '../src/domain/calendar.ts';
import { LIMITS } from '../src/protocol/constants.ts';
import { parseDocName } from '../src/protocol/doc-names.ts';
import type { PullItem } from '../src/protocol/messages.ts';
import { Projector } from '../src/worker/projector.ts';
import { docFromRows } from './events.ts';
import type { DocRowRecord, StoredDoc, SyncStore } from './store/types.ts';

/** The working-time calendar the PWA loads (public/data/holidays.json), for due dates. */
export function serverProjector(): Projector {
  const holidays: unknown = JSON.parse(readFileSync(new URL('../public/data/holidays.json', import.meta.url), 'utf8'));
  return new Projector(buildCalendar(holidays));
}

/** Computes (and caches) the row of each dossier doc, reflecting at least `minSeq` of it. */
export async function docRows(store: SyncStore, projector: Projector, wanted: ReadonlyMap<string, number>, now: number): Promise<Map<string, DocRowRecord>> {
  const cached = await store.getDocRows([...wanted.keys()]);
  const fresh: (DocRowRecord & { doc: string })[] = [];
  // Head first, rows after: every row with seq <= head is then in what readDoc returns.
  const head = await store.headSeq();
  const missing = [...wanted].filter(([doc, minSeq]) => (cached.get(doc)?.seq ?? -1) < minSeq).map(([doc]) => doc);
  // One query for every doc the cache lacks, not one each.
  const stored = missing.length === 0 ? new Map<string, StoredDoc>() : await store.readDocs(missing);
  for (const doc of missing) {
    const ydoc = docFromRows(stored.get(doc)?.rows ?? []);
    const row = projector.project(doc, ydoc, now);
    ydoc.destroy();
    if (row === null) continue;
    const record = { doc, seq: head, row: JSON.stringify(row) };
    fresh.push(record);
    cached.set(doc, record);
  }
  if (fresh.length > 0) await store.putDocRows(fresh);
  return cached;
}

/**
 * UTF-8 bytes of rows one pull page may carry (Vietnamese letters take 2-3 bytes). With the page's
 * updates (PULL_PAGE_BYTES) and the doc names the frame stays under LIMITS.maxMessageBytes; past the
 * budget items go without their row and the device decodes them.
 */
export const PULL_ROW_BYTES = 3 * 1024 * 1024;

/**
 * The page's items, the last item of each dossier doc carrying the doc's row (within PULL_ROW_BYTES).
 * A row longer than LIMITS.maxRowChars (a hostile name, say) is never sent: the device's decoder would
 * refuse the whole frame, and every device of the unit would ask for that page forever.
 */
export async function withRows(store: SyncStore, projector: Projector, items: readonly PullItem[], now: number, budgetBytes = PULL_ROW_BYTES): Promise<PullItem[]> {
  const last = new Map<string, number>();
  items.forEach((it, i) => {
    if (parseDocName(it.doc)?.kind === 'dossier') last.set(it.doc, i);
  });
  const wanted = new Map([...last].map(([doc, i]) => [doc, (items[i] as PullItem).seq]));
  const rows = await docRows(store, projector, wanted, now);
  let budget = budgetBytes;
  return items.map((it, i) => {
    const rec = last.get(it.doc) === i ? rows.get(it.doc) : undefined;
    if (rec === undefined || rec.row.length > LIMITS.maxRowChars) return it;
    const bytes = Buffer.byteLength(rec.row);
    if (bytes > budget) return it;
    budget -= bytes;
    return { ...it, row: rec.row };
  });
}
