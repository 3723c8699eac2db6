/**
 * What every adapter shares about the dossier projection (S18): when a batch's precomputed record is
 * stale, and the SQL row shape of the two relational adapters.
 */
import type { DossierEventRecord, DossierProjection, DossierRecord, ProjectionInput } from './projection-types.ts';

/**
 * The projection to store for one doc of a batch. `storedMax` is the doc's last home seq before the
 * batch's rows (read in the batch's transaction); `rows` loads every home row, the batch's included.
 */
export function settleProjection(
  input: ProjectionInput,
  doc: string,
  storedMax: number,
  rows: () => readonly Uint8Array[],
): DossierProjection | null {
  const entry = input.docs.get(doc);
  if (entry === undefined) return null;
  // Another batch stored a row of this doc after the caller read it: its record would miss that row.
  if (entry.baseSeq !== null && storedMax <= entry.baseSeq) return entry.projection;
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
  'seq',
] as const;

export function dossierValues(d: DossierProjection['dossier'], seq: number): (string | number | null)[] {
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
    seq,
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
  seq: number;
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
  seq: r.seq,
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
