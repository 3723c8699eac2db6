/**
 * Working time of a one-stop center and the legal deadline of a dossier, in Vietnam time (UTC+7).
 *
 * Conventions (tested in tests/unit/calendar.test.ts):
 * - Working time is the union of the day's `hours` spans on working days, each span half-open
 *   [start, end). A working day is a make-up Saturday, or a weekday not in `daysOff`.
 * - The clock starts at receipt; a dossier received outside working time starts at the next
 *   working instant (12:00 → 13:30, 18:00 → 07:00 of the next working day).
 * - N working days = N × (length of a working day) of working time from the start, which lands at the
 *   SAME TIME OF DAY N working days later: received Fri 10:00, 3 days → Wed 10:00 after a weekend.
 *   A moment that falls exactly on the end of a span is written as the start of the next span
 *   (received 07:00, 1 day → 07:00 the next working day, not 17:00 the same day): both are the same
 *   amount of working time, and this keeps "same time of day" true at the edges.
 * - Same-day procedures (0 days) are due at the end of the working day of the start; with the 15:00
 *   rule, a dossier received after 15:00 (strictly) is due at the end of the next working day.
 * - Waiting for a supplement pauses the clock: the due date moves later by the working time that the
 *   pauses covered (overlapping pauses count once).
 */
import { AppError } from './errors.ts';
import { computeYear, isWeekend, parseSchedules, type ComputeOptions } from './holidays.ts';
import { VN_OFFSET_MS, vnIsoDay } from './time.ts';

export interface WorkCalendar {
  /** Working spans of a day, 'HH:mm', in order. */
  hours: { start: string; end: string }[];
  /** YYYY-MM-DD days with no work (holidays, compensations, swapped days; weekends may be listed). */
  daysOff: Set<string>;
  /** Saturdays (or Sundays) that are working days by the yearly notice. */
  makeUpDays: Set<string>;
  /** Years whose holidays are known; outside them only weekends are off. */
  years?: number[];
}

export const DEFAULT_HOURS: readonly { start: string; end: string }[] = [
  { start: '07:00', end: '11:30' },
  { start: '13:30', end: '17:00' },
];

/** Same-day procedures received after this time of day are due the next working day. */
export const SAME_DAY_CUTOFF = '15:00';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
/** A deadline search that walks further than this is a calendar with no working days. */
const MAX_DAYS = 3_660;

export interface BuildOptions extends ComputeOptions {
  /** Years to cover; default: 2024-2040 and every year with a published schedule. */
  years?: number[];
  hours?: { start: string; end: string }[];
}

/**
 * The calendar from holidays.json (loaded at run time as data). `holidaysJson` may be null when the
 * file is unavailable: every year is then computed. Throws AppError on a malformed schedule or hours.
 */
