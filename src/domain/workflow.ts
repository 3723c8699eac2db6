/**
 * CONTRACT (types fixed; the functions are implemented by the domain work of issue 3):
 * what an officer can do to a dossier, as actions that become events in its log.
 *
 * The worker calls `buildEvent` inside the transaction that appends the event to the dossier's doc;
 * the UI calls `allowedActions` to offer only what makes sense now. Concurrent offline actions that
 * turn out impossible once merged are not prevented here: the reducer flags them as conflicts.
 */
import type { DossierEvent, DossierState } from './dossier.ts';
import type { Result } from './errors.ts';

export type OfficerRole = 'counter' | 'processing' | 'leader';
export type Rating = 'very_satisfied' | 'satisfied' | 'unsatisfied';

/** Where a dossier is sent for processing. `unit` is set when the body is another commune (any-center). */
export interface ProcessingBody {
  kind: 'commune_office' | 'city_department' | 'other_commune';
  name: string;
  unit?: string;
}

export type WorkflowAction =
  | { type: 'transfer'; to: ProcessingBody; note?: string }
  | { type: 'accept'; note?: string }
  | { type: 'request_supplement'; missing: string[]; reason: string }
  | { type: 'supplement_received'; note?: string }
  | { type: 'resolve'; outcome: 'approved'; documentNo: string; note?: string }
  | { type: 'resolve'; outcome: 'denied'; reason: string }
  | { type: 'stop'; reason: string }
  | { type: 'apologize'; newDueAt: number; reason: string }
  | { type: 'withdraw'; reason: string }
  | { type: 'return_result'; rating?: Rating; note?: string };

export type WorkflowActionType = WorkflowAction['type'];

export interface ActionContext {
  eventId: string;
  now: number;
  officer: string;
  device: string;
  role: OfficerRole;
}
