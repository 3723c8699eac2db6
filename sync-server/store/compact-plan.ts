/**
 * Compaction of the replication log (rule S16), the part every store adapter shares so they cannot
 * disagree on which rows survive: a group's rows (one doc, one receiving unit) merged with the bounded
 * merge, the merged updates written into the rows with the highest seqs among those read, the other
 * rows read deleted. The adapters only read the rows and apply the plan in one transaction.
 *
 * Why the highest seqs: a device whose cursor is below a merged row's seq pulls it (and gets again
 * what it had, which Yjs ignores); one whose cursor is at or above it already had every row merged
 * into it, because output i of the merge holds only rows at or below the i-th kept seq (outputs
 * follow the rows in seq order and each holds at least one row).
 */
import { mergeBounded } from './server-rows.ts';
import type { CompactResult } from './compact-types.ts';

/** batch_id of a merged row: it holds many batches, so it names none of them. */
export const COMPACTED_BATCH = 'compacted';

/**
 * Rows of one group read per compactDoc call, oldest first: bounds the merge (and, for the embedded
 * store, the write transaction) of one call; a longer group takes several calls.
 */
export const COMPACT_MAX_ROWS = 2048;

export interface GroupRow {
  readonly seq: number;
  readonly data: Uint8Array;
}

export interface GroupPlan {
  /** Rows rewritten with merged data, keeping their seq. */
  readonly writes: readonly GroupRow[];
  /** Seqs of the other rows read: deleted. */
  readonly deletes: readonly number[];
  readonly bytesBefore: number;
  readonly bytesAfter: number;
}

/** The plan for one group's rows as read (any order); null when merging would not remove a row. */
export function planGroup(rows: readonly GroupRow[]): GroupPlan | null {
  if (rows.length < 2) return null;
  const sorted = [...rows].sort((a, b) => a.seq - b.seq);
  // Merged chunk by chunk, then the chunks' results again, while that removes rows: each level reads
  // every byte once and there are few levels (256 rows a chunk), so the whole stays near-linear.
  let merged = mergeBounded(sorted.map((r) => r.data));
  while (merged.length > 1) {
    const next = mergeBounded(merged);
    if (next.length >= merged.length) break;
    merged = next;
  }
  if (merged.length >= sorted.length) return null;
  const cut = sorted.length - merged.length;
  const writes = sorted.slice(cut).map((r, i) => ({ seq: r.seq, data: merged[i] ?? r.data }));
  return {
    writes,
    deletes: sorted.slice(0, cut).map((r) => r.seq),
    bytesBefore: sorted.reduce((n, r) => n + r.data.byteLength, 0),
    bytesAfter: writes.reduce((n, r) => n + r.data.byteLength, 0),
  };
}

/**
 * Rows as read (seq order, up to maxRows + 1 per group: the extra row only tells that more follow),
 * split by receiving unit and cut at maxRows.
 */
export function groupRows(rows: Iterable<GroupRow & { readonly unit: string }>, maxRows: number): { groups: GroupRow[][]; more: boolean } {
  const byUnit = new Map<string, GroupRow[]>();
  for (const r of rows) {
    const list = byUnit.get(r.unit) ?? [];
    list.push({ seq: r.seq, data: r.data });
    byUnit.set(r.unit, list);
  }
  let more = false;
  const groups = [...byUnit.values()].map((list) => {
    if (list.length <= maxRows) return list;
    more = true;
    return list.slice(0, maxRows);
  });
  return { groups, more };
}

/** Totals of one compactDoc call, built group by group. */
export class CompactTally {
  groups = 0;
  rowsBefore = 0;
  rowsAfter = 0;
  bytesBefore = 0;
  bytesAfter = 0;

  /** Counts a group as read; `plan` null means its rows stay as they are. */
  add(read: readonly GroupRow[], plan: GroupPlan | null): void {
    const bytes = read.reduce((n, r) => n + r.data.byteLength, 0);
    this.rowsBefore += read.length;
    this.bytesBefore += bytes;
    if (plan === null) {
      this.rowsAfter += read.length;
      this.bytesAfter += bytes;
      return;
    }
    this.groups++;
    this.rowsAfter += plan.writes.length;
    this.bytesAfter += plan.bytesAfter;
  }

  /** `more`: some group had rows past those read; worth another call only if this one made progress. */
  result(doc: string, more: boolean): CompactResult {
    const { groups, rowsBefore, rowsAfter, bytesBefore, bytesAfter } = this;
    return { doc, groups, rowsBefore, rowsAfter, bytesBefore, bytesAfter, more: more && rowsAfter < rowsBefore, busy: false };
  }
}

/** What a compactDoc call returns when another node holds the doc's compaction. */
export function busyResult(doc: string): CompactResult {
  return { doc, groups: 0, rowsBefore: 0, rowsAfter: 0, bytesBefore: 0, bytesAfter: 0, more: false, busy: true };
}
