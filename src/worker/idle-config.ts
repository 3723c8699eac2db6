/**
 * The idle lock's delay (S23): `idleLockMinutes` in the app's /config.json (public/config.json,
 * precached with the app), 15 minutes when the file or the value is missing or not a positive number.
 */
import { DEFAULT_IDLE_LOCK_MS } from './officer-session.ts';

export async function loadIdleLock(origin: string, doFetch: typeof fetch = fetch): Promise<number> {
  try {
    const res = await doFetch(`${origin}/config.json`);
    if (!res.ok) return DEFAULT_IDLE_LOCK_MS;
    const minutes = ((await res.json()) as { idleLockMinutes?: unknown }).idleLockMinutes;
    return typeof minutes === 'number' && Number.isFinite(minutes) && minutes > 0 ? minutes * 60_000 : DEFAULT_IDLE_LOCK_MS;
  } catch {
    return DEFAULT_IDLE_LOCK_MS;
  }
}
