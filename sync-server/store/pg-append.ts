/**
 * appendBatch on PostgreSQL, where several server nodes write one log at once. Every appender of
 * every node queues on one row lock, the log's head (S15: seqs become visible in the order they were
 * handed out), so what happens while it is held decides the data center's throughput:
 * 1. without the head: claim (device, batchId) (S3); check grant units; claim the batch's event ids
 *    and build their stamps (S13); write the dossiers' records, settled by their own versions (S18);
 *    read the docs' grants, write the batch's new grants and read their docs' state (S12);
 * 2. then three statements go out at once: lock the head; write the rows, move the head, record the
 *    batch and NOTIFY (unit, seq) pairs; COMMIT. The second runs after the lock is taken, on a fresh
 *    snapshot, and first checks that what step 1 read still stands (no grant of these docs appeared,
 *    no row of a newly granted doc was stored above what was read); if not it fails (MC001), the
 *    COMMIT behind it rolls back, and the append runs again. So the head is held for PostgreSQL's own
 *    work and the WAL flush only, never for a round trip to a node whose event loop is busy.
 * A NOTIFY is delivered by PostgreSQL only if its transaction commits.
 */
import type pg from 'pg';
import type { PoolClient } from 'pg';
import { checkGrantUnits, claimBatch, claimStamps, grantAndRead, grantRows, layOut, toBuffer, type GrantView, type NewRow } from './pg-append-rows.ts';
import { sqlState } from './pg-pool.ts';
import { writeProjectionPg } from './pg-projection.ts';
import { batchHomeRows } from './projection-rows.ts';
import type { AppendOptions, AppendResult, BatchItem, ServerRow } from './types.ts';

/** SQLSTATEs after which the whole transaction is simply run again. */
const RETRYABLE = new Set(['40001', '40P01', 'MC001']);
/** A batch losing every race on a busy doc gives up (the device retries it later, S1). */
const MAX_ATTEMPTS = 8;

/** Told of the seq ranges this process writes, so its own fan-out does not publish them twice. */
export interface RangeListener {
  /** Just before COMMIT: the range may be in the table by the time its NOTIFY arrives. */
  written(first: number, last: number): void;
  /** The transaction failed (its outcome may be unknown): the range must be read from the table. */
  failed(first: number, last: number): void;
}

export interface AppendContext {
  readonly pool: pg.Pool;
  /** The NOTIFY channel the nodes of this store listen on. */
  readonly channel: string;
  readonly ranges: RangeListener;
}

interface Batch {
  readonly device: string;
  readonly batchId: string;
  readonly items: readonly BatchItem[];
  readonly options: AppendOptions;
  readonly now: number;
}

export async function appendBatchPg(ctx: AppendContext, device: string, batchId: string, items: readonly BatchItem[], options: AppendOptions): Promise<AppendResult> {
  const batch: Batch = { device, batchId, items, options, now: options.now ?? Date.now() };
  for (let attempt = 1; ; attempt++) {
    let range: [number, number] | null = null;
    const note = (first: number, last: number): void => {
      range = [first, last];
      ctx.ranges.written(first, last);
    };
    try {
      return await runOnce(ctx, batch, note);
    } catch (err) {
      if (range !== null) ctx.ranges.failed(range[0], range[1]);
      const state = sqlState(err);
      if (attempt >= MAX_ATTEMPTS || state === undefined || !RETRYABLE.has(state)) throw err;
    }
  }
}

async function runOnce(ctx: AppendContext, b: Batch, note: (first: number, last: number) => void): Promise<AppendResult> {
  const c = await ctx.pool.connect();
  // A connection whose transaction ended in an unknown state is destroyed, not pooled.
  let healthy = false;
  let open = false;
  try {
    await c.query('BEGIN');
    open = true;
    const duplicate = await claimBatch(c, b.device, b.batchId, b.now);
    if (duplicate !== null) {
      open = false;
      await c.query('COMMIT');
      healthy = true;
      return duplicate;
    }
    await checkGrantUnits(c, b.options);
    const fresh = await claimStamps(c, b.options, b.now);
    await writeProjectionPg(c, b.options.projection, (doc) => batchHomeRows(doc, b.items, fresh.get(doc) ?? []), b.now);
    // The grants of every doc the batch writes or grants, checked again behind the lock.
    const docs = [...new Set([...b.items.map((it) => it.doc), ...fresh.keys(), ...(b.options.grants ?? []).map((g) => g.doc)])];
    const view = await grantAndRead(c, b.device, docs, b.options, b.now);
    const laid = layOut(b.device, b.items, b.options, fresh, view.units);
    grantRows(b.options, view, laid.rows);
    // From here the COMMIT is on its way: it ends the transaction whatever happens.
    open = false;
    const result = await behindTheLock(ctx.channel, c, b, docs, view, laid.rows, laid.serverRows, note);
    healthy = true;
    return result;
  } catch (err) {
    if (open) {
      await c.query('ROLLBACK');
      healthy = true;
    } else {
      // Rolled back by the COMMIT behind a failed statement; a lost connection reports no SQLSTATE.
      healthy = sqlState(err) !== undefined;
    }
    throw err;
  } finally {
    c.release(!healthy);
  }
}

