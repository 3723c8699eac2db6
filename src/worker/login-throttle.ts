/**
 * The growing delay after failed sign-ins on a device (S23): the first FREE_FAILURES cost nothing,
 * then each failure makes the next attempt wait 30 s, doubling up to 15 minutes; a successful sign-in
 * clears it. Kept in IndexedDB (officer-source.ts) so that a reload does not clear it.
 */
export const FREE_FAILURES = 5;
export const FIRST_DELAY_MS = 30_000;
export const MAX_DELAY_MS = 15 * 60_000;

export interface LoginFailures {
  /** Failures since the last successful sign-in. */
  readonly count: number;
  /** No attempt is checked before this time (ms); 0 when none is due. */
  readonly until: number;
}

export const NO_FAILURES: LoginFailures = { count: 0, until: 0 };

export function delayAfter(count: number): number {
  if (count < FREE_FAILURES) return 0;
  return Math.min(FIRST_DELAY_MS * 2 ** (count - FREE_FAILURES), MAX_DELAY_MS);
}

export function afterFailure(f: LoginFailures, now: number): LoginFailures {
  const count = f.count + 1;
  const delay = delayAfter(count);
  return { count, until: delay === 0 ? 0 : now + delay };
}

/** When the next attempt may be made, or null if it may be made now. */
export function waitUntil(f: LoginFailures, now: number): number | null {
  return f.until > now ? f.until : null;
}
