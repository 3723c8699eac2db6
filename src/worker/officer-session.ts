/**
 * The signed-in officer of this worker (S23). The session lives in this worker's memory only: a new
 * tab, a reload, closing the app or the browser starts a new worker, which asks for a sign-in. The
 * worker also holds the idle lock: the page reports input (throttled), and after `idleMs` without any
 * the session locks itself; while locked every read and write of dossiers is refused ('locked') and
 * only the officer's password opens it again. Failed sign-ins and unlocks share one growing delay.
 */
import type { OfficerCredential } from '../protocol/http.ts';
import type { LocalStore } from './local-store.ts';
import { afterFailure, NO_FAILURES, waitUntil, type LoginFailures } from './login-throttle.ts';
import { verifyOfficer } from './officer-auth.ts';
import { OFFICER_META, readFailures, readOfficers, readVerifiers } from './officer-source.ts';
import type { AuthState, Failure, Outcome, Session } from './types.ts';

export const DEFAULT_IDLE_LOCK_MS = 15 * 60_000;

export interface SessionDeps {
  readonly store: LocalStore;
  readonly now: () => number;
  /** Told every change of session or lock (the page swaps its screens on it). */
  readonly onChange: (state: AuthState) => void;
  /** How often the idle time is checked (ms). */
  readonly tickMs?: number;
}

const fail = (reason: string, message: string, retryAt?: number): Failure =>
  retryAt === undefined ? { ok: false, reason, message } : { ok: false, reason, message, retryAt };

const sessionOf = (o: OfficerCredential): Session => ({ officerId: o.id, username: o.username, displayName: o.displayName, role: o.role });

const isDisabled = (officers: readonly OfficerCredential[], username: string): boolean =>
  officers.some((o) => o.username === username.trim().toLowerCase() && o.disabled === true);

export function throttledMessage(retryAt: number, now: number): string {
  const s = Math.max(1, Math.ceil((retryAt - now) / 1000));
  return `Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau ${s} giây.`;
}

/** A failed bookkeeping write (a full disk): logged, never a reason to refuse or to stop throttling. */
function bookkeepingFailed(e: unknown): void {
  console.warn('sign-in bookkeeping not stored', e);
}

export class OfficerSession {
  private session: Session | null = null;
  /** The server's record the session was opened with: a change to it (a reset) ends the session. */
  private credential: OfficerCredential | null = null;
  private locked = false;
  private lastActivity = 0;
  private idleMs = DEFAULT_IDLE_LOCK_MS;
  private timer: ReturnType<typeof setInterval> | null = null;
  /** The failures as this worker counted them, in case the disk refused to keep them. */
  private failures: LoginFailures = NO_FAILURES;

  constructor(private readonly d: SessionDeps) {}

  state(reason: AuthState['reason'] = null): AuthState {
    return { session: this.session, locked: this.locked, reason };
  }

  /** The session to act under, or why there is none to act under now. */
  open(): { ok: true; session: Session } | Failure {
    if (this.session === null) return fail('signed_out', 'Phiên làm việc đã kết thúc, vui lòng đăng nhập lại.');
    if (this.locked) return fail('locked', 'Màn hình đang khóa, vui lòng nhập mật khẩu để mở.');
    return { ok: true, session: this.session };
  }

  get idleLockMs(): number {
    return this.idleMs;
  }

  setIdleLock(ms: number): void {
    if (!Number.isFinite(ms) || ms <= 0) return;
    this.idleMs = ms;
    if (this.session !== null) this.startTimer();
  }

  /** Input on the page (throttled there): the idle clock starts again. Ignored while locked. */
  activity(): void {
    if (this.session !== null && !this.locked) this.lastActivity = this.d.now();
  }

  async login(username: string, password: string): Promise<Outcome<Session>> {
    const checked = await this.check(username, password);
    if (!checked.ok) return checked;
    this.start(checked.officer);
    this.d.onChange(this.state());
    return { ok: true, value: sessionOf(checked.officer) };
  }

