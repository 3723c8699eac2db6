/**
 * Plumbing every WebSocket connection shares, whatever it speaks: in-order handling with backpressure,
 * a rate limit, liveness, and turning a thrown error into a close code for that one socket.
 * A failure here must never reach the process: the server keeps serving every other device (S8).
 */
import type { WebSocket } from 'ws';
import { AppError } from '../src/domain/errors.ts';
import { CloseCode } from '../src/protocol/constants.ts';
import { ProtocolError } from '../src/protocol/messages.ts';

export type LogFn = (line: string) => void;

/** One JSON line per event, for machines (the e2e harness reads push_ack). Never personal data. */
export function logEvent(log: LogFn, ev: string, fields: Record<string, string | number | boolean>): void {
  log(JSON.stringify({ ev, ...fields }));
}

/** Thrown by a handler to end its connection with a specific close code. */
export class CloseRequest extends AppError {
  readonly closeCode: CloseCode;
  constructor(closeCode: CloseCode, reason: string) {
    super('close', reason);
    this.closeCode = closeCode;
  }
}

/**
 * A refusal of what a device sent or asked for, by a rule (S9 scope, S19 writer, S20 grant, S21 quota):
 * closes its socket with the code and is logged as `refused` (logRefusal), without personal data.
 */
export class Refusal extends CloseRequest {
  constructor(
    closeCode: CloseCode,
    readonly rule: string,
    reason: string,
  ) {
    super(closeCode, reason);
  }
}

/** Logs a refusal; anything else thrown is logged (or not) by the caller. */
export function logRefusal(log: LogFn, device: { readonly id: string; readonly unit: string }, err: unknown, channel: string): void {
  if (err instanceof Refusal) logEvent(log, 'refused', { device: device.id, unit: device.unit, code: err.closeCode, rule: err.rule, channel, reason: err.message });
}

/** How long a peer gets to answer our close frame before its socket is destroyed. */
const CLOSE_GRACE_MS = 2_000;

/** Closes with a code once; a peer that never completes the close handshake is cut after a grace. */
export function closeWith(ws: WebSocket, code: number, reason: string): void {
  if (ws.readyState !== ws.OPEN && ws.readyState !== ws.CONNECTING) return;
  // Close reasons are limited to 123 bytes; ours are short ASCII tags.
  ws.close(code, reason.slice(0, 100));
  setTimeout(() => ws.terminate(), CLOSE_GRACE_MS).unref();
}

/** The close code for an error thrown while handling a frame. */
export function closeCodeFor(err: unknown): { code: CloseCode; reason: string } {
  if (err instanceof CloseRequest) return { code: err.closeCode, reason: err.message };
  if (err instanceof ProtocolError) return { code: CloseCode.BadFrame, reason: 'bad frame' };
  // Storage and unexpected failures: the device keeps its data and retries later.
  return { code: CloseCode.ServerError, reason: 'server error' };
}

/** Token bucket: bursts up to `capacity`, refilled at `perSecond`. */
export class TokenBucket {
  private tokens: number;
  private last: number;
  constructor(
    private readonly capacity: number,
    private readonly perSecond: number = capacity,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = capacity;
    this.last = now();
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((t - this.last) / 1000) * this.perSecond);
    this.last = t;
  }

  /** Whether a token is available, without taking it. */
  has(): boolean {
    this.refill();
    return this.tokens >= 1;
  }

  take(): boolean {
    if (!this.has()) return false;
    this.tokens -= 1;
    return true;
  }
}

/**
 * Frames queued for handling before the socket stops reading (TCP then slows the sender). Small, so
 * that hundreds of devices reconnecting at once hold a few frames each in memory, not their backlog.
 */
const HIGH_WATER = 4;

/**
 * Runs a connection's frame handlers one at a time, in arrival order: a Pull that follows a Push sees
 * it, and a device's batches are committed in the order it sent them. A handler that throws closes the
 * connection through `onError`; later frames of a closed socket are dropped.
 */
export class SerialQueue {
  private tail: Promise<void> = Promise.resolve();
  private pending = 0;
  /** Only a pause of our own is lifted here: a shutdown pauses sockets too and must stay paused. */
  private pausedHere = false;
  constructor(
    private readonly ws: WebSocket,
    private readonly onError: (err: unknown) => void,
  ) {}

  push(task: () => Promise<void>): void {
    this.pending++;
    if (this.pending === HIGH_WATER && !this.ws.isPaused) {
      this.ws.pause();
      this.pausedHere = true;
    }
    this.tail = this.tail
      .then(async () => {
        if (this.ws.readyState === this.ws.OPEN) await task();
      })
      .catch(this.onError)
      .finally(() => {
        this.pending--;
        if (this.pending === HIGH_WATER / 2 && this.pausedHere) {
          this.pausedHere = false;
          this.ws.resume();
        }
      });
  }

  /** Frames taken in and not yet handled: the session is working for its device (admission.ts). */
  get busy(): boolean {
    return this.pending > 0;
  }

  /** Resolves when everything queued so far has been handled. */
  drained(): Promise<void> {
    return this.tail;
  }
}

export interface HeartbeatOptions {
  readonly pingIntervalMs: number;
  readonly pingTimeoutMs: number;
}

interface Tracked {
  lastSeen: number;
  readonly appPing: (() => void) | undefined;
}

/**
 * One timer for all connections: every interval each live socket gets a WebSocket ping (browsers
 * answer those by themselves) and, where the protocol has one, an application Ping (browsers cannot
 * see ping frames). A socket silent for pingTimeoutMs is a half-open link: it gets a Timeout close, and
 * is destroyed after the close grace since a dead peer never answers the close frame.
 */
export class Heartbeat {
  private readonly peers = new Map<WebSocket, Tracked>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly opts: HeartbeatOptions) {
    this.timer = setInterval(() => this.tick(), opts.pingIntervalMs);
    this.timer.unref();
  }

  /** Tracks `ws` until it closes; returns the function that marks it alive. */
  add(ws: WebSocket, appPing?: () => void): () => void {
    const tracked: Tracked = { lastSeen: Date.now(), appPing };
    this.peers.set(ws, tracked);
    const touch = (): void => {
      tracked.lastSeen = Date.now();
    };
    ws.on('pong', touch);
    ws.once('close', () => this.peers.delete(ws));
    return touch;
  }

  private tick(): void {
    const now = Date.now();
    for (const [ws, t] of this.peers) {
      if (now - t.lastSeen > this.opts.pingTimeoutMs) {
        this.peers.delete(ws);
        closeWith(ws, CloseCode.Timeout, 'timeout');
        continue;
      }
      try {
        ws.ping();
        t.appPing?.();
      } catch {
        // A socket that closed between the check and the ping: its 'close' handler removes it.
      }
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
