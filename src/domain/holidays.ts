/**
 * Days off of state offices, per year, from data (public/data/holidays.json):
 * - a year with a published schedule (the Government's yearly notice, with swapped days and Saturday
 *   make-up working days) is taken as published;
 * - any other year is computed from the statutory holidays (Labour Code 2019 art. 112(1)) with the
 *   lunar ones from the lunar library, plus art. 111(3): a holiday that falls on the weekly rest day
 *   (Saturday, Sunday) is compensated on the next working day. Swaps cannot be computed: they are
 *   decided each year, so a computed year has none.
 */
import { AppError } from './errors.ts';
import { lunarToSolar } from './lunar.ts';

export interface YearSchedule {
  daysOff: string[];
  makeUpWorkingDays: string[];
}

/** One statutory holiday as holidays.json states it. */
export interface StatutoryHoliday {
  id: string;
  calendar: 'solar' | 'lunar';
  /** Absent for Tết Nguyên đán, which is a block around lunar 1/1. */
  month?: number;
  day?: number;
  days: number;
}

/** The law as of 2026 (art. 112(1)), used when the data file carries no statutory list. */
export const DEFAULT_STATUTORY: readonly StatutoryHoliday[] = [
  { id: 'tet_duong_lich', calendar: 'solar', month: 1, day: 1, days: 1 },
  { id: 'tet_am_lich', calendar: 'lunar', days: 5 },
  { id: 'gio_to_hung_vuong', calendar: 'lunar', month: 3, day: 10, days: 1 },
  { id: 'chien_thang', calendar: 'solar', month: 4, day: 30, days: 1 },
  { id: 'quoc_te_lao_dong', calendar: 'solar', month: 5, day: 1, days: 1 },
  { id: 'quoc_khanh', calendar: 'solar', month: 9, day: 2, days: 2 },
];

export interface ComputeOptions {
  /**
   * The second day of a two-day solar holiday (Quốc khánh: "2/9 and one adjacent day before or
   * after", chosen by each year's notice). Default 'before' (1/9), which with art. 111(3) reproduces
   * the notices of 2023-2026 minus their swaps.
   */
  adjacentDay?: 'before' | 'after';
  /** Ids of `pending_changes` to treat as law (e.g. 'ngay_van_hoa_viet_nam', 24/11: proposed only). */
  includePending?: readonly string[];
}

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;
const pad2 = (n: number): string => String(n).padStart(2, '0');
const DAY_MS = 86_400_000;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isIsoDay = (v: unknown): v is string => typeof v === 'string' && ISO_DAY.test(v) && isoToUtc(v) !== null;

/** UTC ms of the civil date (no time zone involved: only its weekday and neighbours are used). */
function isoToUtc(iso: string): number | null {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  const utc = Date.UTC(y, m - 1, d);
  const back = new Date(utc);
  return back.getUTCFullYear() === y && back.getUTCMonth() === m - 1 && back.getUTCDate() === d ? utc : null;
}

