/**
 * The catch-up scan of the PostgreSQL store. Runs in a REPEATABLE READ transaction (the caller's) so
 * the page and the scan bound come from one snapshot: a row committed between the two queries must
 * not move the cursor past itself unsent.
 */
import type { PoolClient } from 'pg';
import type { ReadSinceQuery, ReadSinceResult, UpdateRow } from './types.ts';

interface Row {
  seq: number;
  doc: string;
  unit: string;
  device: string;
  batch_id: string;
  data: Buffer;
  received_at: number;
}

/**
 * The unit filter of a scope, with its parameters numbered from `first`. 'all' keeps home rows only
 * (unit = the doc name's first segment): the copies written for granted units are the same updates.
 */
function scopeFilter(units: readonly string[] | 'all', first: number): { where: string; params: unknown[] } {
  if (units === 'all') return { where: "AND unit = split_part(doc, '/', 1)", params: [] };
  if (units.length === 0) return { where: 'AND false', params: [] };
  // One unit is an equality, so the planner walks the (unit, seq) index in order.
  if (units.length === 1) return { where: `AND unit = $${first}`, params: [units[0]] };
  return { where: `AND unit = ANY($${first}::text[])`, params: [units] };
}

const toRow = (r: Row): UpdateRow => ({
  seq: r.seq,
  doc: r.doc,
  unit: r.unit,
  device: r.device,
  batchId: r.batch_id,
  data: new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength),
  receivedAt: r.received_at,
});

export async function scanPagePg(client: PoolClient, q: ReadSinceQuery): Promise<ReadSinceResult> {
  const scope = scopeFilter(q.units, 4);
  // One row past the limit tells whether more follow. Device ids are never empty, so '' excludes nothing.
  const { rows } = await client.query<Row>(
    `SELECT seq, doc, unit, device, batch_id, data, received_at FROM updates
     WHERE seq > $1 AND device <> $2 ${scope.where} ORDER BY seq LIMIT $3`,
    [q.since, q.excludeDevice ?? '', q.limit + 1, ...scope.params],
  );
  const more = rows.length > q.limit;
  const page = rows.slice(0, q.limit).map(toRow);
  const last = page[page.length - 1];
  if (more && last !== undefined) return { rows: page, lastScanned: last.seq, more };
  // The device's own rows after the page were scanned too: move the cursor past them.
  const bound = scopeFilter(q.units, 2);
  const max = await client.query<{ m: number | null }>(`SELECT MAX(seq) AS m FROM updates WHERE seq > $1 ${bound.where}`, [
    q.since,
    ...bound.params,
  ]);
  return { rows: page, lastScanned: Math.max(q.since, max.rows[0]?.m ?? q.since), more: false };
}