/**
 * The rows' updates as one buffer with offsets and lengths: node-postgres sends a Buffer parameter
 * in binary, but an array of them as hex text, twice the bytes and slow to build, while the head is
 * locked (the statement is bound after the lock is taken).
 */
function pack(rows: readonly NewRow[]): { data: Buffer; offsets: number[]; lengths: number[] } {
  const offsets: number[] = [];
  const lengths: number[] = [];
  let at = 0;
  for (const r of rows) {
    offsets.push(at);
    lengths.push(r.data.byteLength);
    at += r.data.byteLength;
  }
  return { data: Buffer.concat(rows.map((r) => toBuffer(r.data)), at), offsets, lengths };
}

function result(b: Batch, base: number, rows: readonly NewRow[], serverRows: ServerRow[]): AppendResult {
  return {
    seqs: Array.from({ length: b.items.length }, (_, i) => base + 1 + i),
    duplicate: false,
    headSeq: base + rows.length,
    serverRows,
    units: [...new Set(rows.map((r) => r.unit))],
  };
}

/** The lock, the guarded write and COMMIT, sent together (see the top of this file). */
async function behindTheLock(
  channel: string,
  c: PoolClient,
  b: Batch,
  docs: readonly string[],
  view: GrantView,
  rows: readonly NewRow[],
  serverRows: ServerRow[],
  note: (first: number, last: number) => void,
): Promise<AppendResult> {
  const units = [...new Set(rows.map((r) => r.unit))];
  const packed = pack(rows);
  // Three queries handed to one connection at once: node-postgres 8 sends each as the previous one
  // completes, from its socket handler, without waiting for this event loop (it warns once that
  // pg 9 will not queue them: package.json keeps pg 8).
  const lock = c.query('SELECT seq FROM log_head WHERE id = 1 FOR UPDATE');
  const write = c.query<{ base: number }>(
    `WITH g AS (SELECT CASE WHEN (SELECT count(*) FROM grants WHERE doc = ANY($12::text[])) = $13
                          AND NOT EXISTS (SELECT 1 FROM updates WHERE doc = ANY($14::text[]) AND unit = split_part(doc, '/', 1) AND seq > $15)
                     THEN 1 ELSE motcua_stale_append() END AS ok),
          h AS (UPDATE log_head SET seq = seq + $1 WHERE id = 1 AND (SELECT ok FROM g) = 1 RETURNING seq - $1 AS base),
          s AS (SELECT '[' || COALESCE((SELECT string_agg((h.base + i)::text, ',' ORDER BY i) FROM generate_series(1, $5::int) AS i), '') || ']' AS seqs FROM h),
          r AS (INSERT INTO updates (seq, doc, unit, device, batch_id, data, received_at)
                SELECT h.base + t.n, t.d, t.u, t.v, $3, substring($10::bytea FROM t.o + 1 FOR t.len), $4
                FROM h, unnest($7::text[], $8::text[], $9::text[], $16::int[], $17::int[]) WITH ORDINALITY AS t(d, u, v, o, len, n)),
          p AS (UPDATE pushed_batches SET seqs = s.seqs FROM s WHERE device = $2 AND batch_id = $3),
          l AS (INSERT INTO last_batch (device, batch_id, seqs) SELECT $2, $3, s.seqs FROM s
                ON CONFLICT (device) DO UPDATE SET batch_id = excluded.batch_id, seqs = excluded.seqs),
          n AS (SELECT pg_notify($6, u || ':' || (h.base + $1)::text) FROM h, unnest($11::text[]) AS u)
     SELECT h.base, (SELECT count(*) FROM n) AS notified FROM h`,
    [
      rows.length,
      b.device,
      b.batchId,
      b.now,
      b.items.length,
      channel,
      rows.map((r) => r.doc),
      rows.map((r) => r.unit),
      rows.map((r) => r.device),
      packed.data,
      units,
      [...docs],
      view.count,
      [...view.granted.keys()],
      view.bound,
      packed.offsets,
      packed.lengths,
    ],
  );
  const commit = c.query('COMMIT');
  let base: number;
  try {
    await lock;
    const first = (await write).rows[0];
    if (first === undefined) throw new Error('the log head is missing');
    base = first.base;
  } catch (err) {
    // The COMMIT behind a failed statement ends the transaction as a rollback: wait for it, then report.
    await Promise.allSettled([lock, write, commit]);
    throw err;
  }
  if (rows.length > 0) note(base + 1, base + rows.length);
  await commit;
  return result(b, base, rows, serverRows);
}
