/**
 * The worker's API, exposed to the page through comlink (src/ui/bridge.ts). Every method returns a
 * cloneable value; expected failures come back as `Failure` with a Vietnamese message, never thrown.
 */
import type { Procedure } from '../domain/catalog.ts';
import { loadCatalog } from './catalog-source.ts';
import type { WorkCalendar } from '../domain/calendar.ts';
import type { WorkflowAction } from '../domain/workflow.ts';
import { overdueRows } from '../db/queries.ts';
import type { ApiError, EnrollResponse } from '../protocol/http.ts';
import { PATHS } from '../protocol/constants.ts';
import { actOnDossier, dossierView, type DossierDeps } from './dossier-api.ts';
import { takeIn, type IntakeDeps } from './intake-api.ts';
import { META, type DeviceInfo, type LocalStore } from './local-store.ts';
import { AppError } from '../domain/errors.ts';
import { OfficerSession } from './officer-session.ts';
import { putEnrolledOfficers, readFailures, readOfficers, refreshOfficers } from './officer-source.ts';
import { waitUntil } from './login-throttle.ts';
import type {
  AuthState,
  BootState,
  DeviceSummary,
  DossierView,
  DueAlertQuery,
  DueAlertsView,
  Failure,
  IntakeDecision,
  IntakeInput,
  Outcome,
  Receipt,
  Session,
} from './types.ts';

export interface ApiDeps {
  store: LocalStore;
  /** http(s) origin of the sync server (same origin as the app). */
  origin: string;
  now: () => number;
  fetch: typeof fetch;
  /** Called after local work is committed (starts sync after enrollment, pushes after an intake). */
  onCommitted: (device: DeviceInfo) => void;
  /** The working-time calendar, null until its data file is loaded. */
  calendar: () => WorkCalendar | null;
  /** Names of Đà Nẵng's units by code (from the precached data file), for dossiers of other communes. */
  unitNames: () => Record<string, string>;
  /** Told every change of session or idle lock (S23). */
  onAuth?: (state: AuthState) => void;
  /** How often the idle lock checks the time (ms); tests shorten it. */
  idleTickMs?: number;
}

/** Thrown by the reads that return no Outcome (dossier, due alerts) while no session may read (S23). */
export class SessionClosedError extends AppError {}

const fail = (reason: string, message: string, fieldErrors?: Record<string, string>): Failure =>
  fieldErrors === undefined ? { ok: false, reason, message } : { ok: false, reason, message, fieldErrors };


export class WorkerApi {
  private catalog: Procedure[] | null = null;
  // Read once, then kept: the device never changes after enrollment. Saves an IndexedDB read on every
  // intake.
  private device: DeviceInfo | undefined;
  /** This worker's officer and idle lock: in memory only (S23). */
  readonly auth: OfficerSession;

  constructor(private readonly d: ApiDeps) {
    this.auth = new OfficerSession({
      store: d.store,
      now: d.now,
      onChange: (state) => d.onAuth?.(state),
      ...(d.idleTickMs === undefined ? {} : { tickMs: d.idleTickMs }),
    });
  }

  async boot(): Promise<BootState> {
    const [device, stale] = await Promise.all([this.d.store.getMeta<DeviceInfo>(META.device), this.d.store.getMeta(META.session)]);
    // Older versions kept the session in IndexedDB, where it outlived the browser: dropped (S23). Only
    // when there is one: a write transaction at every start would delay the sign-in form.
    if (stale !== undefined) await this.d.store.db.meta.delete(META.session);
    this.device = device;
    if (device !== undefined) this.d.onCommitted(device);
    return { device: device === undefined ? null : summary(device), session: this.auth.state().session };
  }