const utcToIso = (utc: number): string => {
  const d = new Date(utc);
  return `${String(d.getUTCFullYear()).padStart(4, '0')}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
};

/** The civil day n days after an ISO day. */
export function shiftIso(iso: string, n: number): string {
  const utc = isoToUtc(iso);
  if (utc === null) throw new AppError('invalid_day', `not a YYYY-MM-DD day: ${iso}`);
  return utcToIso(utc + n * DAY_MS);
}

/** 0 = Sunday … 6 = Saturday. */
export function isoWeekday(iso: string): number {
  const utc = isoToUtc(iso);
  if (utc === null) throw new AppError('invalid_day', `not a YYYY-MM-DD day: ${iso}`);
  return new Date(utc).getUTCDay();
}

export const isWeekend = (iso: string): boolean => {
  const w = isoWeekday(iso);
  return w === 0 || w === 6;
};

/**
 * The published yearly schedules. A malformed schedule throws: falling back to computed days would
 * print wrong appointment dates without anyone noticing, which is worse than a visible failure.
 */
export function parseSchedules(json: unknown): Map<number, YearSchedule> {
  const out = new Map<number, YearSchedule>();
  if (!isRecord(json) || json.years === undefined) return out;
  if (!isRecord(json.years)) throw new AppError('invalid_holidays', 'holidays.json: "years" is not an object');
  for (const [key, entry] of Object.entries(json.years)) {
    const year = Number(key);
    if (!/^\d{4}$/.test(key) || !isRecord(entry)) throw new AppError('invalid_holidays', `holidays.json: bad year entry "${key}"`);
    const days = (field: string): string[] => {
      const v = entry[field] ?? [];
      if (!Array.isArray(v) || !v.every(isIsoDay) || !v.every((d) => d.startsWith(key))) {
        throw new AppError('invalid_holidays', `holidays.json: ${key}.${field} must list YYYY-MM-DD days of ${key}`);
      }
      return v;
    };
    out.set(year, { daysOff: days('daysOff'), makeUpWorkingDays: days('makeUpWorkingDays') });
  }
  return out;
}

/** The statutory list of the file, or the built-in one when the file has none. */
export function parseStatutory(json: unknown): StatutoryHoliday[] {
  const list = isRecord(json) && isRecord(json.statutory) ? json.statutory.holidays : undefined;
  if (list === undefined) return DEFAULT_STATUTORY.slice();
  if (!Array.isArray(list)) throw new AppError('invalid_holidays', 'holidays.json: statutory.holidays is not a list');
  return list.map((h: unknown, i) => {
    const ok =
      isRecord(h) && typeof h.id === 'string' && (h.calendar === 'solar' || h.calendar === 'lunar') &&
      typeof h.days === 'number' && Number.isInteger(h.days) && h.days >= 1 &&
      (h.month === undefined || typeof h.month === 'number') && (h.day === undefined || typeof h.day === 'number') &&
      (h.calendar === 'lunar' || (typeof h.month === 'number' && typeof h.day === 'number'));
    if (!ok) throw new AppError('invalid_holidays', `holidays.json: bad statutory holiday #${i}`);
    const out: StatutoryHoliday = { id: h.id as string, calendar: h.calendar as 'solar' | 'lunar', days: h.days as number };
    if (typeof h.month === 'number') out.month = h.month;
    if (typeof h.day === 'number') out.day = h.day;
    return out;
  });
}

/** Pending holidays (solar, one day) chosen by id. */
function pendingHolidays(json: unknown, ids: readonly string[]): StatutoryHoliday[] {
  const list = isRecord(json) && Array.isArray(json.pending_changes) ? (json.pending_changes as unknown[]) : [];
  const out: StatutoryHoliday[] = [];
  for (const id of ids) {
    const p = list.find((x) => isRecord(x) && x.id === id);
    if (!isRecord(p) || p.calendar !== 'solar' || typeof p.month !== 'number' || typeof p.day !== 'number') {
      throw new AppError('invalid_holidays', `holidays.json: no usable pending holiday "${id}"`);
    }
    out.push({ id, calendar: 'solar', month: p.month, day: p.day, days: 1 });
  }
  return out;
}

/** The holiday days themselves (before compensation) of one year, sorted. */
export function statutoryDays(year: number, holidays: readonly StatutoryHoliday[], opts: ComputeOptions = {}): string[] {
  const days = new Set<string>();
  for (const h of holidays) {
    if (h.calendar === 'lunar' && (h.month === undefined || h.day === undefined)) {
      // Tết Nguyên đán: the last day of the old lunar year, then mùng 1 onwards (holidays.json note).
      const tet = lunarToSolar(year, 1, 1);
      for (let i = 0; i < h.days; i++) days.add(shiftIso(tet, i - 1));
      continue;
    }
    const month = h.month ?? 1;
    const day = h.day ?? 1;
    const first = h.calendar === 'lunar' ? lunarToSolar(year, month, day) : `${year}-${pad2(month)}-${pad2(day)}`;
    days.add(first);
    // Extra days of a multi-day solar holiday sit next to it (Quốc khánh: 1/9 or 3/9).
    const step = opts.adjacentDay === 'after' ? 1 : -1;
    for (let i = 1; i < h.days; i++) days.add(shiftIso(first, step * i));
  }
  return [...days].sort();
}

/**
 * Days off of a year without a published schedule: the holidays, and for each one that falls on a
 * Saturday or Sunday a compensating day on the next weekday that is not already off (art. 111(3)).
 */
export function computeYear(year: number, json: unknown, opts: ComputeOptions = {}): YearSchedule {
  const holidays = [...parseStatutory(json), ...pendingHolidays(json, opts.includePending ?? [])];
  const off = statutoryDays(year, holidays, opts);
  const taken = new Set(off);
  for (const day of off) {
    if (!isWeekend(day)) continue;
    let next = shiftIso(day, 1);
    while (isWeekend(next) || taken.has(next)) next = shiftIso(next, 1);
    taken.add(next);
  }
  return { daysOff: [...taken].sort(), makeUpWorkingDays: [] };
}
