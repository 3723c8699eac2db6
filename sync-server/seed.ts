/**
 * First-start data: Đà Nẵng's 94 commune-level units (reference data copied into sync-server/data/,
 * sources in units.meta.json) and a demo commune, Phường Thanh Khê (20209), with two officers and one
 * single-use enrollment code, so a fresh install can be tried end to end without an admin.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isUnitCode } from '../src/protocol/doc-names.ts';
import { hashEnrollmentCode, hashPassword, newEnrollmentCode } from './auth.ts';
import { StoreError, type OfficerRole, type SyncStore, type Unit } from './store/types.ts';

export const DEMO_UNIT = '20209';
export const DEMO_PASSWORD = 'demo1234';
export const DEMO_OFFICERS: readonly { username: string; displayName: string; role: OfficerRole }[] = [
  { username: 'demo', displayName: 'Cán bộ Demo', role: 'counter' },
  { username: 'lanhdao', displayName: 'Lãnh đạo Demo', role: 'leader' },
];
/** The demo code is kept in clear (it is printed at each start until used); real codes never are. */
export const DEMO_CODE_SETTING = 'demo_enrollment_code';

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

/** Seeds an empty store (no units yet); returns whether it did. Later starts change nothing. */
export async function seedIfEmpty(store: SyncStore, now = Date.now()): Promise<boolean> {
  if ((await store.listUnits()).length > 0) return false;
  await store.putUnits(loadUnits());
  for (const o of DEMO_OFFICERS) {
    const pw = await hashPassword(DEMO_PASSWORD);
    await store.putOfficer({ id: randomUUID(), unit: DEMO_UNIT, ...o, ...pw });
  }
  const code = newEnrollmentCode();
  await store.createEnrollment({
    codeHash: hashEnrollmentCode(code),
    unit: DEMO_UNIT,
    role: 'counter',
    usesLeft: 1,
    expiresAt: null,
    createdAt: now,
  });
  await store.setSetting(DEMO_CODE_SETTING, code);
  return true;
}

/** The demo enrollment code while it still has a use, else null. */
export async function unusedDemoCode(store: SyncStore): Promise<string | null> {
  const code = await store.getSetting(DEMO_CODE_SETTING);
  if (code === null) return null;
  const enrollment = await store.getEnrollment(hashEnrollmentCode(code));
  return enrollment !== null && enrollment.usesLeft > 0 ? code : null;
}
