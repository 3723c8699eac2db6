/**
 * The parts of a PostgreSQL append that need no lock on the log's head: claiming the batch id and
 * its event ids (S3, S13), checking grant units, and laying out the rows the batch will write, in the
 * order every adapter writes them (items, their copies for granted units, stamp rows and their copies).
 */
import type { PoolClient } from 'pg';
import { parseSeqs } from './numbers.ts';
import { homeUnit, mergeBounded, SERVER_DEVICE, stampUpdates } from './server-rows.ts';
import { StoreError, type AppendOptions, type AppendResult, type BatchItem, type ServerRow } from './types.ts';

export interface NewRow {
  readonly doc: string;
  readonly unit: string;
  readonly device: string;
  readonly data: Uint8Array;
}

export const toBuffer = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

/**
 * Claims (device, batchId): null when this transaction owns it now, else the stored answer (a second
 * node pushing the same batch waits here for the first, then answers its seqs).
 */
export async function claimBatch(c: PoolClient, device: string, batchId: string, now: number): Promise<AppendResult | null> {
  const claimed = await c.query(
    `INSERT INTO pushed_batches (device, batch_id, seqs, acked_at) VALUES ($1, $2, '[]', $3)
     ON CONFLICT DO NOTHING RETURNING 1`,
    [device, batchId, now],
  );
  if (claimed.rowCount !== 0) return null;
  const { rows } = await c.query<{ seqs: string; head: number }>(
    'SELECT seqs, (SELECT seq FROM log_head WHERE id = 1) AS head FROM pushed_batches WHERE device = $1 AND batch_id = $2',
    [device, batchId],
  );
  return { seqs: parseSeqs(rows[0]?.seqs ?? '[]'), duplicate: true, headSeq: rows[0]?.head ?? 0, serverRows: [], units: [] };
}

/** StoreError 'unknown_unit' when a grant names a unit the store does not know. */
export async function checkGrantUnits(c: PoolClient, options: AppendOptions): Promise<void> {
  const wanted = [...new Set((options.grants ?? []).map((g) => g.unit))];
  if (wanted.length === 0) return;
  const known = await c.query<{ code: string }>('SELECT code FROM units WHERE code = ANY($1::text[])', [wanted]);
  const have = new Set(known.rows.map((r) => r.code));
  const missing = wanted.find((u) => !have.has(u));
  if (missing !== undefined) throw new StoreError('unknown_unit', `unit ${missing} does not exist`);
}

/**
 * Inserts the batch's event ids into event_stamps, in a sorted order so two batches never wait on
 * each other in a cycle; per doc, the stamp updates of the ids this transaction inserted (an id
 * another batch stamped first gets none here, whichever node that was).
 */
