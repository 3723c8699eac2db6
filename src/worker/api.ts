/**
 * The worker's API, exposed to the page through comlink (src/ui/bridge.ts). Every method returns a
 * cloneable value; expected failures come back as `Failure` with a Vietnamese message, never thrown.
 */
import { processingTime, type Procedure } from '../domain/catalog.ts';
import { loadCatalog } from './catalog-source.ts';
import { formatDossierCode } from '../domain/dossier-code.ts';
import { dueAt } from '../domain/calendar.ts';
import type { WorkCalendar } from '../domain/calendar.ts';
import type { DossierEvent } from '../domain/dossier.ts';
import type { WorkflowAction } from '../domain/workflow.ts';
import { validateIntake } from '../domain/intake.ts';
import { vnDayKey } from '../domain/time.ts';
import * as Y from 'yjs';
import { overdueRows } from '../db/queries.ts';
import { dossierDocName } from '../protocol/doc-names.ts';
import type { ApiError, EnrollResponse } from '../protocol/http.ts';
import { PATHS } from '../protocol/constants.ts';
import { actOnDossier, dossierView, type DossierDeps } from './dossier-api.ts';
import { newDossierDoc, writerIdOf } from './dossier-doc.ts';
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

function isQuotaError(e: unknown): boolean {
  const err = e as { name?: string; inner?: { name?: string } } | null;
  return err?.name === 'QuotaExceededError' || err?.inner?.name === 'QuotaExceededError';
}

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
    const device = await this.d.store.getMeta<DeviceInfo>(META.device);
    // Older versions kept the session in IndexedDB, where it outlived the browser: dropped (S23).
    await this.d.store.db.meta.delete(META.session);
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
    const { session } = open;
    const now = this.d.now();
    const procs = await this.procedures();
    const checked = validateIntake(input, procs, now);
    if (!checked.ok) {
      // A supplement request or a refusal is exactly the case where the checklist is not complete.
      const { components: _ignored, ...rest } = checked.errors;
      const errors = decision.kind === 'receive' ? checked.errors : rest;
      if (Object.keys(errors).length > 0) return fail('invalid', 'Hồ sơ chưa hợp lệ, vui lòng kiểm tra các trường được đánh dấu.', errors);
    }
    if (decision.kind === 'supplement' && decision.missing.length === 0) {
      return fail('invalid', 'Phiếu yêu cầu bổ sung phải liệt kê đầy đủ các thành phần còn thiếu.');
    }
    if (decision.kind !== 'receive' && decision.reason.trim() === '') return fail('invalid', 'Cần ghi rõ lý do.');
    const value = checked.ok ? checked.value : normaliseLoosely(input);
    const procedure = procs.find((p) => p.code === value.procedureCode);
    if (procedure === undefined) return fail('invalid', 'Thủ tục không có trong danh mục.', { procedureCode: 'Thủ tục không có trong danh mục' });
    const id = crypto.randomUUID();
    const docName = dossierDocName(device.unit, id);
    const day = vnDayKey(now);
    const time = processingTime(procedure);
    const due = decision.kind === 'receive' ? this.dueFor(now, time) : null;
    const event = intakeEvent(decision, {
      id: crypto.randomUUID(),
      at: now,
      officer: session.officerId,
      officerName: session.displayName,
      device: device.deviceId,
    });
    let code = '';
    const writeAt = performance.now();
    try {
      await this.d.store.commitNewDossier(
        day,
        device.ordinal,
        (n) => {
          code = formatDossierCode(device.unit, day, n);
          const doc = newDossierDoc(
            {
              code,
              unit: device.unit,
              procedureCode: value.procedureCode,
              procedureName: procedure.name,
              name: value.applicant.name,
              cccd: value.applicant.cccd,
              phone: value.applicant.phone,
              address: value.applicant.address,
              receivedAt: now,
              components: JSON.stringify(value.components),
              email: value.applicant.email ?? '',
              vneidVerified: value.applicant.vneidVerified ?? false,
              residence: residenceText(value.applicant.residence),
              processingDays: time.processingDays,
              processingHours: time.processingHours,
              sameDay15h: time.sameDay15hRule,
              dueAt: due ?? 0,
            },
            event,
            writerIdOf(device.deviceId),
          );
          return { docName, update: Y.encodeStateAsUpdate(doc), doc };
        },
        now,
      );
    } catch (e) {
      if (isQuotaError(e)) return fail('storage_full', 'Bộ nhớ của máy đã đầy: hồ sơ CHƯA được lưu. Hãy giải phóng dung lượng rồi thử lại.');
      return fail('write_failed', `Không lưu được hồ sơ: ${e instanceof Error ? e.message : String(e)}. Hồ sơ CHƯA được tiếp nhận.`);
    }
    performance.measure('intake-write', { start: writeAt });
    performance.measure('intake-worker', { start: startedAt });
    this.d.onCommitted(device);
    return {
      ok: true,
      value: {
        kind: decision.kind,
        dueAt: due,
        missing: decision.kind === 'supplement' ? decision.missing : [],
        reason: decision.kind === 'receive' ? '' : decision.reason,
        processingDays: procedure.processingDays,
        id,
        code,
        unit: device.unit,
        unitName: device.unitName,
        receivedAt: now,
        procedureCode: value.procedureCode,
        procedureName: procedure.name,
        applicant: value.applicant,
        components: value.components,
        officerName: session.displayName,
      },
    };
  }

  private dueFor(receivedAt: number, time: ReturnType<typeof processingTime>): number | null {
    const cal = this.d.calendar();
    return cal === null ? null : dueAt(cal, { receivedAt, ...time, pauses: [] });
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

function intakeEvent(decision: IntakeDecision, base: Omit<DossierEvent, 'type'>): DossierEvent {
  switch (decision.kind) {
    case 'receive':
      return { ...base, type: 'received' };
    case 'supplement':
      return { ...base, type: 'supplement_requested', data: { missing: JSON.stringify(decision.missing), reason: decision.reason, atIntake: true } };
    case 'refuse':
      return { ...base, type: 'refused', data: { reason: decision.reason, atIntake: true } };
  }
}

function residenceText(r: IntakeInput['applicant']['residence']): string {
  if (r === undefined) return '';
  return 'unit' in r ? r.unit : r.elsewhere;
}

/** The input as typed, trimmed, for a supplement request or a refusal that failed only the checklist rule. */
function normaliseLoosely(input: IntakeInput): IntakeInput {
  return { ...input, procedureCode: input.procedureCode.trim(), applicant: { ...input.applicant, name: input.applicant.name.trim() } };
}

function summary(d: DeviceInfo): DeviceSummary {
  return { deviceId: d.deviceId, unit: d.unit, unitName: d.unitName };
}
