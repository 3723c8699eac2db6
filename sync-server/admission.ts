/**
 * Admission of catch-up sessions in a reconnect storm. When a city's devices come back after an
 * outage they all connect within seconds, each with a day's backlog; served all at once, every batch
 * waits behind every other one (seconds per ack, memory for every frame in flight) and clients that
 * give up resend. Instead a node serves at most `maxActive` busy sessions at a time: a connection
 * that arrives while that many are busy is closed at once with Busy (4503) and a retry hint, before
 * it has sent anything, and comes back shortly. A session is busy while it is handling a frame of its
 * device, and for `idleMs` after its last one (the round trip to the device's next request); an
 * admitted session is never refused later.
 */
import type { WebSocket } from 'ws';

export interface AdmissionOptions {
  /** Busy sessions served at once by this node. */
  readonly maxActive: number;
  /** Quiet this long after its last frame, a session no longer counts as busy. */
  readonly idleMs?: number;
}

interface Tracked {
  last: number;
  working: () => boolean;
}

export class Admission {
  private readonly sessions = new Map<WebSocket, Tracked>();
  private readonly idleMs: number;
  refused = 0;

  constructor(
    private readonly opts: AdmissionOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.idleMs = opts.idleMs ?? 250;
  }

  /** Busy sessions right now. */
  busy(): number {
    const t = this.now();
    let n = 0;
    for (const s of this.sessions.values()) if (s.working() || t - s.last < this.idleMs) n++;
    return n;
  }

  /** Admits the socket (it counts as busy from now), or says no. */
  admit(ws: WebSocket): boolean {
    if (this.busy() >= this.opts.maxActive) {
      this.refused++;
      return false;
    }
    const tracked: Tracked = { last: this.now(), working: () => false };
    this.sessions.set(ws, tracked);
    ws.on('message', () => (tracked.last = this.now()));
    ws.once('close', () => this.sessions.delete(ws));
    return true;
  }

  /** Tells how to see whether an admitted socket's session is handling frames. */
  track(ws: WebSocket, working: () => boolean): void {
    const tracked = this.sessions.get(ws);
    if (tracked !== undefined) tracked.working = working;
  }

  /**
   * When to come back: about as long as the sessions ahead need, spread so the refused do not return
   * together (full jitter over 0.5-1.5 of the base).
   */
  retryAfterMs(random: () => number = Math.random): number {
    const base = Math.min(10_000, 500 + 100 * Math.max(0, this.busy() - this.opts.maxActive / 2));
    return Math.round(base * (0.5 + random()));
  }
}
