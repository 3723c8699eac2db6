/**
 * Compaction (S16) on the memory store's log: the same plan as the other adapters, applied at once
 * (nothing else runs while it does), so the contract suite proves the same semantics here.
 */
import type { CandidateQuery, Candidates, CompactOptions, CompactResult, LogSize } from './compact-types.ts';
import { COMPACT_MAX_ROWS, COMPACTED_BATCH, CompactTally, groupRows, planGroup } from './compact-plan.ts';
import { SERVER_DEVICE } from './server-rows.ts';
import type { UpdateRow } from './types.ts';

/** Rewrites `log` (in seq order) in place. */
export function compactDocMemory(log: UpdateRow[], doc: string, options: CompactOptions = {}): CompactResult {
  const maxSeq = options.maxSeq ?? Number.MAX_SAFE_INTEGER;
  const maxRows = options.maxRows ?? COMPACT_MAX_ROWS;
  const counts = new Map<string, number>();
  const read: UpdateRow[] = [];
  for (const r of log) {
    if (r.doc !== doc || r.seq > maxSeq) continue;
    const n = counts.get(r.unit) ?? 0;
    counts.set(r.unit, n + 1);
    if (n <= maxRows) read.push(r);
  }
  const { groups, more } = groupRows(read, maxRows);
  const tally = new CompactTally();
  const writes = new Map<number, Uint8Array>();
  const deletes = new Set<number>();
  for (const rows of groups) {
    const plan = planGroup(rows);
    tally.add(rows, plan);
    for (const w of plan?.writes ?? []) writes.set(w.seq, w.data);
    for (const seq of plan?.deletes ?? []) deletes.add(seq);
  }
  let kept = 0;
  for (const r of log) {
    if (deletes.has(r.seq)) continue;
    const data = writes.get(r.seq);
    log[kept++] = data === undefined ? r : { ...r, device: SERVER_DEVICE, batchId: COMPACTED_BATCH, data };
  }
  log.length = kept;
  return tally.result(doc, more);
}

export function candidatesMemory(log: readonly UpdateRow[], q: CandidateQuery): Candidates {
  const touched = new Set<string>();
  let scanned = 0;
  let last = q.afterSeq;
  for (const r of log) {
    if (r.seq <= q.afterSeq || r.seq > q.maxSeq) continue;
    if (scanned === q.scanRows) break;
    scanned++;
    last = r.seq;
    touched.add(r.doc);
  }
  // A scan cut short resumes after its last row; a whole one covers everything up to maxSeq.
  const scannedTo = scanned === q.scanRows ? last : q.maxSeq;
  const counts = new Map<string, number>();
  for (const r of log) {
    if (r.seq > q.maxSeq || !touched.has(r.doc)) continue;
    const key = `${r.doc}\u0000${r.unit}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const big = new Set<string>();
  for (const [key, n] of counts) if (n >= q.minRows) big.add(key.slice(0, key.indexOf('\u0000')));
  return { docs: [...touched].filter((d) => big.has(d)), scannedTo: Math.max(q.afterSeq, scannedTo) };
}

export function logSizeMemory(log: readonly UpdateRow[]): LogSize {
  const dataBytes = log.reduce((n, r) => n + r.data.byteLength, 0);
  return { rows: log.length, dataBytes, storedBytes: dataBytes };
}
