/**
 * The dossier projection (S18) in the PostgreSQL store. Written in appendBatch's transaction while it
 * holds the log's head (S15): the check of each doc's last stored seq sees every batch committed
 * before, and a batch committed after sees this one's rows, so the last writer of a doc always
 * stores a record that reflects every row of it.
 */
import type { PoolClient } from 'pg';
import type { DossierEventRecord, DossierProjection, DossierQuery, DossierRecord, ProjectionInput } from './projection-types.ts';
import { DOSSIER_COLUMNS, dossierValues, settleProjection, toDossierRecord, toEventRecord, type DossierSqlRow, type EventSqlRow } from './projection-rows.ts';

/** Per doc of the projection, its last home seq before the batch (call before writing the batch's rows). */
export async function storedMaxPg(c: PoolClient, input: ProjectionInput | undefined): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (input === undefined || input.docs.size === 0) return out;
  const { rows } = await c.query<{ doc: string; m: number }>(
    `SELECT doc, MAX(seq) AS m FROM updates WHERE doc = ANY($1::text[]) AND unit = split_part(doc, '/', 1) GROUP BY doc`,
    [[...input.docs.keys()]],
  );
  for (const r of rows) out.set(r.doc, r.m);
  return out;
}

/** Writes the batch's records (after its rows), each with the log's head `seq`. */
export async function writeProjectionPg(c: PoolClient, input: ProjectionInput | undefined, storedMax: Map<string, number>, seq: number): Promise<void> {
  if (input === undefined) return;
  const settled: DossierProjection[] = [];
  for (const doc of input.docs.keys()) {
    const entry = input.docs.get(doc);
    const stale = entry?.baseSeq === null || (storedMax.get(doc) ?? 0) > (entry?.baseSeq ?? 0);
    // Rows are loaded only for a stale doc (rare: two batches of one doc at once, or a live edit).
    const rows = stale
      ? (await c.query<{ data: Buffer }>('SELECT data FROM updates WHERE doc = $1 AND unit = split_part(doc, \'/\', 1) ORDER BY seq', [doc])).rows.map(
          (r) => new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength),
        )
      : [];
    const p = settleProjection(input, doc, storedMax.get(doc) ?? 0, () => rows);
    if (p !== null) settled.push(p);
  }
  if (settled.length === 0) return;
  const values = settled.map((p) => dossierValues(p.dossier, seq));
  const cols = DOSSIER_COLUMNS.map((col, i) => values.map((v) => v[i] ?? null));
  const types = ['text', 'text', 'text', 'text', 'text', 'text', 'bigint', 'bigint', 'bigint', 'bigint', 'text', 'text', 'int', 'int', 'bigint'];
  await c.query(
    `INSERT INTO dossiers (${DOSSIER_COLUMNS.join(', ')})
     SELECT * FROM unnest(${types.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})
     ON CONFLICT (doc) DO UPDATE SET ${DOSSIER_COLUMNS.filter((col) => col !== 'doc').map((col) => `${col} = excluded.${col}`).join(', ')}`,
    cols,
  );
  const docs = settled.map((p) => p.dossier.doc);
  await c.query('DELETE FROM dossier_events WHERE doc = ANY($1::text[])', [docs]);
  const events = settled.flatMap((p) => p.events.map((e, i) => ({ e, i })));
  if (events.length === 0) return;
  await c.query(
    `INSERT INTO dossier_events (doc, ord, event_id, type, at, server_at, officer, device)
     SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::text[], $8::text[])`,
    [
      events.map(({ e }) => e.doc),
      events.map(({ i }) => i),
      events.map(({ e }) => e.eventId),
      events.map(({ e }) => e.type),
      events.map(({ e }) => e.at),
      events.map(({ e }) => e.serverAt),
      events.map(({ e }) => e.officer),
      events.map(({ e }) => e.device),
    ],
  );
}

export async function exportDossiersPg(c: { query: PoolClient['query'] }, q: DossierQuery): Promise<DossierRecord[]> {
  const where = ['received_at >= $1', 'received_at < $2'];
  const params: unknown[] = [q.from, q.to];
  if (q.unit !== undefined) {
    params.push(q.unit);
    where.push(`unit = $${params.length}`);
  }
  if (q.after !== undefined) {
    params.push(q.after.receivedAt, q.after.doc);
    where.push(`(received_at, doc) > ($${params.length - 1}, $${params.length})`);
  }
  params.push(q.limit);
  const { rows } = await c.query<DossierSqlRow>(
    `SELECT * FROM dossiers WHERE ${where.join(' AND ')} ORDER BY received_at, doc LIMIT $${params.length}`,
    params,
  );
  return rows.map(toDossierRecord);
}

export async function dossierEventsPg(c: { query: PoolClient['query'] }, doc: string): Promise<DossierEventRecord[]> {
  const { rows } = await c.query<EventSqlRow>('SELECT * FROM dossier_events WHERE doc = $1 ORDER BY ord', [doc]);
  return rows.map(toEventRecord);
}
