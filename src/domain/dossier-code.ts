/**
 * Dossier codes `{unit}-{YYMMDD}-{NNNN}` (Circular 03/2025/TT-VPCP, after Circular 01/2018 art. 19)
 * and the allocation of NNNN so that codes stay unique across a unit's devices while all of them
 * are offline. The scheme and its limits are explained in docs/dossier-codes.md.
 */
import { AppError } from './errors.ts';
import { addDaysKey, isValidDayKey, vnDayKey } from './time.ts';

export { addDaysKey } from './time.ts';

/** Block numbers the server hands out per unit and day; 9000 and above are the offline fallback. */
export const BLOCK_MIN = 1;
export const BLOCK_MAX = 8999;
/** Each device of a unit has a distinct ordinal in 0..MAX_ORDINAL (its slice of the fallback). */
export const MAX_ORDINAL = 9;
const FALLBACK_4 = 100; // 9000 + d*100 + k, k < 100
const FALLBACK_5 = 1000; // 90000 + d*1000 + k, k < 1000
/** How many fallback numbers one device can use per day before intake must stop. */
export const FALLBACK_PER_DAY = FALLBACK_4 + FALLBACK_5;
/** Fallback counters are kept this long so a clock set back a few days cannot reuse numbers. */
export const FALLBACK_MEMORY_DAYS = 31;

const UNIT = /^[0-9A-Za-z.]+$/;

export function formatDossierCode(unit: string, day: string, n: number): string {
  if (!UNIT.test(unit)) throw new AppError('invalid_dossier_code', `bad unit code: ${unit}`);
  if (!isValidDayKey(day)) throw new AppError('invalid_dossier_code', `bad day: ${day}`);
  if (!Number.isInteger(n) || n < 1 || n > 99999) throw new AppError('invalid_dossier_code', `bad number: ${n}`);
  return `${unit}-${day}-${String(n).padStart(4, '0')}`;
}

/** The parts of a code, or null when it is not one this app could have printed. */
export function parseDossierCode(code: string): { unit: string; day: string; number: number } | null {
  const m = /^([0-9A-Za-z.]+)-(\d{6})-(\d{4,5})$/.exec(code.trim());
  if (!m) return null;
  const [, unit = '', day = '', digits = ''] = m;
  const number = Number(digits);
  if (!isValidDayKey(day) || number < 1) return null;
  // Only the canonical spelling: '01234' and '1234' must not both name dossier 1234.
  if (digits.length === 5 && digits.startsWith('0')) return null;
  return { unit, day, number };
}

export interface NumberBlock {
  day: string;
  start: number;
  end: number;
  /** Next unused number of the block; the block is used up when next > end. */
  next: number;
}

export interface NumberPool {
  blocks: NumberBlock[];
  /** Per day: how many fallback numbers this device has used. */
  fallback: Record<string, number>;
}

export const emptyPool = (): NumberPool => ({ blocks: [], fallback: {} });

/**
 * Adds a block granted by the server. Throws on a block outside 1..8999 or overlapping one already
 * held for that day: either would break uniqueness, so it is a server or storage fault, not input.
 */
export function addBlock(pool: NumberPool, block: { day: string; start: number; end: number }): NumberPool {
  const { day, start, end } = block;
  const valid =
    isValidDayKey(day) && Number.isInteger(start) && Number.isInteger(end) &&
    start >= BLOCK_MIN && end <= BLOCK_MAX && start <= end;
  if (!valid) throw new AppError('invalid_block', `bad number block ${day} ${start}-${end}`);
  const overlap = pool.blocks.some((b) => b.day === day && b.start <= end && start <= b.end);
  if (overlap) throw new AppError('invalid_block', `block ${day} ${start}-${end} overlaps one already held`);
  return { ...pool, blocks: [...pool.blocks, { day, start, end, next: start }] };
}

/**
 * Takes the next number for `day`. Pure: the caller stores the returned pool in the same transaction
 * as the dossier that uses the number, so a number is never handed out twice after a crash.
 */
