/** Values that cross the comlink boundary: plain, cloneable, no classes. */
import type { Procedure } from '../domain/catalog.ts';
import type { DossierConflict, DossierEvent, DossierState } from '../domain/dossier.ts';
import type { IntakeInput } from '../domain/intake.ts';
import type { WorkflowAction, WorkflowActionType } from '../domain/workflow.ts';
import type { SyncStatus } from './sync-client.ts';

export type { IntakeInput, SyncStatus, WorkflowAction };

export interface DeviceSummary {
  deviceId: string;
  unit: string;
  unitName: string;
}

export interface Session {
  officerId: string;
  username: string;
  displayName: string;
  role: string;
}

export interface BootState {
  device: DeviceSummary | null;
  /** Always null in a new worker: sessions live in one worker's memory (S23). */
  session: Session | null;
}

/**
 * The worker's session and idle lock (S23), told to the page on every change. `reason` says why a
 * session ended or locked: 'idle' (the idle lock), 'disabled' (the data center disabled or removed the
 * officer), 'changed' (their password was reset), null (signed in, unlocked, signed out by hand).
 */
export interface AuthState {
  session: Session | null;
  locked: boolean;
  reason: 'idle' | 'disabled' | 'changed' | null;
}

/** How the officer closes an intake: a receipt (Mẫu 01), a supplement request (Mẫu 02) or a refusal (Mẫu 03). */
export type IntakeDecision =
  | { kind: 'receive' }
  | { kind: 'supplement'; missing: string[]; reason: string }
  | { kind: 'refuse'; reason: string };

export interface Receipt {
  kind: IntakeDecision['kind'];
  /** Appointment date for the result (receive only). */
  dueAt: number | null;
  /** Supplement: every missing component, listed once; refusal: empty. */
  missing: string[];
  reason: string;
  processingDays: number;
  id: string;
  code: string;
  unit: string;
  unitName: string;
  receivedAt: number;
  procedureCode: string;
  procedureName: string;
  applicant: IntakeInput['applicant'];
  components: IntakeInput['components'];
  officerName: string;
}

/** An event as the dossier screen shows it: with the server's time once synced, and who did it. */
export type ViewEvent = Omit<DossierEvent, 'serverAt'> & { serverAt: number | null; officerName: string };

/** Everything the dossier screen and the printed forms need, read from the dossier's doc. */
export interface DossierView {
  id: string;
  doc: string;
  /** The receiving commune (home scope); differs from the device's unit for a dossier transferred here. */
  homeUnit: string;
  homeUnitName: string;
  code: string;
  procedureCode: string;
  procedureName: string;
  processingDays: number;
  applicant: { name: string; cccd: string; phone: string; email: string; address: string; vneidVerified: boolean };
  components: { name: string; received: boolean; copyKind: string; count: number }[];
  receivedAt: number;
  /** Current appointment date (after any apology), null when not received. */
  dueAt: number | null;
  receivedBy: string;
  events: ViewEvent[];
  state: DossierState;
  conflicts: DossierConflict[];
  /** What the signed-in officer may do now. */
  allowed: WorkflowActionType[];
}

/** An expected failure, with a message for the officer (Vietnamese). */
export interface Failure {
  ok: false;
  reason: string;
  message: string;
  fieldErrors?: Record<string, string>;
  /** 'throttled': when the next sign-in may be tried (ms since epoch), for the countdown. */
  retryAt?: number;
}

export type Outcome<T> = { ok: true; value: T } | Failure;

/** The object the worker exposes through comlink. */
/** What the due alerts show: the dossiers due within the window, and how many are overdue. */
export interface DueAlertQuery {
  /** Only this officer's intakes (a counter officer), or null for every dossier of the device. */
  officer: string | null;
  now: number;
  /** End of the "due soon" window (ms). */
  until: number;
  /** Statuses whose clock runs. */
  running: readonly string[];
}

export interface DueAlertsView {
  nearDue: { id: string; code: string; applicantName: string; dueAt: number }[];
  overdue: number;
}

export interface WorkerEndpoint {
  boot(): Promise<BootState>;
  enroll(code: string, label: string): Promise<Outcome<DeviceSummary>>;
  login(username: string, password: string): Promise<Outcome<Session>>;
  logout(): Promise<void>;
  /** Opens the idle lock with the signed-in officer's password (same delay as sign-in). */
  unlock(password: string): Promise<Outcome<Session>>;
  /** Locks now (the officer leaves the counter). */
  lock(): Promise<void>;
  /** The page saw input (sent at most every few seconds): the idle clock starts again. */
  activity(): void;
  /** The idle lock's delay (ms), from /config.json: the page spaces its activity reports by it. */
  idleLockMs(): Promise<number>;
  /** Registers the page's session listener (a comlink proxy); called at once with the current state. */
  onAuth(cb: (s: AuthState) => void): void;
  /** When the next sign-in may be tried (ms since epoch), or null: the login screen's countdown. */
  signInWait(): Promise<number | null>;
  procedures(): Promise<Procedure[]>;
  intake(input: IntakeInput, decision?: IntakeDecision): Promise<Outcome<Receipt>>;
  /** The dossier as stored on this device, null when the device holds no such dossier. Throws 'locked' while locked. */
  dossier(id: string): Promise<DossierView | null>;
  /** One workflow step, durable before it resolves (like intake). */
  act(id: string, action: WorkflowAction): Promise<Outcome<DossierView>>;
  /** Officers of this device's unit (id → display name), for timelines and forms. */
  officerNames(): Promise<Record<string, string>>;
  /** The due alerts, read and filtered in the worker (a day's same-day dossiers are hundreds of rows). */
  dueAlerts(q: DueAlertQuery): Promise<DueAlertsView>;
  /** Registers the page's status listener (a comlink proxy); called at once with the last status. */
  onStatus(cb: (s: SyncStatus) => void): void;
}
