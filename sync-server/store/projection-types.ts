/**
 * The relational projection of dossiers the server keeps for the city's dashboards, reports and
 * exports (rule S18): one record per dossier and one per event, written by appendBatch in the
 * transaction of the update that changes them. No personal data: the applicant's name, CCCD and
 * phone stay in the docs; reports need the dossier's code, procedure, dates, status and rating.
 */

export interface DossierRecord {
  readonly doc: string;
  /** The receiving commune (the doc's home unit). */
  readonly unit: string;
  readonly code: string;
  readonly procedureCode: string;
  readonly procedureName: string;
  /** The reducer's status (src/domain/dossier-types.ts), 'empty' before the first event. */
  readonly status: string;
  /** ms since epoch; null while unset. */
  readonly receivedAt: number | null;
  readonly dueAt: number | null;
  readonly resolvedAt: number | null;
  readonly returnedAt: number | null;
  readonly rating: string | null;
  /** Where it is being processed, as the last transfer named it; '' at the center. */
  readonly handler: string;
  readonly conflicts: number;
  readonly events: number;
  /** How many times the record was written (1 for the first): the store's check of concurrent writers. */
  readonly version: number;
  /** Server time (ms) of the batch that last wrote it. */
  readonly updatedAt: number;
}

export interface DossierEventRecord {
  readonly doc: string;
  readonly eventId: string;
  readonly type: string;
  /** The device's clock. */
  readonly at: number;
  /** The server's stamp (S13); null while the event has none. */
  readonly serverAt: number | null;
  readonly officer: string;
  readonly device: string;
}

/** A dossier's projection before the store gives it its version and time. */
export interface DossierProjection {
  readonly dossier: Omit<DossierRecord, 'version' | 'updatedAt'>;
  readonly events: readonly DossierEventRecord[];
}

/**
 * What a batch brings to the projection. The caller computed each dossier's projection from the doc
 * as stored plus the batch (stamps included), and names the version of the doc's record it read with
 * those rows (StoredDoc.version, read in the same snapshot; 0 when the doc had none). The store writes
 * the record only if it still has that version (optimistic concurrency, no lock on the log's head):
 * if another batch wrote the record meanwhile, or `version` is null (a live update), it recomputes
 * the doc from every stored home row and the batch's own rows, under the record's row lock.
 */
export interface ProjectionInput {
  readonly docs: ReadonlyMap<string, { readonly version: number | null; readonly projection: DossierProjection | null }>;
  readonly recompute: (doc: string, rows: readonly Uint8Array[]) => DossierProjection | null;
}

/** Dossiers received in [from, to) (ms), by receiving unit or all, in (receivedAt, doc) order. */
export interface DossierQuery {
  readonly unit?: string;
  readonly from: number;
  readonly to: number;
  readonly limit: number;
  /** Resume after this (receivedAt, doc): pages of an export. */
  readonly after?: { readonly receivedAt: number; readonly doc: string };
}
