/**
 * Per-device quotas (rule S21): what one device may take of a node, whatever it sends. Each refusal
 * closes that device's socket with a named close code the device retries after (never a fatal one),
 * and the node keeps serving every other device. The doc size limit is part of the update checks
 * (trust.ts), since it needs the doc as stored.
 */
import { CloseCode, LIMITS } from '../src/protocol/constants.ts';
import { reserveWindow } from '../src/domain/dossier-code.ts';
import { Refusal } from './conn.ts';

const MINUTE_MS = 60_000;

interface Budget {
  bytes: number;
  at: number;
}

/**
 * Bytes each device sent in the last minute, across all its sockets: a bucket of
 * `perMinute` bytes refilled continuously, so a device that reconnects gets no fresh minute. A bucket
 * that refilled is forgotten (it is the same as a new one), so memory follows the devices active in
 * the last minute.
 */
export class DeviceBytes {
  private readonly budgets = new Map<string, Budget>();
  private lastSweep: number;

  constructor(
    private readonly perMinute: number = LIMITS.maxDeviceBytesPerMinute,
    private readonly now: () => number = Date.now,
  ) {
    this.lastSweep = now();
  }

  /** Takes `bytes` from the device's budget; Refusal ByteQuota when it has not that many left. */
  take(device: string, bytes: number): void {
    const t = this.now();
    this.sweep(t);
    const b = this.budgets.get(device) ?? { bytes: this.perMinute, at: t };
    b.bytes = Math.min(this.perMinute, b.bytes + ((t - b.at) * this.perMinute) / MINUTE_MS);
    b.at = t;
    this.budgets.set(device, b);
    if (bytes > b.bytes) throw new Refusal(CloseCode.ByteQuota, 'S21', 'byte quota');
    b.bytes -= bytes;
  }

  /** Devices with a budget not yet refilled. */
  get tracked(): number {
    return this.budgets.size;
  }

  private sweep(t: number): void {
    if (t - this.lastSweep < MINUTE_MS) return;
    this.lastSweep = t;
    for (const [device, b] of this.budgets) if (b.bytes + ((t - b.at) * this.perMinute) / MINUTE_MS >= this.perMinute) this.budgets.delete(device);
  }
}

/**
 * Number blocks only for days from yesterday (a device whose clock is a little behind) to
 * LIMITS.maxReserveDays after today, Vietnam time: a device cannot use up a commune's numbers of far
 * days (S10, S21). Days are YYMMDD, which compare as strings.
 */
export function checkReserveDays(days: readonly string[], now: number): void {
  const { first, last } = reserveWindow(now, LIMITS.maxReserveDays);
  if (days.some((d) => d < first || d > last)) throw new Refusal(CloseCode.ReserveRange, 'S21', 'reserve: day out of range');
}

/**
 * The refusal of one more socket for a device that has `open` on this node: the newest is refused, so
 * a flood cannot cut the device's working sockets; a link that dropped leaves half-open sockets the
 * heartbeat cuts within a minute, and the device's retry after its backoff then gets in.
 */
export function socketRefusal(open: number): Refusal | null {
  return open >= LIMITS.maxSocketsPerDevice ? new Refusal(CloseCode.TooManySockets, 'S21', 'too many sockets') : null;
}
