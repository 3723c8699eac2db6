/**
 * The catch-up scan of the SQLite store, apart from the adapter's bookkeeping. Runs inside a read
 * transaction (the caller's) so the page and the scan bound come from the same snapshot.
 */
import type Database from 'better-sqlite3';
import type { ReadSinceQuery, ReadSinceResult, UpdateRow } from './types.ts';

export interface SqlScope {
  readonly where: string;
  readonly params: readonly string[];
}

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
 * A unit filter for a scope. One unit becomes an equality so SQLite walks the (unit, seq) index in order.
 * 'all' walks the primary key and keeps only home rows (unit = the doc name's first segment): the
 * copies written for granted units would be the same updates again.
 */
export function sqlScope(units: readonly string[] | 'all'): SqlScope {
  if (units === 'all') return { where: "AND unit = substr(doc, 1, instr(doc, '/') - 1)", params: [] };
  if (units.length === 0) return { where: 'AND 0', params: [] };
  if (units.length === 1) return { where: 'AND unit = ?', params: units };
  return { where: `AND unit IN (${units.map(() => '?').join(', ')})`, params: units };
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

export function scanPage(db: Database.Database, scope: SqlScope, q: ReadSinceQuery): ReadSinceResult {
  // One row past the limit tells whether more follow without a second query. Device ids are never
  // empty, so '' excludes nothing when the caller excludes no device.
  const rows = db
    .prepare<unknown[], Row>(
      `SELECT seq, doc, unit, device, batch_id, data, received_at FROM updates
       WHERE seq > ? ${scope.where} AND device != ? ORDER BY seq LIMIT ?`,
    )
    .all(q.since, ...scope.params, q.excludeDevice ?? '', q.limit + 1);
  const more = rows.length > q.limit;
  const page = rows.slice(0, q.limit).map(toRow);
  const last = page[page.length - 1];
  if (more && last !== undefined) return { rows: page, lastScanned: last.seq, more };
  // Nothing more to return, but the device's own rows after the page were scanned too: move the cursor
  // past them so the next pull does not walk them again.
  const max = db
    .prepare<unknown[], { m: number | null }>(`SELECT MAX(seq) AS m FROM updates WHERE seq > ? ${scope.where}`)
    .get(q.since, ...scope.params)?.m;
  return { rows: page, lastScanned: Math.max(q.since, max ?? q.since), more: false };
}
