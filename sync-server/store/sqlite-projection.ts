/**
 * The dossier projection (S18) in the SQLite store: written inside appendBatch's transaction, read by
 * exports. better-sqlite3 is synchronous, so every function runs inside the caller's transaction.
 */
import type Database from 'better-sqlite3';
import type { DossierEventRecord, DossierQuery, DossierRecord, ProjectionInput } from './projection-types.ts';
import { DOSSIER_COLUMNS, dossierValues, settleProjection, toDossierRecord, toEventRecord, type DossierSqlRow, type EventSqlRow } from './projection-rows.ts';

/**
 * Writes the batch's records (after its rows, so a recompute reads them too): a record still at the
 * version the caller read takes the caller's projection, any other is projected again (S18). The
 * store's transaction is the only writer meanwhile.
 */
export function writeProjectionSqlite(db: Database.Database, input: ProjectionInput | undefined, now: number): void {
  if (input === undefined) return;
  const rowsOf = db.prepare<[string, string], { data: Buffer }>('SELECT data FROM updates WHERE doc = ? AND unit = ? ORDER BY seq');
  const versionOf = db.prepare<[string], { version: number }>('SELECT version FROM dossiers WHERE doc = ?');
  const put = db.prepare(
    `INSERT INTO dossiers (${DOSSIER_COLUMNS.join(', ')}) VALUES (${DOSSIER_COLUMNS.map(() => '?').join(', ')})
     ON CONFLICT(doc) DO UPDATE SET ${DOSSIER_COLUMNS.filter((c) => c !== 'doc').map((c) => `${c} = excluded.${c}`).join(', ')}`,
  );
  const clear = db.prepare('DELETE FROM dossier_events WHERE doc = ?');
  const event = db.prepare(
    'INSERT INTO dossier_events (doc, ord, event_id, type, at, server_at, officer, device) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  for (const doc of [...input.docs.keys()].sort()) {
    const home = doc.slice(0, doc.indexOf('/'));
    const version = versionOf.get(doc)?.version ?? 0;
    const p = settleProjection(input, doc, version, () =>
      rowsOf.all(doc, home).map((r) => new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength)),
    );
    if (p === null) continue;
    put.run(...dossierValues(p.dossier, version + 1, now));
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
