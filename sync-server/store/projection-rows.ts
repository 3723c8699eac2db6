/**
 * What every adapter shares about the dossier projection (S18): when a batch's precomputed record is
 * stale, and the SQL row shape of the two relational adapters.
 */
import type { DossierEventRecord, DossierProjection, DossierRecord, ProjectionInput } from './projection-types.ts';

/**
 * The batch's rows of one doc that belong to its home unit (the items pushed to it and the server's
 * stamp rows), in the order they will be stored: what a recompute adds to the stored rows.
 */
export function batchHomeRows(doc: string, items: readonly { doc: string; unit: string; data: Uint8Array }[], stamps: readonly Uint8Array[]): Uint8Array[] {
  const home = doc.slice(0, doc.indexOf('/'));
  return [...items.filter((it) => it.doc === doc && it.unit === home).map((it) => it.data), ...stamps];
}

/**
 * Settles one doc's record for a store that is the only writer while it decides (SQLite, memory):
 * the caller's projection if the record still has the version the caller read, else a recompute
 * from `rows` (every stored home row, the batch's included). Null: nothing to write.
 */
export function settleProjection(
  input: ProjectionInput,
  doc: string,
  currentVersion: number,
  rows: () => readonly Uint8Array[],
): DossierProjection | null {
  const entry = input.docs.get(doc);
  if (entry === undefined) return null;
  if (entry.version !== null && entry.version === currentVersion) return entry.projection;
  return input.recompute(doc, rows());
}

/** Columns of the `dossiers` table, in the order of dossierValues. */
export const DOSSIER_COLUMNS = [
  'doc',
  'unit',
  'code',
  'procedure_code',
  'procedure_name',
  'status',
  'received_at',
  'due_at',
  'resolved_at',
  'returned_at',
  'rating',
  'handler',
  'conflicts',
  'events',
  'version',
  'updated_at',
] as const;

export function dossierValues(d: DossierProjection['dossier'], version: number, updatedAt: number): (string | number | null)[] {
  return [
    d.doc,
    d.unit,
    d.code,
    d.procedureCode,
    d.procedureName,
    d.status,
    d.receivedAt,
    d.dueAt,
    d.resolvedAt,
    d.returnedAt,
    d.rating,
    d.handler,
    d.conflicts,
    d.events,
    version,
    updatedAt,
  ];
}

export interface DossierSqlRow {
  doc: string;
  unit: string;
  code: string;
  procedure_code: string;
  procedure_name: string;
  status: string;
  received_at: number | null;
  due_at: number | null;
  resolved_at: number | null;
  returned_at: number | null;
  rating: string | null;
  handler: string;
  conflicts: number;
  events: number;
  version: number;
  updated_at: number;
}

export const toDossierRecord = (r: DossierSqlRow): DossierRecord => ({
  doc: r.doc,
  unit: r.unit,
  code: r.code,
  procedureCode: r.procedure_code,
  procedureName: r.procedure_name,
  status: r.status,
  receivedAt: r.received_at,
  dueAt: r.due_at,
  resolvedAt: r.resolved_at,
  returnedAt: r.returned_at,
  rating: r.rating,
  handler: r.handler,
  conflicts: r.conflicts,
  events: r.events,
  version: r.version,
  updatedAt: r.updated_at,
});

export interface EventSqlRow {
  doc: string;
  event_id: string;
  type: string;
  at: number;
  server_at: number | null;
  officer: string;
  device: string;
}

export const toEventRecord = (r: EventSqlRow): DossierEventRecord => ({
  doc: r.doc,
  eventId: r.event_id,
  type: r.type,
  at: r.at,
  serverAt: r.server_at,
  officer: r.officer,
  device: r.device,
});

/** The memory twin's and the SQL adapters' one order for an export: received first, then doc name. */
export function dossierOrder(a: DossierRecord, b: DossierRecord): number {
  const ra = a.receivedAt ?? 0;
  const rb = b.receivedAt ?? 0;
  if (ra !== rb) return ra - rb;
  return a.doc < b.doc ? -1 : a.doc > b.doc ? 1 : 0;
}