export function buildCalendar(holidaysJson: unknown, opts: BuildOptions = {}): WorkCalendar {
  const hours = (opts.hours ?? DEFAULT_HOURS).map((h) => ({ ...h }));
  parseHours(hours);
  const schedules = parseSchedules(holidaysJson);
  const years = new Set(opts.years ?? [...range(2024, 2040), ...schedules.keys()]);
  const daysOff = new Set<string>();
  const makeUpDays = new Set<string>();
  for (const year of years) {
    const s = schedules.get(year) ?? computeYear(year, holidaysJson, opts);
    for (const d of s.daysOff) daysOff.add(d);
    for (const d of s.makeUpWorkingDays) makeUpDays.add(d);
  }
  return { hours, daysOff, makeUpDays, years: [...years].sort((a, b) => a - b) };
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

const toMinutes = (hhmm: string): number | null => {
  const m = /^([01]\d|2[0-4]):([0-5]\d)$/.exec(hhmm);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
};

interface Span {
  start: number;
  end: number;
}

/** Spans in ms from midnight; throws on spans that are malformed, empty or out of order. */
function parseHours(hours: readonly { start: string; end: string }[]): Span[] {
  const spans: Span[] = [];
  for (const h of hours) {
    const s = toMinutes(h.start);
    const e = toMinutes(h.end);
    const prev = spans[spans.length - 1];
    if (s === null || e === null || e > 24 * 60 || s >= e || (prev !== undefined && s * MINUTE_MS < prev.end)) {
      throw new AppError('invalid_hours', `bad working hours ${h.start}-${h.end}`);
    }
    spans.push({ start: s * MINUTE_MS, end: e * MINUTE_MS });
  }
  if (spans.length === 0) throw new AppError('invalid_hours', 'no working hours');
  return spans;
}

const spanCache = new WeakMap<object, Span[]>();
function spansOf(cal: WorkCalendar): Span[] {
  let s = spanCache.get(cal.hours);
  if (s === undefined) {
    s = parseHours(cal.hours);
    spanCache.set(cal.hours, s);
  }
  return s;
}

/** Length of one working day (8 h with the default hours). */
export function workingDayMs(cal: WorkCalendar): number {
  return spansOf(cal).reduce((sum, s) => sum + s.end - s.start, 0);
}

/** UTC ms of 00:00 in Vietnam of the day holding `ms`. */
const vnMidnight = (ms: number): number => Math.floor((ms + VN_OFFSET_MS) / DAY_MS) * DAY_MS - VN_OFFSET_MS;

export function isWorkingDay(cal: WorkCalendar, isoDay: string): boolean {
  if (cal.makeUpDays.has(isoDay)) return true;
  if (cal.daysOff.has(isoDay)) return false;
  return !isWeekend(isoDay);
}

const finite = (ms: number, what: string): void => {
  if (!Number.isFinite(ms)) throw new AppError('invalid_time', `${what} is not a time: ${String(ms)}`);
};

/**
 * The instant after `amountMs` of working time from `from` (half-open: an end of span is written as
 * the next span's start). With amount 0: the first working instant at or after `from`.
 */
function addWorking(cal: WorkCalendar, from: number, amountMs: number): number {
  finite(from, 'start');
  const spans = spansOf(cal);
  let remaining = amountMs;
  let day = vnMidnight(from);
  const limit = MAX_DAYS + Math.ceil(amountMs / DAY_MS) * 2;
  for (let i = 0; i < limit; i++, day += DAY_MS) {
    if (!isWorkingDay(cal, vnIsoDay(day))) continue;
    for (const span of spans) {
      const end = day + span.end;
      if (end <= from) continue;
      const begin = Math.max(day + span.start, from);
      if (remaining === 0) return begin;
      const available = end - begin;
      if (available > remaining) return begin + remaining;
      remaining -= available;
    }
  }
  throw new AppError('no_working_days', 'the calendar has no working time in reach');
}

/** The first working instant at or after `ms`. */
export function nextWorkingTime(cal: WorkCalendar, ms: number): number {
  return addWorking(cal, ms, 0);
}

/** N working days after `fromMs` at the same time of day (a start outside hours moves forward first). */
export function addWorkingDays(cal: WorkCalendar, fromMs: number, days: number): number {
  if (!Number.isInteger(days) || days < 0) throw new AppError('invalid_days', `not a number of working days: ${days}`);
  return addWorking(cal, fromMs, days * workingDayMs(cal));
}

/** Working time in [a, b); negative when b is before a. */
export function workingMsBetween(cal: WorkCalendar, a: number, b: number): number {
  finite(a, 'start');
  finite(b, 'end');
  if (b < a) return -workingMsBetween(cal, b, a);
  const spans = spansOf(cal);
  let sum = 0;
  for (let day = vnMidnight(a); day < b; day += DAY_MS) {
    if (!isWorkingDay(cal, vnIsoDay(day))) continue;
    for (const span of spans) sum += Math.max(0, Math.min(b, day + span.end) - Math.max(a, day + span.start));
  }
  return sum;
}

/** End of the last span of the working day holding the working instant `ms`. */
function endOfDay(cal: WorkCalendar, ms: number): number {
  const spans = spansOf(cal);
  return vnMidnight(ms) + (spans[spans.length - 1]?.end ?? 0);
}

export interface DueInput {
  receivedAt: number;
  /** Statutory time in working days; 0 = same day. */
  processingDays: number;
  /** Extra working hours (procedures whose time is stated in giờ); default 0. */
  processingHours?: number;
  sameDay15hRule: boolean;
  /** Supplement waits; `to: null` = still waiting. */
  pauses: readonly { from: number; to: number | null }[];
  /**
   * Counts an open pause up to now. Without it an open pause means the clock is stopped and the
   * due date is unknown: the result is +Infinity (never overdue; print "chờ bổ sung").
   */
  now?: number;
}

/** The legal due instant of a dossier (ms). See the conventions at the top of this file. */
export function dueAt(cal: WorkCalendar, input: DueInput): number {
  const { receivedAt, processingDays } = input;
  const hours = input.processingHours ?? 0;
  if (!Number.isInteger(processingDays) || processingDays < 0 || !(hours >= 0)) {
    throw new AppError('invalid_days', `bad processing time: ${processingDays} days, ${hours} hours`);
  }
  const start = nextWorkingTime(cal, receivedAt);
  let due: number;
  if (processingDays === 0 && hours === 0) {
    const cutoff = vnMidnight(receivedAt) + (toMinutes(SAME_DAY_CUTOFF) ?? 0) * MINUTE_MS;
    const nextDay = input.sameDay15hRule && vnMidnight(start) === vnMidnight(receivedAt) && receivedAt > cutoff;
    due = endOfDay(cal, nextDay ? nextWorkingTime(cal, endOfDay(cal, start)) : start);
  } else {
    due = addWorking(cal, start, processingDays * workingDayMs(cal) + hours * 3_600_000);
  }
  const paused = pausedWorkingMs(cal, input, receivedAt);
  return paused > 0 ? addWorking(cal, due, paused) : paused === 0 ? due : Number.POSITIVE_INFINITY;
}

/** Working time covered by the union of the pauses after receipt; -1 when one is open without `now`. */
function pausedWorkingMs(cal: WorkCalendar, input: DueInput, receivedAt: number): number {
  const spans: [number, number][] = [];
  for (const p of input.pauses) {
    const to = p.to ?? input.now;
    if (to === undefined) return -1;
    const from = Math.max(p.from, receivedAt);
    if (to > from) spans.push([from, to]);
  }
  spans.sort((x, y) => x[0] - y[0]);
  let sum = 0;
  let cursor = -Infinity;
  for (const [from, to] of spans) {
    const a = Math.max(from, cursor);
    if (to > a) sum += workingMsBetween(cal, a, to);
    cursor = Math.max(cursor, to);
  }
  return sum;
}

export type DueState = 'on_time' | 'near_due' | 'overdue';

/** Overdue once `now` is past the due instant; near due when at most one working day remains. */
export function dueState(cal: WorkCalendar, due: number, now: number): DueState {
  if (due === Number.POSITIVE_INFINITY) return 'on_time';
  if (now > due) return 'overdue';
  return workingMsBetween(cal, now, due) <= workingDayMs(cal) ? 'near_due' : 'on_time';
}
