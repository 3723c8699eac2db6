/**
 * The shapes of a dossier's event log and of the state the reducer derives from it (dossier.ts).
 * Kept apart so labels and other helpers can name them without importing the reducer.
 */

export const DOSSIER_EVENT_TYPES = [
  'received',
  'supplement_requested',
  'supplement_received',
  'refused',
  'transferred',
  'accepted',
  'resolved',
  'returned',
  'withdrawn',
  'apologized',
  'stopped',
] as const;
export type DossierEventType = (typeof DOSSIER_EVENT_TYPES)[number];

export type DossierStatus =
  | 'received'
  | 'supplement_requested'
  | 'refused'
  | 'processing'
  | 'resolved'
  | 'returned'
  | 'withdrawn'
  | 'stopped';

/** Nothing may follow these: a later event is a conflict for a person to settle. */
export const FINAL_STATUSES: readonly DossierStatus[] = ['refused', 'returned', 'withdrawn', 'stopped'];

export const isFinalStatus = (s: DossierStatus | 'empty'): boolean => (FINAL_STATUSES as readonly string[]).includes(s);

/**
 * One step of a dossier. `data` per type (written by workflow.ts `buildEvent`):
 * - transferred: kind, name, unit?; supplement_requested: missing (JSON list of names), reason;
 * - resolved: outcome 'approved' + documentNo, or 'denied' + reason;
 * - apologized: newDueAt (ms), reason; stopped, withdrawn, refused: reason;
 * - returned: rating? ('very_satisfied' | 'satisfied' | 'unsatisfied').
 */
export interface DossierEvent {
  id: string;
  type: DossierEventType;
  /** Device clock, ms since epoch. */
  at: number;
  officer: string;
  /**
   * The officer's name as it was when the step was taken: another commune's device, which never
   * received that officer's record, can still show who did it (timeline, Mẫu 06).
   */
  officerName?: string;
  device: string;
  /** Set by the server when it stored the event; absent while offline. */
  serverAt?: number;
  note?: string;
  data?: Record<string, string | number | boolean>;
}

export interface DossierConflict {
  eventId: string;
  reason: string;
}

/** Where the dossier is being processed, as the last transfer named it. */
export interface DossierHandler {
  kind: string;
  name: string;
  unit?: string;
}

export interface DossierState {
  status: DossierStatus | 'empty';
  receivedAt: number | null;
  conflicts: DossierConflict[];
  /** Distinct events (by id), applied or in conflict. */
  eventCount: number;
  resolvedAt: number | null;
  returnedAt: number | null;
  /** Waiting for a supplement pauses the legal deadline; `to` is null while still waiting. */
  supplementPeriods: { from: number; to: number | null }[];
  /** The resolution's outcome; null before resolution (or for an event written without one). */
  outcome: 'approved' | 'denied' | null;
  /** Number of the result document when approved. */
  documentNo: string | null;
  stoppedAt: number | null;
  /** The body named by the last applied transfer; null while at the receiving center. */
  handler: DossierHandler | null;
  /** When that body accepted the dossier; null until it has (reset by each transfer). */
  acceptedAt: number | null;
  /** The latest applied apology's new appointment date (ms). */
  apologizedDueAt: number | null;
  /** Satisfaction recorded at the return of the result. */
  rating: string | null;
  /**
   * The current due date when the caller knows it (calendar, pauses and apologies: see calendar.ts
   * `dueAt` and `currentDueAt`). The reducer cannot compute it and leaves it unset; set it before
   * calling workflow `buildEvent` so an apology is checked against the real deadline.
   */
  dueAt?: number | null;
}

export function isDossierEventType(t: string): t is DossierEventType {
  return (DOSSIER_EVENT_TYPES as readonly string[]).includes(t);
}
