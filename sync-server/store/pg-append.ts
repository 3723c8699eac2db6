/**
 * appendBatch on PostgreSQL, where several server nodes write one log at once. The order of the
 * transaction is what keeps the rules across nodes:
 * 1. claim (device, batchId) in pushed_batches: a second node pushing the same batch waits for the
 *    first and then answers the stored seqs (S3);
 * 2. claim the batch's event ids in event_stamps, in a sorted order so two batches never wait on each
 *    other in a cycle; only the ids this transaction inserted get a stamp, whichever node won (S13);
 *    then write the dossiers' records, settled by their versions (S18, pg-projection.ts);
 * 3. lock the log's head row: from here to COMMIT no other appender runs, so the seqs handed out
 *    become visible in order (S15) and the grants read and written here cannot race a copy (S12);
 * 4. write every row in one statement, move the head, record the batch, NOTIFY (unit, seq) pairs for
 *    the other nodes (delivered by PostgreSQL only if the transaction commits), COMMIT.
 * The heavy work (decoding, building stamp updates) happens before the head is locked where it can.
 */
import type pg from 'pg';
import type { PoolClient } from 'pg';
import { inTransaction, sqlState } from './pg-pool.ts';
import { writeProjectionPg } from './pg-projection.ts';
import { batchHomeRows } from './projection-rows.ts';
import { parseSeqs } from './numbers.ts';
import { homeUnit, mergeBounded, SERVER_DEVICE, stampUpdates } from './server-rows.ts';
import { StoreError, type AppendOptions, type AppendResult, type BatchItem, type ServerRow } from './types.ts';

/** SQLSTATEs after which the whole transaction is simply run again. */
const RETRYABLE = new Set(['40001', '40P01']);
const MAX_ATTEMPTS = 5;

interface NewRow {
  readonly doc: string;
  readonly unit: string;
  readonly device: string;
  readonly data: Uint8Array;
}

const toBuffer = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

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

export async function appendBatchPg(
  ctx: AppendContext,
  device: string,
  batchId: string,
  items: readonly BatchItem[],
  options: AppendOptions,
): Promise<AppendResult> {
  for (let attempt = 1; ; attempt++) {
    let range: [number, number] | null = null;
    const ranges = { written: (first: number, last: number) => (range = [first, last]) };
    try {
      return await inTransaction(ctx.pool, async (c) => {
        const result = await appendOnce(ctx.channel, ranges, c, device, batchId, items, options);
        if (range !== null) ctx.ranges.written(range[0], range[1]);
        return result;
      });
    } catch (err) {
      if (range !== null) ctx.ranges.failed(range[0], range[1]);
      const state = sqlState(err);
      if (attempt >= MAX_ATTEMPTS || state === undefined || !RETRYABLE.has(state)) throw err;
    }
  }
}