  async enroll(code: string, label: string): Promise<Outcome<DeviceSummary>> {
    let res: Response;
    try {
      res = await this.d.fetch(`${this.d.origin}${PATHS.enroll}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code: code.trim(), label: label.trim() }),
      });
    } catch {
      return fail('offline', 'Không kết nối được máy chủ. Việc đăng ký thiết bị cần có mạng.');
    }
    if (!res.ok) {
      const body = (await res.json().catch(() => null)) as ApiError | null;
      return fail('rejected', body?.message ?? `Máy chủ từ chối đăng ký (mã ${res.status}).`);
    }
    const e = (await res.json()) as EnrollResponse;
    const device: DeviceInfo = { deviceId: e.deviceId, token: e.token, unit: e.unit, unitName: e.unitName, ordinal: e.ordinal };
    await this.d.store.db.transaction('rw', this.d.store.db.meta, async () => {
      await this.d.store.setMeta(META.device, device);
      await putEnrolledOfficers(this.d.store, e.officers);
    });
    this.device = device;
    this.d.onCommitted(device);
    return { ok: true, value: summary(device) };
  }

  login(username: string, password: string): Promise<Outcome<Session>> {
    return this.auth.login(username, password);
  }

  unlock(password: string): Promise<Outcome<Session>> {
    return this.auth.unlock(password);
  }

  logout(): void {
    this.auth.logout();
  }

  async signInWait(): Promise<number | null> {
    return waitUntil(await readFailures(this.d.store), this.d.now());
  }

  /**
   * Revalidates the unit's officers with the data center (at each connection, S23); a signed-in
   * officer whom the new list disables or gives another password is signed out at once.
   */
  async refreshOfficers(): Promise<void> {
    if (this.device === undefined) return;
    const officers = await refreshOfficers(this.d.store, this.d.origin, this.device, this.d.fetch);
    if (officers !== null) this.auth.officersChanged(officers);
  }

  /** The session for a dossier read, or SessionClosedError ('locked', 'signed_out'). */
  private reader(): Session {
    const open = this.auth.open();
    if (!open.ok) throw new SessionClosedError(open.reason, open.message);
    return open.session;
  }

  async procedures(): Promise<Procedure[]> {
    this.catalog ??= await loadCatalog(this.d.store, this.d.origin, this.device, this.d.fetch);
    return this.catalog;
  }

  /**
   * Takes in a dossier and closes it as the officer decided: received (Mẫu 01), supplement requested
   * (Mẫu 02) or refused (Mẫu 03). Resolves only after the write is durable: the form may then be shown.
   */
  async intake(input: IntakeInput, decision: IntakeDecision = { kind: 'receive' }): Promise<Outcome<Receipt>> {
    // Read by the benchmarks with the page's 'intake-commit': the worker's share of press-to-durable.
    const startedAt = performance.now();
    const { device } = this;
    if (device === undefined) return fail('not_enrolled', 'Thiết bị chưa được đăng ký.');
    const open = this.auth.open();
    if (!open.ok) return open;
    const deps: IntakeDeps = { store: this.d.store, now: this.d.now, calendar: this.d.calendar, procedures: () => this.procedures() };
    const out = await takeIn(deps, { device, session: open.session, startedAt }, input, decision);
    if (out.ok) this.d.onCommitted(device);
    return out;
  }

  async dossier(id: string): Promise<DossierView | null> {
    return dossierView(this.dossierDeps(), id, this.reader());
  }

  async act(id: string, action: WorkflowAction): Promise<Outcome<DossierView>> {
    const open = this.auth.open();
    if (!open.ok) return open;
    const out = await actOnDossier(this.dossierDeps(), id, action, this.device, open.session);
    // Like an intake: a step taken online goes up now, not with the next intake (S1 is about keeping,
    // this is about sending).
    if (out.ok && this.device !== undefined) this.d.onCommitted(this.device);
    return out;
  }

  /**
   * The near-due dossiers and the overdue count, by the dueAt index then filtered here: on the page
   * this read and filter ran on the main thread at every intake, growing with the day (hundreds of
   * same-day dossiers, tasks of 50-100 ms on a slow laptop).
   */
  async dueAlerts(q: DueAlertQuery): Promise<DueAlertsView> {
    this.reader();
    const { dossiers } = this.d.store.db;
    const running = new Set(q.running);
    const counts = (r: { status: string; officer: string }): boolean => running.has(r.status) && (q.officer === null || r.officer === q.officer);
    const [near, overdue] = await Promise.all([
      dossiers.where('dueAt').between(q.now, q.until, false, true).filter(counts).toArray(),
      overdueRows(this.d.store.db, q.running, q.now).then((rows) => rows.filter(counts).length),
    ]);
    return { nearDue: near.map((r) => ({ id: r.id, code: r.code, applicantName: r.applicantName, dueAt: r.dueAt })), overdue };
  }

  async officerNames(): Promise<Record<string, string>> {
    const officers = await readOfficers(this.d.store);
    return Object.fromEntries(officers.map((o) => [o.id, o.displayName]));
  }

  private dossierDeps(): DossierDeps {
    return {
      store: this.d.store,
      now: this.d.now,
      newId: () => crypto.randomUUID(),
      unitName: (code) => (code === this.device?.unit ? this.device.unitName : (this.d.unitNames()[code] ?? code)),
      officerNames: () => this.officerNames(),
    };
  }
}

function summary(d: DeviceInfo): DeviceSummary {
  return { deviceId: d.deviceId, unit: d.unit, unitName: d.unitName };
}