export async function claimStamps(c: PoolClient, options: AppendOptions, now: number): Promise<Map<string, Uint8Array[]>> {
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

/** What the append read before the lock, which its statement checks again behind the lock. */
export interface GrantView {
  /** Per doc, the units it was granted to before this batch, oldest first: its rows are copied there. */
  readonly units: ReadonlyMap<string, readonly string[]>;
  /** Grant rows of the batch's docs the statement must find: those read, and this batch's new ones. */
  readonly count: number;
  /** This batch's new grants ("doc unit"), and the stored home rows of their docs. */
  readonly fresh: ReadonlySet<string>;
  readonly granted: ReadonlyMap<string, readonly Uint8Array[]>;
  /** Every home row of a granted doc with a seq at or below this was read. */
  readonly bound: number;
}

/**
 * Reads the docs' grants, then writes the batch's new grants (invisible to other transactions until
 * COMMIT) and reads the stored state of their docs. The head is read first: with S15, every row at or
 * below it is in what follows, so `bound` covers every row read.
 */
export async function grantAndRead(c: PoolClient, device: string, docs: readonly string[], options: AppendOptions, now: number): Promise<GrantView> {
  const head = (await c.query<{ seq: number }>('SELECT seq FROM log_head WHERE id = 1')).rows[0]?.seq ?? 0;
  const existing = await c.query<{ doc: string; unit: string }>(
    'SELECT doc, unit FROM grants WHERE doc = ANY($1::text[]) ORDER BY granted_at, unit',
    [[...docs]],
  );
  const units = new Map<string, string[]>();
  for (const r of existing.rows) {
    const list = units.get(r.doc);
    if (list === undefined) units.set(r.doc, [r.unit]);
    else list.push(r.unit);
  }
  const wanted = (options.grants ?? []).filter((g) => g.unit !== homeUnit(g.doc));
  const fresh = new Set<string>();
  if (wanted.length > 0) {
    const { rows } = await c.query<{ doc: string; unit: string }>(
      `INSERT INTO grants (doc, unit, device, granted_at) SELECT d, u, $3, $4 FROM unnest($1::text[], $2::text[]) AS t(d, u)
       ON CONFLICT DO NOTHING RETURNING doc, unit`,
      [wanted.map((g) => g.doc), wanted.map((g) => g.unit), device, now],
    );
    for (const r of rows) fresh.add(`${r.doc} ${r.unit}`);
  }
  const newDocs = [...new Set([...fresh].map((k) => k.slice(0, k.indexOf(' '))))];
  const granted = new Map<string, Uint8Array[]>(newDocs.map((d) => [d, []]));
  let bound = head;
  if (newDocs.length > 0) {
    const stored = await c.query<{ doc: string; seq: number; data: Buffer }>(
      `SELECT doc, seq, data FROM updates WHERE doc = ANY($1::text[]) AND unit = split_part(doc, '/', 1) ORDER BY doc, seq`,
      [newDocs],
    );
    for (const r of stored.rows) {
      granted.get(r.doc)?.push(r.data);
      bound = Math.max(bound, r.seq);
    }
  }
  return { units, count: existing.rows.length + fresh.size, fresh, granted, bound };
}

/** The rows a new grant writes for its unit: the doc's whole state, stored and in this batch (S12). */
export function grantRows(options: AppendOptions, view: GrantView, rows: NewRow[]): void {
  const written = new Set<string>();
  for (const g of options.grants ?? []) {
    const key = `${g.doc} ${g.unit}`;
    if (!view.fresh.has(key) || written.has(key)) continue;
    written.add(key);
    const home = homeUnit(g.doc);
    const pending = rows.filter((r) => r.doc === g.doc && r.unit === home).map((r) => r.data);
    // Above any cursor the granted unit's devices hold: they get the history they never had.
    for (const data of mergeBounded([...(view.granted.get(g.doc) ?? []), ...pending])) rows.push({ doc: g.doc, unit: g.unit, device: SERVER_DEVICE, data });
  }
}

/** The batch's rows in the order every adapter writes them, and the stamp rows a live room applies. */
export function layOut(
  device: string,
  items: readonly BatchItem[],
  options: AppendOptions,
  fresh: ReadonlyMap<string, readonly Uint8Array[]>,
  grantedTo: ReadonlyMap<string, readonly string[]>,
): { rows: NewRow[]; serverRows: ServerRow[] } {
  const rows: NewRow[] = [];
  const copies = (doc: string, by: string, data: Uint8Array): void => {
    for (const unit of grantedTo.get(doc) ?? []) rows.push({ doc, unit, device: by, data });
  };
  for (const it of items) rows.push({ doc: it.doc, unit: it.unit, device, data: it.data });
  for (const it of items) copies(it.doc, device, it.data);
  const serverRows: ServerRow[] = [];
  const done = new Set<string>();
  for (const st of options.stamps ?? []) {
    if (done.has(st.doc)) continue;
    done.add(st.doc);
    for (const data of fresh.get(st.doc) ?? []) {
      rows.push({ doc: st.doc, unit: st.unit, device: SERVER_DEVICE, data });
      copies(st.doc, SERVER_DEVICE, data);
      serverRows.push({ doc: st.doc, unit: st.unit, data });
    }
  }
  return { rows, serverRows };
}
