/**
 * The dossier projection (S18) in the PostgreSQL store, written in appendBatch's transaction before
 * the log's head is locked (the head's lock is the one all nodes queue on: nothing slow belongs under
 * it). Concurrent writers of one doc are settled by the record's version instead:
 * - a record whose version is still the one the caller read is written at once (one statement for
 *   the batch), and its row lock makes any later writer of the doc wait for this transaction;
 * - otherwise (another batch wrote it meanwhile, or a live update that read nothing) the record's row
 *   is locked first (created empty if missing), then the doc's stored rows are read (every writer
 *   before has committed by then) and, with the batch's own rows, projected again.
 * Records are written in doc order, so two batches never wait on each other's records in a cycle.
 */
import type { PoolClient } from 'pg';
import type { DossierEventRecord, DossierProjection, DossierQuery, DossierRecord, ProjectionInput } from './projection-types.ts';
import { DOSSIER_COLUMNS, dossierValues, toDossierRecord, toEventRecord, type DossierSqlRow, type EventSqlRow } from './projection-rows.ts';

const COLUMN_TYPES = ['text', 'text', 'text', 'text', 'text', 'text', 'bigint', 'bigint', 'bigint', 'bigint', 'text', 'text', 'int', 'int', 'int', 'bigint'];
const UPDATE_SET = DOSSIER_COLUMNS.filter((col) => col !== 'doc')
  .map((col) => `${col} = excluded.${col}`)
  .join(', ');

/** Columns of rows, as the arrays of an unnest. */
function columns(rows: readonly (string | number | null)[][]): (string | number | null)[][] {
  return DOSSIER_COLUMNS.map((_, i) => rows.map((v) => v[i] ?? null));
}

/**
 * Writes the batch's records and events. `batchRows(doc)` gives the batch's own home rows of a doc
 * (its items and stamp rows), which a recompute adds to the stored ones.
 */
export async function writeProjectionPg(
  c: PoolClient,
  input: ProjectionInput | undefined,
  batchRows: (doc: string) => readonly Uint8Array[],
  now: number,
): Promise<void> {
  if (input === undefined || input.docs.size === 0) return;
  const docs = [...input.docs.keys()].sort();
  const written: DossierProjection[] = [];
  /** Docs that had a record before this batch: only theirs have events to replace. */
  const existed = new Set<string>();
  const quick = docs.flatMap((doc) => {
    const e = input.docs.get(doc);
    return e !== undefined && e.version !== null && e.projection !== null ? [{ p: e.projection, version: e.version }] : [];
  });
  const done = new Set<string>();
  if (quick.length > 0) {
    const { rows } = await c.query<{ doc: string }>(
      `INSERT INTO dossiers (${DOSSIER_COLUMNS.join(', ')})
       SELECT * FROM unnest(${COLUMN_TYPES.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})
       ON CONFLICT (doc) DO UPDATE SET ${UPDATE_SET} WHERE dossiers.version = excluded.version - 1
       RETURNING doc`,
      columns(quick.map((q) => dossierValues(q.p.dossier, q.version + 1, now))),
    );
    for (const r of rows) done.add(r.doc);
    for (const q of quick) {
      if (!done.has(q.p.dossier.doc)) continue;
      written.push(q.p);
      if (q.version > 0) existed.add(q.p.dossier.doc);
    }
  }
  for (const doc of docs) {
    if (done.has(doc)) continue;
    const p = await recomputeLocked(c, input, doc, batchRows(doc), now);
    if (p !== null) written.push(p);
    existed.add(doc);
  }
  await writeEvents(c, written, existed);
}

/** Locks the doc's record (creating an empty one), reads its stored rows, projects and writes. */
async function recomputeLocked(c: PoolClient, input: ProjectionInput, doc: string, own: readonly Uint8Array[], now: number): Promise<DossierProjection | null> {
  const unit = doc.slice(0, doc.indexOf('/'));
  await c.query(
    `INSERT INTO dossiers (doc, unit, code, procedure_code, procedure_name, status, handler, conflicts, events, version, updated_at)
     VALUES ($1, $2, '', '', '', 'empty', '', 0, 0, 0, $3) ON CONFLICT (doc) DO NOTHING`,
    [doc, unit, now],
  );
  const locked = await c.query<{ version: number }>('SELECT version FROM dossiers WHERE doc = $1 FOR UPDATE', [doc]);
  const version = locked.rows[0]?.version ?? 0;
  const stored = await c.query<{ data: Buffer }>('SELECT data FROM updates WHERE doc = $1 AND unit = $2 ORDER BY seq', [doc, unit]);
  const rows = [...stored.rows.map((r) => new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength)), ...own];
  const p = input.recompute(doc, rows);
  if (p === null) {
    // A doc the projector cannot read keeps the record it had; an empty one made just now goes.
    await c.query('DELETE FROM dossiers WHERE doc = $1 AND version = 0', [doc]);
    return null;
  }
  await c.query(
    `INSERT INTO dossiers (${DOSSIER_COLUMNS.join(', ')}) VALUES (${DOSSIER_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})
     ON CONFLICT (doc) DO UPDATE SET ${UPDATE_SET}`,
    dossierValues(p.dossier, version + 1, now),
  );
  return p;
}

async function writeEvents(c: PoolClient, written: readonly DossierProjection[], existed: ReadonlySet<string>): Promise<void> {
  if (written.length === 0) return;
  // A new dossier (most of a catch-up) has no events stored yet: nothing to delete.
  const replaced = written.map((p) => p.dossier.doc).filter((doc) => existed.has(doc));
  if (replaced.length > 0) await c.query('DELETE FROM dossier_events WHERE doc = ANY($1::text[])', [replaced]);
  const events = written.flatMap((p) => p.events.map((e, i) => ({ e, i })));
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
