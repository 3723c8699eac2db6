/**
 * The dossier projection (S18) in the SQLite store: written inside appendBatch's transaction, read by
 * exports. better-sqlite3 is synchronous, so every function runs inside the caller's transaction.
 */
import type Database from 'better-sqlite3';
import type { DossierEventRecord, DossierQuery, DossierRecord, ProjectionInput } from './projection-types.ts';
import { DOSSIER_COLUMNS, dossierValues, settleProjection, toDossierRecord, toEventRecord, type DossierSqlRow, type EventSqlRow } from './projection-rows.ts';

/** Per doc of the projection, its last home seq before the batch (call before writing the batch's rows). */
export function storedMaxSqlite(db: Database.Database, input: ProjectionInput | undefined): Map<string, number> {
  const out = new Map<string, number>();
  if (input === undefined) return out;
  const max = db.prepare<[string, string], { m: number | null }>('SELECT MAX(seq) AS m FROM updates WHERE doc = ? AND unit = ?');
  for (const doc of input.docs.keys()) out.set(doc, max.get(doc, doc.slice(0, doc.indexOf('/')))?.m ?? 0);
  return out;
}

/** Writes the batch's records (after its rows), each with the log's head `seq`. */
export function writeProjectionSqlite(db: Database.Database, input: ProjectionInput | undefined, storedMax: Map<string, number>, seq: number): void {
  if (input === undefined) return;
  const rowsOf = db.prepare<[string, string], { data: Buffer }>('SELECT data FROM updates WHERE doc = ? AND unit = ? ORDER BY seq');
  const put = db.prepare(
    `INSERT INTO dossiers (${DOSSIER_COLUMNS.join(', ')}) VALUES (${DOSSIER_COLUMNS.map(() => '?').join(', ')})
     ON CONFLICT(doc) DO UPDATE SET ${DOSSIER_COLUMNS.filter((c) => c !== 'doc').map((c) => `${c} = excluded.${c}`).join(', ')}`,
  );
  const clear = db.prepare('DELETE FROM dossier_events WHERE doc = ?');
  const event = db.prepare(
    'INSERT INTO dossier_events (doc, ord, event_id, type, at, server_at, officer, device) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  for (const doc of input.docs.keys()) {
    const home = doc.slice(0, doc.indexOf('/'));
    const p = settleProjection(input, doc, storedMax.get(doc) ?? 0, () =>
      rowsOf.all(doc, home).map((r) => new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength)),
    );
    if (p === null) continue;
    put.run(...dossierValues(p.dossier, seq));
    clear.run(doc);
    p.events.forEach((e, i) => event.run(doc, i, e.eventId, e.type, e.at, e.serverAt, e.officer, e.device));
  }
}

export function exportDossiersSqlite(db: Database.Database, q: DossierQuery): DossierRecord[] {
  const where = ['received_at >= ?', 'received_at < ?'];
  const params: (string | number)[] = [q.from, q.to];
  if (q.unit !== undefined) {
    where.push('unit = ?');
    params.push(q.unit);
  }
  if (q.after !== undefined) {
    where.push('(received_at > ? OR (received_at = ? AND doc > ?))');
    params.push(q.after.receivedAt, q.after.receivedAt, q.after.doc);
  }
  return db
    .prepare<unknown[], DossierSqlRow>(`SELECT * FROM dossiers WHERE ${where.join(' AND ')} ORDER BY received_at, doc LIMIT ?`)
    .all(...params, q.limit)
    .map(toDossierRecord);
}

export function dossierEventsSqlite(db: Database.Database, doc: string): DossierEventRecord[] {
  return db.prepare<[string], EventSqlRow>('SELECT * FROM dossier_events WHERE doc = ? ORDER BY ord').all(doc).map(toEventRecord);
}
