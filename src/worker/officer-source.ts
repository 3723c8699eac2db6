/**
 * The unit's officers on the device (S23): received at enrollment, then revalidated against the data
 * center's list (GET /api/officers, ETag) each time the sync link comes online, and replaced in one
 * IndexedDB write. Beside them, in the same meta table: the device's upgraded verifiers
 * (officer-auth.ts) and the failed sign-ins (login-throttle.ts).
 */
import { OFFICERS_PATH, type OfficerCredential, type OfficersResponse } from '../protocol/http.ts';
import { META, type DeviceInfo, type LocalStore } from './local-store.ts';
import { NO_FAILURES, type LoginFailures } from './login-throttle.ts';
import { verifierFits, type Verifiers } from './officer-auth.ts';

export const OFFICER_META = {
  /** StoredOfficers; replaces META.officers (a bare array), which devices enrolled before still hold. */
  list: 'officerList',
  verifiers: 'officerVerifiers',
  failures: 'loginFailures',
} as const;

export interface StoredOfficers {
  /** The server's ETag of this list, null for the list received at enrollment. */
  readonly etag: string | null;
  readonly officers: readonly OfficerCredential[];
}

export async function readOfficers(store: LocalStore): Promise<readonly OfficerCredential[]> {
  const stored = await store.getMeta<StoredOfficers>(OFFICER_META.list);
  if (stored !== undefined) return stored.officers;
  return (await store.getMeta<OfficerCredential[]>(META.officers)) ?? [];
}

export async function readVerifiers(store: LocalStore): Promise<Verifiers> {
  return (await store.getMeta<Verifiers>(OFFICER_META.verifiers)) ?? {};
}

export async function readFailures(store: LocalStore): Promise<LoginFailures> {
  return (await store.getMeta<LoginFailures>(OFFICER_META.failures)) ?? NO_FAILURES;
}

/** The list at enrollment, written in the enrollment's transaction by the caller. */
export async function putEnrolledOfficers(store: LocalStore, officers: readonly OfficerCredential[]): Promise<void> {
  const stored: StoredOfficers = { etag: null, officers };
  await store.setMeta(OFFICER_META.list, stored);
}

/**
 * Asks the data center for the unit's officers. Returns the new list once stored, or null when it is
 * unchanged (304) or could not be had (offline, refused, a malformed answer): the device keeps its list.
 */
export async function refreshOfficers(
  store: LocalStore,
  origin: string,
  device: DeviceInfo,
  doFetch: typeof fetch,
): Promise<readonly OfficerCredential[] | null> {
  const stored = await store.getMeta<StoredOfficers>(OFFICER_META.list);
  const headers: Record<string, string> = { authorization: `Bearer ${device.token}` };
  if (stored?.etag != null) headers['if-none-match'] = `"${stored.etag}"`;
  let res: Response;
  try {
    res = await doFetch(`${origin}${OFFICERS_PATH}`, { headers });
  } catch {
    return null;
  }
  if (res.status !== 200) return null;
  const body = (await res.json().catch(() => null)) as OfficersResponse | null;
  if (body === null || !Array.isArray(body.officers)) return null;
  const etag = (res.headers.get('etag') ?? '').replace(/^W\//, '').replace(/^"|"$/g, '');
  const next: StoredOfficers = { etag: etag === '' ? null : etag, officers: body.officers };
  const { db } = store;
  await db.transaction('rw', db.meta, async () => {
    // A verifier whose server record changed (a reset) goes with the list that changed it.
    const verifiers = (await db.meta.get(OFFICER_META.verifiers))?.value as Verifiers | undefined;
    const kept = Object.fromEntries(
      Object.entries(verifiers ?? {}).filter(([id, v]) => {
        const o = body.officers.find((x) => x.id === id);
        return o !== undefined && verifierFits(v, o);
      }),
    );
    await Promise.all([db.meta.put({ key: OFFICER_META.list, value: next }), db.meta.put({ key: OFFICER_META.verifiers, value: kept })]);
  });
  return body.officers;
}