async function appendOnce(
  channel: string,
  ranges: Pick<RangeListener, 'written'>,
  c: PoolClient,
  device: string,
  batchId: string,
  items: readonly BatchItem[],
  options: AppendOptions,
): Promise<AppendResult> {
  const now = options.now ?? Date.now();
  const claimed = await c.query(
    `INSERT INTO pushed_batches (device, batch_id, seqs, acked_at) VALUES ($1, $2, '[]', $3)
     ON CONFLICT DO NOTHING RETURNING 1`,
    [device, batchId, now],
  );
  if (claimed.rowCount === 0) {
    const seen = await c.query<{ seqs: string }>('SELECT seqs FROM pushed_batches WHERE device = $1 AND batch_id = $2', [device, batchId]);
    const head = await c.query<{ seq: number }>('SELECT seq FROM log_head WHERE id = 1');
    return { seqs: parseSeqs(seen.rows[0]?.seqs ?? '[]'), duplicate: true, headSeq: head.rows[0]?.seq ?? 0, serverRows: [], units: [] };
  }

  const grants = options.grants ?? [];
  if (grants.length > 0) {
    const wanted = [...new Set(grants.map((g) => g.unit))];
    const known = await c.query<{ code: string }>('SELECT code FROM units WHERE code = ANY($1::text[])', [wanted]);
    const have = new Set(known.rows.map((r) => r.code));
    const missing = wanted.find((u) => !have.has(u));
    if (missing !== undefined) throw new StoreError('unknown_unit', `unit ${missing} does not exist`);
  }

  const fresh = await claimStamps(c, options, now);
  // The dossiers' records settle on their own versions, before the head is locked (S18).
  await writeProjectionPg(c, options.projection, (doc) => batchHomeRows(doc, items, fresh.get(doc) ?? []), now);

  // From here to COMMIT this transaction is the log's only appender.
  const locked = await c.query<{ seq: number }>('SELECT seq FROM log_head WHERE id = 1 FOR UPDATE');
  const head = locked.rows[0]?.seq ?? 0;

  const docs = [...new Set([...items.map((it) => it.doc), ...fresh.keys()])];
  const grantedTo = await grantsOf(c, docs);
  const rows: NewRow[] = [];
  const copies = (doc: string, by: string, data: Uint8Array): void => {
    for (const unit of grantedTo.get(doc) ?? []) rows.push({ doc, unit, device: by, data });
  };
  for (const it of items) rows.push({ doc: it.doc, unit: it.unit, device, data: it.data });
  for (const it of items) copies(it.doc, device, it.data);

  const serverRows: ServerRow[] = [];
  for (const st of options.stamps ?? []) {
    const updates = fresh.get(st.doc) ?? [];
    fresh.delete(st.doc);
    for (const data of updates) {
      rows.push({ doc: st.doc, unit: st.unit, device: SERVER_DEVICE, data });
      copies(st.doc, SERVER_DEVICE, data);
      serverRows.push({ doc: st.doc, unit: st.unit, data });
    }
  }

  for (const g of grants) {
    const home = homeUnit(g.doc);
    if (g.unit === home) continue;
    const inserted = await c.query(
      'INSERT INTO grants (doc, unit, device, granted_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING 1',
      [g.doc, g.unit, device, now],
    );
    if (inserted.rowCount === 0) continue;
    // The granted unit's devices may hold a cursor past every row of this doc: give them its whole
    // state, stored and in this batch, as new rows above any cursor.
    const stored = await c.query<{ data: Buffer }>('SELECT data FROM updates WHERE doc = $1 AND unit = $2 ORDER BY seq', [g.doc, home]);
    const pending = rows.filter((r) => r.doc === g.doc && r.unit === home).map((r) => r.data);
    for (const data of mergeBounded([...stored.rows.map((r) => r.data), ...pending])) {
      rows.push({ doc: g.doc, unit: g.unit, device: SERVER_DEVICE, data });
    }
  }

  const seqOf = (i: number): number => head + 1 + i;
  const headSeq = head + rows.length;
  const seqs = items.map((_, i) => seqOf(i));
  const json = JSON.stringify(seqs);
  const units = [...new Set(rows.map((r) => r.unit))];
  // One statement for the rest, the lock being held: the rows, the head, the batch's record and
  // (unit, seq) NOTIFYs, a payload capped at 8,000 bytes, the rows being read from the table.
  await c.query(
    `WITH r AS (INSERT INTO updates (seq, doc, unit, device, batch_id, data, received_at)
                SELECT s, d, u, v, $3, b, $7 FROM unnest($8::bigint[], $9::text[], $10::text[], $11::text[], $12::bytea[]) AS t(s, d, u, v, b)),
          h AS (UPDATE log_head SET seq = $1 WHERE id = 1),
          p AS (UPDATE pushed_batches SET seqs = $4 WHERE device = $2 AND batch_id = $3),
          l AS (INSERT INTO last_batch (device, batch_id, seqs) VALUES ($2, $3, $4)
                ON CONFLICT (device) DO UPDATE SET batch_id = excluded.batch_id, seqs = excluded.seqs)
     SELECT pg_notify($5, u || ':' || $1::text) FROM unnest($6::text[]) AS u`,
    [
      headSeq,
      device,
      batchId,
      json,
      channel,
      units,
      now,
      rows.map((_, i) => seqOf(i)),
      rows.map((r) => r.doc),
      rows.map((r) => r.unit),
      rows.map((r) => r.device),
      rows.map((r) => toBuffer(r.data)),
    ],
  );
  if (rows.length > 0) ranges.written(head + 1, headSeq);
  return { seqs, duplicate: false, headSeq, serverRows, units };
}

/**
 * Inserts the batch's event ids into event_stamps; per doc, the stamp updates of the ids this
 * transaction inserted (an id another batch stamped first gets none here).
 */
async function claimStamps(c: PoolClient, options: AppendOptions, now: number): Promise<Map<string, Uint8Array[]>> {
  const pairs: [string, string][] = [];
  for (const st of options.stamps ?? []) for (const id of new Set(st.eventIds)) pairs.push([st.doc, id]);
  const out = new Map<string, Uint8Array[]>();
  if (pairs.length === 0) return out;
  pairs.sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0) : a[0] < b[0] ? -1 : 1));
  const { rows } = await c.query<{ doc: string; event_id: string }>(
    `INSERT INTO event_stamps (doc, event_id, at)
     SELECT d, e, $3 FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS t(d, e, n) ORDER BY n
     ON CONFLICT DO NOTHING RETURNING doc, event_id`,
    [pairs.map((p) => p[0]), pairs.map((p) => p[1]), now],
  );
  const inserted = new Set(rows.map((r) => `${r.doc}\u0000${r.event_id}`));
  for (const st of options.stamps ?? []) {
    // The batch's order of ids, as the other adapters stamp them.
    const ids = [...new Set(st.eventIds)].filter((id) => inserted.has(`${st.doc}\u0000${id}`));
    if (ids.length > 0) out.set(st.doc, stampUpdates(ids, now));
  }
  return out;
}

/** The units each doc was granted to, oldest grant first. */
async function grantsOf(c: PoolClient, docs: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (docs.length === 0) return out;
  const { rows } = await c.query<{ doc: string; unit: string }>(
    'SELECT doc, unit FROM grants WHERE doc = ANY($1::text[]) ORDER BY granted_at, unit',
    [docs],
  );
  for (const r of rows) {
    const list = out.get(r.doc);
    if (list === undefined) out.set(r.doc, [r.unit]);
    else list.push(r.unit);
  }
  return out;
}
