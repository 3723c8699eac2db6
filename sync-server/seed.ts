/**
 * First-start data. Every start: Đà Nẵng's 94 commune-level units (reference data copied into
 * sync-server/data/, sources in units.meta.json), once. Demo mode only (`npm start`): a demo commune,
 * Phường Thanh Khê (20209), with two officers and a single-use enrollment code that expires, so a
 * fresh install can be tried end to end without an admin. A production start (`npm run serve`) never
 * makes demo data and refuses to run on a store that has some (productionProblems).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isUnitCode } from '../src/protocol/doc-names.ts';
import { hashEnrollmentCode, hashPassword, newEnrollmentCode } from './auth.ts';
import { StoreError, type OfficerRole, type SyncStore, type Unit } from './store/types.ts';

export const DEMO_UNIT = '20209';
/** Officer passwords need 10 characters or more (S23): the demo's too. */
export const DEMO_PASSWORD = 'demo123456';
export const DEMO_OFFICERS: readonly { username: string; displayName: string; role: OfficerRole }[] = [
  { username: 'demo', displayName: 'Cán bộ Demo', role: 'counter' },
  { username: 'lanhdao', displayName: 'Lãnh đạo Demo', role: 'leader' },
];
/** The demo code is kept in clear (it is printed at each demo start while it works); real codes never are. */
export const DEMO_CODE_SETTING = 'demo_enrollment_code';
/** Set when demo officers are made: the store holds demo data from then on. */
export const DEMO_MARKER_SETTING = 'demo_data';
/** The demo code's life; a demo start after it expired (or was used) makes a new one. */
export const DEMO_CODE_TTL_MS = 7 * 86_400_000;

/** Reads and checks the units file the PWA also loads: a broken file must stop the server, not seed half. */
export function loadUnits(): Unit[] {
  const raw: unknown = JSON.parse(readFileSync(new URL('../public/data/units.json', import.meta.url), 'utf8'));
  if (!Array.isArray(raw)) throw new StoreError('bad_seed', 'units.json is not an array');
  return raw.map((u: unknown) => {
    const { code, name } = (u ?? {}) as { code?: unknown; name?: unknown };
    if (typeof code !== 'string' || !isUnitCode(code) || typeof name !== 'string' || name === '') {
      throw new StoreError('bad_seed', `units.json: bad entry ${JSON.stringify(u)}`);
    }
    return { code, name };
  });
}

/** Seeds the units into a store that has none; returns whether it did. Later starts change nothing. */
export async function seedIfEmpty(store: SyncStore): Promise<boolean> {
  if ((await store.listUnits()).length > 0) return false;
  await store.putUnits(loadUnits());
  return true;
}

export interface DemoSeed {
  /** Whether the demo officers were made by this call (first demo start on this store). */
  readonly officersCreated: boolean;
  /** The demo enrollment code that works now, and when it expires. */
  readonly code: string;
  readonly expiresAt: number;
}

/**
 * Demo mode: the demo officers once (and the marker that says this store holds demo data), and a demo
 * code that works: the one printed before while it has its use and time, else a new one.
 */
export async function seedDemo(store: SyncStore, now = Date.now()): Promise<DemoSeed> {
  const officersCreated = (await store.getSetting(DEMO_MARKER_SETTING)) === null;
  if (officersCreated) {
    // The marker first: a start cut short between the two still counts as demo data in production.
    await store.setSetting(DEMO_MARKER_SETTING, String(now));
    for (const o of DEMO_OFFICERS) {
      await store.putOfficer({ id: randomUUID(), unit: DEMO_UNIT, ...o, ...(await hashPassword(DEMO_PASSWORD)) });
    }
  }
  const kept = await store.getSetting(DEMO_CODE_SETTING);
  const enrollment = kept === null ? null : await store.getEnrollment(hashEnrollmentCode(kept));
  if (kept !== null && enrollment !== null && enrollment.usesLeft > 0 && enrollment.expiresAt !== null && enrollment.expiresAt > now) {
    return { officersCreated, code: kept, expiresAt: enrollment.expiresAt };
  }
  const code = newEnrollmentCode();
  const expiresAt = now + DEMO_CODE_TTL_MS;
  await store.createEnrollment({ codeHash: hashEnrollmentCode(code), unit: DEMO_UNIT, role: 'counter', usesLeft: 1, expiresAt, createdAt: now });
  await store.setSetting(DEMO_CODE_SETTING, code);
  return { officersCreated, code, expiresAt };
}

/** Whether the store holds demo data (the server answers `demo: true` in /api/health then). */
export async function isDemoStore(store: SyncStore): Promise<boolean> {
  return (await store.getSetting(DEMO_MARKER_SETTING)) !== null || (await store.getSetting(DEMO_CODE_SETTING)) !== null;
}

/**
 * Why a production start must refuse this store (bilingual lines), empty when it may run: demo officers
 * (the marker, or the demo usernames in the demo unit, as versions before the marker seeded them) and
 * an enrollment code without expiry that still has a use (earlier versions' demo seed made such codes;
 * the admin API always sets an expiry, admin.ts), and the demo code.
 */
export async function productionProblems(store: SyncStore): Promise<string[]> {
  const problems: string[] = [];
  const demoNames = new Set(DEMO_OFFICERS.map((o) => o.username));
  const demoOfficers = (await store.listOfficers(DEMO_UNIT)).filter((o) => demoNames.has(o.username));
  if ((await store.getSetting(DEMO_MARKER_SETTING)) !== null || demoOfficers.length > 0) {
    problems.push('có tài khoản cán bộ thử (demo) / demo officer accounts are present');
  }
  const openEnded = await store.countOpenEndedEnrollments();
  if (openEnded > 0) {
    problems.push(`có ${openEnded} mã đăng ký thiết bị không hết hạn / ${openEnded} enrollment code(s) without expiry are present`);
  }
  if ((await store.getSetting(DEMO_CODE_SETTING)) !== null) {
    problems.push('có mã đăng ký thiết bị thử (demo) / a demo enrollment code is present');
  }
  return problems;
}
