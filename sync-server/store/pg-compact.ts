/**
 * Compaction (S16) on PostgreSQL, where every node runs a compactor on the same log. A doc's
 * compaction is one transaction:
 * 1. take the doc's compaction lock, an advisory transaction lock, without waiting: a node that finds
 *    it taken leaves the doc to the node that holds it (busy), so two nodes never merge the same rows;
 * 2. read the oldest rows of each group (a statement after the lock, so it sees every compaction
 *    committed before);
 * 3. merge, rewrite the kept rows and delete the others, checking each statement touched exactly the
 *    rows read: if not, the transaction is rolled back and nothing changed.
 * A node killed at any point leaves the transaction uncommitted (PostgreSQL rolls it back and frees
 * the lock), so there is no flag to clear and no half-compacted doc.
 *
 * Appends never wait on it: they only insert rows (compaction rewrites and deletes rows it read, each
 * already committed) and take their own locks (pushed_batches, event_stamps, log_head); compaction
 * takes none of those, and never needs log_head since it hands out no seq. doc_rows stays right: the
 * highest seq of every group is kept, so a cached row's seq still names what it reflects.
 */
import type pg from 'pg';
import type { CandidateQuery, Candidates, CompactOptions, CompactResult, LogSize } from './compact-types.ts';
import { busyResult, COMPACT_MAX_ROWS, COMPACTED_BATCH, CompactTally, groupRows, planGroup, type GroupRow } from './compact-plan.ts';
import { inTransaction } from './pg-pool.ts';
import { SERVER_DEVICE } from './server-rows.ts';
import { StoreError } from './types.ts';

/** Any constant: the class of the per-doc compaction locks (the two-key advisory lock space). */
const COMPACT_LOCK_CLASS = 7_190_422;

const toBuffer = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

export async function compactDocPg(pool: pg.Pool, doc: string, options: CompactOptions = {}): Promise<CompactResult> {
  const maxSeq = options.maxSeq ?? Number.MAX_SAFE_INTEGER;
  const maxRows = options.maxRows ?? COMPACT_MAX_ROWS;
  return inTransaction(pool, async (c) => {
    // hashtext may give two docs one key: they then take turns, which costs nothing but a skip.
    // synchronous_commit off for this transaction: a crash may undo the last compactions, which
    // leaves their docs as they were (never half done), and PostgreSQL keeps commits in order, so
    // the next acknowledged append flushes them too. Waiting for the flush would cost more than the
    // compaction itself.
    const lock = await c.query<{ ok: boolean }>(
      "SELECT pg_try_advisory_xact_lock($1, hashtext($2)) AS ok, set_config('synchronous_commit', 'off', true)",
      [COMPACT_LOCK_CLASS, doc],
    );
    if (lock.rows[0]?.ok !== true) return busyResult(doc);
    const { rows } = await c.query<{ seq: number; unit: string; data: Buffer }>(
      `SELECT seq, unit, data FROM (
         SELECT seq, unit, data, row_number() OVER (PARTITION BY unit ORDER BY seq) AS n
         FROM updates WHERE doc = $1 AND seq <= $2
       ) t WHERE n <= $3 ORDER BY seq`,
      [doc, maxSeq, maxRows + 1],
    );
    const read = rows.map((r) => ({ seq: r.seq, unit: r.unit, data: new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength) }));
    const { groups, more } = groupRows(read, maxRows);
    const tally = new CompactTally();
    const writes: GroupRow[] = [];
    const deletes: number[] = [];
    for (const list of groups) {
      const plan = planGroup(list);
      tally.add(list, plan);
      if (plan === null) continue;
      writes.push(...plan.writes);
      deletes.push(...plan.deletes);
    }
    if (writes.length === 0) return tally.result(doc, more);
    // One statement for both: the rows rewritten and the rows deleted are disjoint.
    const { rows: done } = await c.query<{ written: number; deleted: number }>(
      `WITH w AS (
         UPDATE updates u SET data = t.d, device = $3, batch_id = $4
         FROM unnest($1::bigint[], $2::bytea[]) AS t(s, d) WHERE u.seq = t.s AND u.doc = $5 RETURNING 1
       ), d AS (DELETE FROM updates WHERE seq = ANY($6::bigint[]) AND doc = $5 RETURNING 1)
       SELECT (SELECT COUNT(*) FROM w)::int AS written, (SELECT COUNT(*) FROM d)::int AS deleted`,
      [writes.map((w) => w.seq), writes.map((w) => toBuffer(w.data)), SERVER_DEVICE, COMPACTED_BATCH, doc, deletes],
    );
    // Under the lock no other compaction touches these rows and appends never do: a mismatch means
    // someone else changed the log, and rolling back leaves it as that someone left it.
    if (done[0]?.written !== writes.length || done[0]?.deleted !== deletes.length) {
      throw new StoreError('compaction_conflict', `rows of ${doc} changed during its compaction`);
    }
    return tally.result(doc, more);
  });
}

export async function candidatesPg(pool: pg.Pool, q: CandidateQuery): Promise<Candidates> {
  // One snapshot for the scan and the counts.
  return inTransaction(
    pool,
    async (c) => {
      const { rows } = await c.query<{ seq: number; doc: string }>(
        'SELECT seq, doc FROM updates WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT $3',
        [q.afterSeq, q.maxSeq, q.scanRows],
      );
      const touched = [...new Set(rows.map((r) => r.doc))];
      const big =
        touched.length === 0
          ? new Set<string>()
          : new Set(
              (
                await c.query<{ doc: string }>(
                  `SELECT DISTINCT doc FROM updates WHERE doc = ANY($1::text[]) AND seq <= $2
                   GROUP BY doc, unit HAVING COUNT(*) >= $3`,
                  [touched, q.maxSeq, q.minRows],
                )
              ).rows.map((r) => r.doc),
            );
      const last = rows[rows.length - 1]?.seq ?? q.afterSeq;
      // A scan cut short resumes after its last row; a whole one covers everything up to maxSeq.
      return { docs: touched.filter((d) => big.has(d)), scannedTo: rows.length === q.scanRows ? last : Math.max(q.afterSeq, q.maxSeq) };
    },
    'repeatable read',
    true,
  );
}

export async function logSizePg(pool: pg.Pool): Promise<LogSize> {
  const { rows } = await pool.query<LogSize>(
    `SELECT COUNT(*)::bigint AS rows, COALESCE(SUM(length(data)), 0)::bigint AS "dataBytes",
            pg_total_relation_size('updates'::regclass) AS "storedBytes"
     FROM updates`,
  );
  return rows[0] ?? { rows: 0, dataBytes: 0, storedBytes: 0 };
}
