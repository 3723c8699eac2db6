/**
 * appendBatch on PostgreSQL, where several server nodes write one log at once. Every appender of
 * every node queues on one row lock, the log's head (S15: seqs become visible in the order they were
 * handed out), so what happens while it is held decides the data center's throughput. The order:
 * 1. without the head: claim (device, batchId) (S3); check grant units; claim the batch's event ids
 *    and build their stamps (S13); write the dossiers' records, settled by their own versions (S18);
 *    read the docs' grants and the grant epoch they belong to (S12);
 * 2. a batch that writes no grant then takes the head, writes its rows, moves the head, records the
 *    batch and NOTIFYs (unit, seq) pairs in ONE statement, with COMMIT sent right behind it: the lock
 *    is held for PostgreSQL's own work, never for a round trip to a node whose event loop is busy.
 *    If a grant was written since step 1 (the epoch moved), the statement fails (MC001) and the
 *    append runs again the long way;
 * 3. the long way (a batch with grants, or after MC001): lock the head first, read the grants under
 *    it, write the grants (moving the epoch) and a newly granted unit's merged state, then the same
 *    rows, head, record and NOTIFYs.
 * A NOTIFY is delivered by PostgreSQL only if its transaction commits.
 */
import type pg from 'pg';
import type { PoolClient } from 'pg';
import { checkGrantUnits, claimBatch, claimStamps, layOut, readGrants, toBuffer, type NewRow } from './pg-append-rows.ts';
import { sqlState } from './pg-pool.ts';
import { writeProjectionPg } from './pg-projection.ts';
import { batchHomeRows } from './projection-rows.ts';
import { homeUnit, mergeBounded, SERVER_DEVICE } from './server-rows.ts';
import type { AppendOptions, AppendResult, BatchItem, ServerRow } from './types.ts';

/** SQLSTATEs after which the whole transaction is simply run again. */
const RETRYABLE = new Set(['40001', '40P01', 'MC001']);
const GRANTS_MOVED = 'MC001';
const MAX_ATTEMPTS = 5;

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
  let longWay = (options.grants ?? []).length > 0;
  for (let attempt = 1; ; attempt++) {
    let range: [number, number] | null = null;
    const note = (first: number, last: number): void => {
      range = [first, last];
      ctx.ranges.written(first, last);
    };
    try {
      return await runOnce(ctx, batch, longWay, note);
    } catch (err) {
      if (range !== null) ctx.ranges.failed(range[0], range[1]);
      const state = sqlState(err);
      if (state === GRANTS_MOVED) longWay = true;
      if (attempt >= MAX_ATTEMPTS || state === undefined || !RETRYABLE.has(state)) throw err;
    }
  }
}

async function runOnce(ctx: AppendContext, b: Batch, longWay: boolean, note: (first: number, last: number) => void): Promise<AppendResult> {
  const c = await ctx.pool.connect();
  // A connection whose transaction ended in an unknown state is destroyed, not pooled.
  let healthy = false;
  try {
    await c.query('BEGIN');
    let open = true;
    try {
      const duplicate = await claimBatch(c, b.device, b.batchId, b.now);
      if (duplicate !== null) {
        await c.query('COMMIT');
        open = false;
        healthy = true;
        return duplicate;
      }
      await checkGrantUnits(c, b.options);
      const fresh = await claimStamps(c, b.options, b.now);
      await writeProjectionPg(c, b.options.projection, (doc) => batchHomeRows(doc, b.items, fresh.get(doc) ?? []), b.now);
      const docs = [...new Set([...b.items.map((it) => it.doc), ...fresh.keys()])];
      let result: AppendResult;
      if (longWay) {
        result = await lockedAppend(ctx.channel, c, b, fresh, docs, note);
        await c.query('COMMIT');
      } else {
        const view = await readGrants(c, docs);
        const laid = layOut(b.device, b.items, b.options, fresh, view.units);
        // COMMIT rides right behind the statement: if the statement fails, PostgreSQL answers that
        // COMMIT with a rollback, and nothing of this attempt stays.
        open = false;
        result = await oneStatement(ctx.channel, c, b, laid.rows, laid.serverRows, view.epoch, note);
      }
      open = false;
      healthy = true;
      return result;
    } catch (err) {
      if (open) await c.query('ROLLBACK');
      // Rolled back here, or by the pipelined COMMIT after an error PostgreSQL reported; a lost
      // connection reports none.
      healthy = open || sqlState(err) !== undefined;
      throw err;
    }
  } finally {
    c.release(!healthy);
  }
}

/** Seqs as stored in pushed_batches: JSON of an array. */
const seqsJson = (base: number, n: number): string => JSON.stringify(Array.from({ length: n }, (_, i) => base + 1 + i));

function result(b: Batch, base: number, rows: readonly NewRow[], serverRows: ServerRow[]): AppendResult {
  return {
    seqs: Array.from({ length: b.items.length }, (_, i) => base + 1 + i),
    duplicate: false,
    headSeq: base + rows.length,
    serverRows,
    units: [...new Set(rows.map((r) => r.unit))],
  };
}