  /** Opens the lock with the signed-in officer's password (another officer signs out first). */
  async unlock(password: string): Promise<Outcome<Session>> {
    const session = this.session;
    if (session === null) return fail('signed_out', 'Phiên làm việc đã kết thúc, vui lòng đăng nhập lại.');
    const checked = await this.check(session.username, password);
    if (!checked.ok) return checked;
    if (this.session?.officerId !== checked.officer.id) return fail('signed_out', 'Phiên làm việc đã kết thúc, vui lòng đăng nhập lại.');
    this.start(checked.officer);
    this.d.onChange(this.state());
    return { ok: true, value: sessionOf(checked.officer) };
  }

  lock(): void {
    if (this.session === null || this.locked) return;
    this.locked = true;
    this.d.onChange(this.state('idle'));
  }

  logout(reason: AuthState['reason'] = null): void {
    const had = this.session !== null;
    this.session = null;
    this.credential = null;
    this.locked = false;
    this.stopTimer();
    if (had) this.d.onChange(this.state(reason));
  }

  /**
   * The unit's list changed on the data center: the signed-in officer, if disabled, removed or given
   * another password, is signed out at once; a new role or name applies at once.
   */
  officersChanged(officers: readonly OfficerCredential[]): void {
    const current = this.credential;
    if (current === null) return;
    const now = officers.find((o) => o.id === current.id);
    if (now === undefined || now.disabled === true) return this.logout('disabled');
    if (now.salt !== current.salt || now.hash !== current.hash) return this.logout('changed');
    if (now.role !== current.role || now.displayName !== current.displayName || now.username !== current.username) {
      this.credential = now;
      this.session = sessionOf(now);
      this.d.onChange(this.state());
    }
  }

  private start(officer: OfficerCredential): void {
    this.session = sessionOf(officer);
    this.credential = officer;
    this.locked = false;
    this.lastActivity = this.d.now();
    this.startTimer();
  }

  private startTimer(): void {
    this.stopTimer();
    this.timer = setInterval(() => {
      if (!this.locked && this.d.now() - this.lastActivity >= this.idleMs) this.lock();
    }, this.d.tickMs ?? Math.min(5_000, this.idleMs));
  }

  private stopTimer(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /**
   * The delay first, then the password; the outcome is written with the failure count in one write.
   * Those writes are bookkeeping: on a full disk (QuotaExceededError) a right password still opens the
   * session, and the count of wrong ones is kept in memory, so filling the disk does not lift the delay.
   */
  private async check(username: string, password: string): Promise<{ ok: true; officer: OfficerCredential } | Failure> {
    const { store, now } = this.d;
    const stored = await readFailures(store);
    const failures = stored.count >= this.failures.count ? stored : this.failures;
    const wait = waitUntil(failures, now());
    if (wait !== null) return fail('throttled', throttledMessage(wait, now()), wait);
    const [officers, verifiers] = await Promise.all([readOfficers(store), readVerifiers(store)]);
    const verified = await verifyOfficer(officers, username, password, verifiers);
    const { db } = store;
    if (verified === null) {
      const next = afterFailure(failures, now());
      this.failures = next;
      await store.setMeta(OFFICER_META.failures, next).catch(bookkeepingFailed);
      if (next.until > 0) return fail('throttled', `Tên đăng nhập hoặc mật khẩu không đúng. ${throttledMessage(next.until, now())}`, next.until);
      // The device holds the list anyway: saying the account is disabled tells nothing it does not.
      if (isDisabled(officers, username)) return fail('disabled', 'Tài khoản này đã bị vô hiệu hoá. Hãy liên hệ quản trị viên.');
      return fail('bad_credentials', 'Tên đăng nhập hoặc mật khẩu không đúng.');
    }
    this.failures = NO_FAILURES;
    if (failures.count > 0 || verified.upgrade !== null) {
      await db
        .transaction('rw', db.meta, async () => {
          const writes = [db.meta.put({ key: OFFICER_META.failures, value: NO_FAILURES })];
          if (verified.upgrade !== null) {
            writes.push(db.meta.put({ key: OFFICER_META.verifiers, value: { ...verifiers, [verified.officer.id]: verified.upgrade } }));
          }
          await Promise.all(writes);
        })
        .catch(bookkeepingFailed);
    }
    return { ok: true, officer: verified.officer };
  }
}
