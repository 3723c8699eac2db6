/**
 * The worker's API, exposed to the page through comlink (src/ui/bridge.ts). Every method returns a
 * cloneable value; expected failures come back as `Failure` with a Vietnamese message, never thrown.
 */
import { parseCatalog, type Procedure } from '../domain/catalog.ts';
import { formatDossierCode } from '../domain/dossier-code.ts';
import type { DossierEvent } from '../domain/dossier.ts';
import { validateIntake } from '../domain/intake.ts';
import { vnDayKey } from '../domain/time.ts';
import { dossierDocName } from '../protocol/doc-names.ts';
import type { ApiError, EnrollResponse, OfficerCredential } from '../protocol/http.ts';
import { PATHS } from '../protocol/constants.ts';
import { newDossierUpdate } from './dossier-doc.ts';
import { META, type DeviceInfo, type LocalStore } from './local-store.ts';
import { verifyOfficer } from './officer-auth.ts';
import type { BootState, DeviceSummary, Failure, IntakeInput, Outcome, Receipt, Session } from './types.ts';

export interface ApiDeps {
  store: LocalStore;
  /** http(s) origin of the sync server (same origin as the app). */
  origin: string;
  now: () => number;
  fetch: typeof fetch;
  /** Called after local work is committed (starts sync after enrollment, pushes after an intake). */
  onCommitted: (device: DeviceInfo) => void;
}

const fail = (reason: string, message: string, fieldErrors?: Record<string, string>): Failure =>
  fieldErrors === undefined ? { ok: false, reason, message } : { ok: false, reason, message, fieldErrors };

function isQuotaError(e: unknown): boolean {
  const err = e as { name?: string; inner?: { name?: string } } | null;
  return err?.name === 'QuotaExceededError' || err?.inner?.name === 'QuotaExceededError';
}

export class WorkerApi {
  private catalog: Procedure[] | null = null;
  // Read once, then kept: the device never changes after enrollment, and this worker is the one that
  // changes its tab's session. Saves two IndexedDB reads on every intake.
  private device: DeviceInfo | undefined;
  private session: Session | undefined;

  constructor(private readonly d: ApiDeps) {}

  async boot(): Promise<BootState> {
    const device = await this.d.store.getMeta<DeviceInfo>(META.device);
    const session = await this.d.store.getMeta<Session>(META.session);
    this.device = device;
    this.session = session;
    if (device !== undefined) this.d.onCommitted(device);
    return { device: device === undefined ? null : summary(device), session: session ?? null };
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
      await this.d.store.setMeta(META.officers, e.officers);
    });
    this.device = device;
    this.d.onCommitted(device);
    return { ok: true, value: summary(device) };
  }

  async login(username: string, password: string): Promise<Outcome<Session>> {
    const officers = (await this.d.store.getMeta<OfficerCredential[]>(META.officers)) ?? [];
    const officer = await verifyOfficer(officers, username, password);
    if (officer === null) return fail('bad_credentials', 'Tên đăng nhập hoặc mật khẩu không đúng.');
    const session: Session = { officerId: officer.id, username: officer.username, displayName: officer.displayName, role: officer.role };
    await this.d.store.setMeta(META.session, session);
    this.session = session;
    return { ok: true, value: session };
  }

  async logout(): Promise<void> {
    await this.d.store.db.meta.delete(META.session);
    this.session = undefined;
  }

  async procedures(): Promise<Procedure[]> {
    if (this.catalog === null) {
      const res = await this.d.fetch(`${this.d.origin}/data/procedures.json`);
      this.catalog = parseCatalog(await res.json()).procedures;
    }
    return this.catalog;
  }

  /** Takes in a dossier. Resolves only after the write is durable: the receipt may then be shown. */
  async intake(input: IntakeInput): Promise<Outcome<Receipt>> {
    const { device, session } = this;
    if (device === undefined) return fail('not_enrolled', 'Thiết bị chưa được đăng ký.');
    if (session === undefined) return fail('signed_out', 'Phiên làm việc đã kết thúc, vui lòng đăng nhập lại.');
    const now = this.d.now();
    const procs = await this.procedures();
    const checked = validateIntake(input, procs, now);
    if (!checked.ok) return fail('invalid', 'Hồ sơ chưa hợp lệ, vui lòng kiểm tra các trường được đánh dấu.', checked.errors);
    const value = checked.value;
    const procedure = procs.find((p) => p.code === value.procedureCode);
    const id = crypto.randomUUID();
    const docName = dossierDocName(device.unit, id);
    const day = vnDayKey(now);
    let code = '';
    try {
      await this.d.store.commitNewDossier(
        day,
        device.ordinal,
        (n) => {
          code = formatDossierCode(device.unit, day, n);
          const event: DossierEvent = { id: crypto.randomUUID(), type: 'received', at: now, officer: session.officerId, device: device.deviceId };
          const update = newDossierUpdate(
            {
              code,
              unit: device.unit,
              procedureCode: value.procedureCode,
              procedureName: procedure?.name ?? value.procedureCode,
              name: value.applicant.name,
              cccd: value.applicant.cccd,
              phone: value.applicant.phone,
              address: value.applicant.address,
              receivedAt: now,
              components: JSON.stringify(value.components),
            },
            event,
          );
          return { docName, update };
        },
        now,
      );
    } catch (e) {
      if (isQuotaError(e)) return fail('storage_full', 'Bộ nhớ của máy đã đầy: hồ sơ CHƯA được lưu. Hãy giải phóng dung lượng rồi thử lại.');
      return fail('write_failed', `Không lưu được hồ sơ: ${e instanceof Error ? e.message : String(e)}. Hồ sơ CHƯA được tiếp nhận.`);
    }
    this.d.onCommitted(device);
    return {
      ok: true,
      value: {
        id,
        code,
        unit: device.unit,
        unitName: device.unitName,
        receivedAt: now,
        procedureCode: value.procedureCode,
        procedureName: procedure?.name ?? value.procedureCode,
        applicant: value.applicant,
        components: value.components,
        officerName: session.displayName,
      },
    };
  }
}

function summary(d: DeviceInfo): DeviceSummary {
  return { deviceId: d.deviceId, unit: d.unit, unitName: d.unitName };
}