/** The head taken and everything written in one statement, COMMIT pipelined behind it. */
async function oneStatement(
  channel: string,
  c: PoolClient,
  b: Batch,
  rows: readonly NewRow[],
  serverRows: ServerRow[],
  grantEpoch: number,
  note: (first: number, last: number) => void,
): Promise<AppendResult> {
  const units = [...new Set(rows.map((r) => r.unit))];
  const statement = c.query<{ base: number }>(
    `WITH h AS (UPDATE log_head SET seq = seq + $1 WHERE id = 1 AND grant_epoch = $2 RETURNING seq - $1 AS base),
          b AS (SELECT COALESCE((SELECT base FROM h), motcua_grants_moved()) AS base),
          s AS (SELECT '[' || COALESCE((SELECT string_agg((b.base + i)::text, ',' ORDER BY i) FROM generate_series(1, $6::int) AS i), '') || ']' AS seqs FROM b),
          r AS (INSERT INTO updates (seq, doc, unit, device, batch_id, data, received_at)
                SELECT b.base + t.n, t.d, t.u, t.v, $4, t.x, $5 FROM b, unnest($8::text[], $9::text[], $10::text[], $11::bytea[]) WITH ORDINALITY AS t(d, u, v, x, n)),
          p AS (UPDATE pushed_batches SET seqs = s.seqs FROM s WHERE device = $3 AND batch_id = $4),
          l AS (INSERT INTO last_batch (device, batch_id, seqs) SELECT $3, $4, s.seqs FROM s
                ON CONFLICT (device) DO UPDATE SET batch_id = excluded.batch_id, seqs = excluded.seqs),
          n AS (SELECT pg_notify($7, u || ':' || (b.base + $1)::text) FROM b, unnest($12::text[]) AS u)
     SELECT b.base, (SELECT count(*) FROM n) AS notified FROM b`,
    [
      rows.length,
      grantEpoch,
      b.device,
      b.batchId,
      b.now,
      b.items.length,
      channel,
      rows.map((r) => r.doc),
      rows.map((r) => r.unit),
      rows.map((r) => r.device),
      rows.map((r) => toBuffer(r.data)),
      units,
    ],
  );
  const commit = c.query('COMMIT');
  let base: number;
  try {
    base = (await statement).rows[0]?.base ?? 0;
  } catch (err) {
    // The COMMIT behind it ends the failed transaction (as a rollback): wait for it, then report.
    await commit.catch(() => undefined);
    throw err;
  }
  if (rows.length > 0) note(base + 1, base + rows.length);
  await commit;
  return result(b, base, rows, serverRows);
}

/** A batch with grants, or one whose grants moved: the head first, then the grants read under it. */
async function lockedAppend(
  channel: string,
  c: PoolClient,
  b: Batch,
  fresh: ReadonlyMap<string, readonly Uint8Array[]>,
  docs: readonly string[],
  note: (first: number, last: number) => void,
): Promise<AppendResult> {
  const locked = await c.query<{ seq: number }>('SELECT seq FROM log_head WHERE id = 1 FOR UPDATE');
  const base = locked.rows[0]?.seq ?? 0;
  const view = await readGrants(c, docs);
  const { rows, serverRows } = layOut(b.device, b.items, b.options, fresh, view.units);
  let granted = 0;
  for (const g of b.options.grants ?? []) {
    const home = homeUnit(g.doc);
    if (g.unit === home) continue;
    const inserted = await c.query(
      'INSERT INTO grants (doc, unit, device, granted_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING 1',
      [g.doc, g.unit, b.device, b.now],
    );
    if (inserted.rowCount === 0) continue;
    granted++;
    // The granted unit's devices may hold a cursor past every row of this doc: give them its whole
    // state, stored and in this batch, as new rows above any cursor.
    const stored = await c.query<{ data: Buffer }>('SELECT data FROM updates WHERE doc = $1 AND unit = $2 ORDER BY seq', [g.doc, home]);
    const pending = rows.filter((r) => r.doc === g.doc && r.unit === home).map((r) => r.data);
    for (const data of mergeBounded([...stored.rows.map((r) => r.data), ...pending])) rows.push({ doc: g.doc, unit: g.unit, device: SERVER_DEVICE, data });
  }
  const headSeq = base + rows.length;
  const json = seqsJson(base, b.items.length);
  const units = [...new Set(rows.map((r) => r.unit))];
  await c.query(
    `WITH r AS (INSERT INTO updates (seq, doc, unit, device, batch_id, data, received_at)
                SELECT $13 + t.n, t.d, t.u, t.v, $3, t.x, $7 FROM unnest($8::text[], $9::text[], $10::text[], $11::bytea[]) WITH ORDINALITY AS t(d, u, v, x, n)),
          h AS (UPDATE log_head SET seq = $1, grant_epoch = grant_epoch + $12 WHERE id = 1),
          p AS (UPDATE pushed_batches SET seqs = $4 WHERE device = $2 AND batch_id = $3),
          l AS (INSERT INTO last_batch (device, batch_id, seqs) VALUES ($2, $3, $4)
                ON CONFLICT (device) DO UPDATE SET batch_id = excluded.batch_id, seqs = excluded.seqs)
     SELECT pg_notify($5, u || ':' || $1::text) FROM unnest($6::text[]) AS u`,
    [
      headSeq,
      b.device,
      b.batchId,
      json,
      channel,
      units,
      b.now,
      rows.map((r) => r.doc),
      rows.map((r) => r.unit),
      rows.map((r) => r.device),
      rows.map((r) => toBuffer(r.data)),
      granted,
      base,
    ],
  );
  if (rows.length > 0) note(base + 1, headSeq);
  return result(b, base, rows, serverRows);
}