export function takeNumber(
  pool: NumberPool,
  day: string,
  ordinal: number,
): { number: number; source: 'block' | 'fallback'; pool: NumberPool } {
  checkOrdinal(ordinal);
  const i = pool.blocks.findIndex((b) => b.day === day && b.next <= b.end);
  const block = pool.blocks[i];
  if (block) {
    const blocks = pool.blocks.slice();
    blocks[i] = { ...block, next: block.next + 1 };
    return { number: block.next, source: 'block', pool: { ...pool, blocks } };
  }
  return { number: fallbackNumber(ordinal, pool.fallback[day] ?? 0), source: 'fallback', pool: bumpFallback(pool, day) };
}

/**
 * The k-th fallback number of device `ordinal`. 9000-9999 is cut into ten slices of 100, one per
 * ordinal; after those, 90000-99999 into ten slices of 1000. The two ranges cannot collide with each
 * other or with blocks: block numbers print as four digits below 9000, the first fallback as four
 * digits from 9000, the second as five digits, so the printed codes differ even in length.
 */
export function fallbackNumber(ordinal: number, k: number): number {
  checkOrdinal(ordinal);
  if (k < FALLBACK_4) return 9000 + ordinal * FALLBACK_4 + k;
  if (k < FALLBACK_PER_DAY) return 90000 + ordinal * FALLBACK_5 + (k - FALLBACK_4);
  throw new AppError('numbers_exhausted', `device ${ordinal} has used all ${FALLBACK_PER_DAY} offline numbers for the day`);
}

function checkOrdinal(ordinal: number): void {
  if (!Number.isInteger(ordinal) || ordinal < 0 || ordinal > MAX_ORDINAL) {
    throw new AppError('invalid_ordinal', `device ordinal must be 0..${MAX_ORDINAL}, got ${ordinal}`);
  }
}

function bumpFallback(pool: NumberPool, day: string): NumberPool {
  return { ...pool, fallback: { ...pool.fallback, [day]: (pool.fallback[day] ?? 0) + 1 } };
}

/**
 * Drops blocks of days before `today` (their unused numbers become gaps, which is expected) and
 * fallback counters older than FALLBACK_MEMORY_DAYS.
 */
export function pruneBlocks(pool: NumberPool, today: string): NumberPool {
  const oldest = addDaysKey(today, -FALLBACK_MEMORY_DAYS);
  const fallback: Record<string, number> = {};
  for (const [day, used] of Object.entries(pool.fallback)) if (day >= oldest) fallback[day] = used;
  // YYMMDD keys compare as strings in calendar order within the century.
  return { blocks: pool.blocks.filter((b) => b.day >= today), fallback };
}

/** Unused block numbers held for a day (fallback numbers not counted). */
export function freeNumbers(pool: NumberPool, day: string): number {
  return pool.blocks.reduce((sum, b) => (b.day === day ? sum + Math.max(0, b.end - b.next + 1) : sum), 0);
}

/**
 * The days number blocks may be reserved for, seen from the server's clock at `now` (ms): yesterday (a
 * device a little behind midnight) to `aheadDays` after today, Vietnam time (rule S21). The server
 * refuses a day outside it; a device asks only inside it, reckoned from the server's time in the
 * Welcome, so a device whose own clock is days off is never refused for it.
 */
export function reserveWindow(now: number, aheadDays: number): { first: string; last: string } {
  const today = vnDayKey(now);
  return { first: addDaysKey(today, -1), last: addDaysKey(today, aheadDays) };
}

/** The days among `count` days from `fromDay` that hold fewer than `minFree` block numbers. */
export function daysNeedingBlocks(pool: NumberPool, fromDay: string, count: number, minFree: number): string[] {
  const days: string[] = [];
  for (let i = 0; i < count; i++) {
    const day = addDaysKey(fromDay, i);
    if (freeNumbers(pool, day) < minFree) days.push(day);
  }
  return days;
}

/**
 * Per day, the span of block numbers the device holds (lowest start to highest end), in day order:
 * told to the server with each reservation, so a server restored from a backup moves its counters
 * past them and never hands those numbers out again.
 */
export function heldSpans(pool: NumberPool): { day: string; start: number; end: number }[] {
  const spans = new Map<string, { day: string; start: number; end: number }>();
  for (const b of pool.blocks) {
    const s = spans.get(b.day);
    spans.set(b.day, s === undefined ? { day: b.day, start: b.start, end: b.end } : { day: b.day, start: Math.min(s.start, b.start), end: Math.max(s.end, b.end) });
  }
  return [...spans.values()].sort((x, y) => (x.day < y.day ? -1 : x.day > y.day ? 1 : 0));
}
