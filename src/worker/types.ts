/** Values that cross the comlink boundary: plain, cloneable, no classes. */
import type { Procedure } from '../domain/catalog.ts';
import type { IntakeInput } from '../domain/intake.ts';
import type { SyncStatus } from './sync-client.ts';

export type { IntakeInput, SyncStatus };

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
  session: Session | null;
}

export interface Receipt {
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

/** An expected failure, with a message for the officer (Vietnamese). */
export interface Failure {
  ok: false;
  reason: string;
  message: string;
  fieldErrors?: Record<string, string>;
}

export type Outcome<T> = { ok: true; value: T } | Failure;

/** The object the worker exposes through comlink. */
export interface WorkerEndpoint {
  boot(): Promise<BootState>;
  enroll(code: string, label: string): Promise<Outcome<DeviceSummary>>;
  login(username: string, password: string): Promise<Outcome<Session>>;
  logout(): Promise<void>;
  procedures(): Promise<Procedure[]>;
  intake(input: IntakeInput): Promise<Outcome<Receipt>>;
  /** Registers the page's status listener (a comlink proxy); called at once with the last status. */
  onStatus(cb: (s: SyncStatus) => void): void;
}
