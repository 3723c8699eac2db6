/**
 * Dossier-number blocks, shared by every store adapter so they cannot disagree on the arithmetic.
 * A counter holds the next free number of one (unit, day); blocks never cross SERVER_NUMBER_MAX.
 */
import type { Block } from '../../src/protocol/messages.ts';
import { ORDINAL_QUARANTINE_MS, SERVER_NUMBER_MAX, StoreError } from './types.ts';

/** The block a reservation of `size` gets when the day's next free number is `next`; null if exhausted. */
export function takeBlock(day: string, next: number, size: number): { block: Block; next: number } | null {
  if (size < 1 || next > SERVER_NUMBER_MAX) return null;
  const end = Math.min(next + size - 1, SERVER_NUMBER_MAX);
  return { block: { day, start: next, end }, next: end + 1 };
}

/** One day's step of a reservation: move its counter past `raiseTo` (if set), then take a block (if asked). */
export interface CounterStep {
  readonly day: string;
  readonly raiseTo: number | null;
  readonly take: boolean;
}

/**
 * The days a reservation touches, in day order, so two reservations (two nodes) lock counters in one
 * order and never wait on each other in a cycle. A held block moves its day's counter past its end
 * (S10 after a restore, S17); the caller checked it lies within 1..SERVER_NUMBER_MAX.
 */
export function counterSteps(days: readonly string[], held: readonly Block[]): CounterStep[] {
  const raise = new Map<string, number>();
  for (const b of held) raise.set(b.day, Math.max(raise.get(b.day) ?? 0, b.end + 1));
  const asked = new Set(days);
  return [...new Set([...days, ...raise.keys()])].sort().map((day) => ({ day, raiseTo: raise.get(day) ?? null, take: asked.has(day) }));
}

/** The blocks taken, in the order the days were asked. */
export function inDayOrder(days: readonly string[], taken: ReadonlyMap<string, Block>): Block[] {
  return days.flatMap((day) => {
    const b = taken.get(day);
    return b === undefined ? [] : [b];
  });
}

/** Ordinals a new device may not take: live devices', and those of devices revoked recently. */
export function takenOrdinals(devices: Iterable<{ ordinal: number; revokedAt: number | null }>, now: number): number[] {
  const out: number[] = [];
  for (const d of devices) if (d.revokedAt === null || now - d.revokedAt < ORDINAL_QUARANTINE_MS) out.push(d.ordinal);
  return out;
}

/** The lowest ordinal 0-9 not in `used`, or null when the unit has ten live devices. */
export function lowestFreeOrdinal(used: Iterable<number>, max: number): number | null {
  const taken = new Set(used);
  for (let i = 0; i < max; i++) if (!taken.has(i)) return i;
  return null;
}

/** Seqs are stored as JSON text; a row that does not parse back is corruption, not input. */
export function parseSeqs(json: string): number[] {
  const value: unknown = JSON.parse(json);
  if (!Array.isArray(value) || !value.every((n): n is number => Number.isSafeInteger(n))) {
    throw new StoreError('corrupt', 'stored seqs are not an array of integers');
  }
  return value;
}
