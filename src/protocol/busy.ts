/**
 * The Busy close (CloseCode.Busy): a server node shedding load in a reconnect storm closes a new
 * catch-up connection before its Welcome, with a reason naming when to come back. The device waits
 * that long (with jitter), instead of its growing backoff: it is not a failure of the link.
 */

/** The close reason of a Busy refusal: `busy retry=<ms>`. */
export const busyReason = (retryMs: number): string => `busy retry=${Math.max(0, Math.round(retryMs))}`;

/** The retry hint of a Busy close reason, or null when the reason is not one. */
export function retryHint(reason: string): number | null {
  const m = /^busy retry=(\d{1,6})$/.exec(reason);
  return m === null ? null : Number(m[1]);
}
