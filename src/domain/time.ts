/**
 * Vietnam time without Intl time zones: old devices may ship without full ICU data, and Vietnam has
 * used UTC+7 without daylight saving since 1975, so a fixed offset is exact for every date we handle.
 * We shift the instant by the offset and read the UTC fields of the shifted Date.
 */
import { AppError } from './errors.ts';

export const VN_OFFSET_MS = 7 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface VnParts {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** Calendar fields of an instant as read on a wall clock in Vietnam. */
export function vnParts(ms: number): VnParts {
  if (!Number.isFinite(ms)) throw new AppError('invalid_time', `not a time: ${String(ms)}`);
  const d = new Date(ms + VN_OFFSET_MS);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
  };
}

/** 'YYMMDD' of the Vietnamese calendar day (the day part of a dossier code). */
export function vnDayKey(ms: number): string {
  const p = vnParts(ms);
  return pad2(p.year % 100) + pad2(p.month) + pad2(p.day);
}

/** 'YYYY-MM-DD' of the Vietnamese calendar day (queue-day doc names, holiday tables). */
export function vnIsoDay(ms: number): string {
  const p = vnParts(ms);
  return `${String(p.year).padStart(4, '0')}-${pad2(p.month)}-${pad2(p.day)}`;
}

/** 'HH:mm dd/MM/yyyy', the order printed on receipts ("10 giờ 05, ngày 13/02/2026"). */
export function formatVnDateTime(ms: number): string {
  const p = vnParts(ms);
  return `${pad2(p.hour)}:${pad2(p.minute)} ${formatParts(p)}`;
}

/** 'dd/MM/yyyy'. */
export function formatVnDate(ms: number): string {
  return formatParts(vnParts(ms));
}

const formatParts = (p: VnParts): string => `${pad2(p.day)}/${pad2(p.month)}/${String(p.year).padStart(4, '0')}`;

/** The Vietnamese calendar year of an instant (birth-year plausibility checks). */
export function vnYear(ms: number): number {
  return vnParts(ms).year;
}

/**
 * UTC ms of 00:00 in Vietnam on a 'YYMMDD' day, or null when the key is not a real date.
 * Two-digit years are read as 20YY: dossier codes only exist from 2000 on, and the format gives
 * no way to tell centuries apart anyway.
 */
export function dayKeyStart(day: string): number | null {
  const m = /^(\d{2})(\d{2})(\d{2})$/.exec(day);
  if (!m) return null;
  const year = 2000 + Number(m[1]);
  const month = Number(m[2]);
  const date = Number(m[3]);
  const utc = Date.UTC(year, month - 1, date);
  const check = new Date(utc);
  // Date.UTC rolls 31/02 over to 03/03; a real date survives the round trip unchanged.
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== date) return null;
  return utc - VN_OFFSET_MS;
}

export function isValidDayKey(day: string): boolean {
  return dayKeyStart(day) !== null;
}

/** The 'YYMMDD' key n calendar days after (or before, for negative n) a 'YYMMDD' key. */
export function addDaysKey(day: string, n: number): string {
  const start = dayKeyStart(day);
  if (start === null) throw new AppError('invalid_day', `not a YYMMDD day: ${day}`);
  if (!Number.isInteger(n)) throw new AppError('invalid_day', `not a whole number of days: ${n}`);
  // Noon avoids any doubt at the day boundary; there is no DST to shift it.
  return vnDayKey(start + n * DAY_MS + DAY_MS / 2);
}
