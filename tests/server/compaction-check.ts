/**
 * A whole log's check for the compaction tests (S16): per group (doc, receiving unit) the state its
 * rows hold, its highest seq, and its row count, so a log before and after compaction can be
 * compared: same states, same highest seqs (a merged row keeps the highest seq it replaced), no
 * Yjs item held by two rows, never more rows.
 */
import type { SyncStore, UpdateRow } from '../../sync-server/store/types.ts';
import { docOf, heldTwice, stateOf } from './compaction-util.ts';

export interface GroupView {
  readonly state: ReturnType<typeof stateOf>;
  readonly topSeq: number;
  readonly rows: number;
  /** A (client:clock) two rows both hold, or null. */
  readonly twice: string | null;
}

/** Every row of the units, read page by page. */
export async function everyRow(store: SyncStore, units: readonly string[]): Promise<UpdateRow[]> {
  const out: UpdateRow[] = [];
  let since = 0;
  for (;;) {
    const page = await store.readSince({ units, since, limit: 5_000 });
    out.push(...page.rows);
    since = page.lastScanned;
    if (!page.more) return out;
  }
}

export async function viewLog(store: SyncStore, units: readonly string[]): Promise<Map<string, GroupView>> {
  const groups = new Map<string, UpdateRow[]>();
  for (const r of await everyRow(store, units)) {
    const key = `${r.doc} @${r.unit}`;
    const list = groups.get(key) ?? [];
    list.push(r);
    groups.set(key, list);
  }
  const out = new Map<string, GroupView>();
  for (const [key, rows] of groups) {
    const data = rows.map((r) => r.data);
    out.set(key, { state: stateOf(docOf(data)), topSeq: Math.max(...rows.map((r) => r.seq)), rows: rows.length, twice: heldTwice(data) });
  }
  return out;
}

/** What must not change when a log is compacted: each group's state and highest seq. */
export function invariant(view: ReadonlyMap<string, GroupView>): Map<string, { state: GroupView['state']; topSeq: number }> {
  return new Map([...view].map(([k, g]) => [k, { state: g.state, topSeq: g.topSeq }]));
}

export const rowCount = (view: ReadonlyMap<string, GroupView>): number => [...view.values()].reduce((n, g) => n + g.rows, 0);

export const heldTwiceIn = (view: ReadonlyMap<string, GroupView>): string[] =>
  [...view].filter(([, g]) => g.twice !== null).map(([k, g]) => `${k}: ${g.twice ?? ''}`);
