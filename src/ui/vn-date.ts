/** Dates as officers type them: dd/mm/yyyy and HH:mm, in Vietnam time (UTC+7, no DST). */
import { VN_OFFSET_MS } from '../domain/time.ts';

/** dd/mm/yyyy + HH:mm in Vietnam time → ms, or null when not a real date-time. */
export function parseVnDateTime(date: string, time: string): number | null {
  const d = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})\s*$/.exec(date);
  const t = /^\s*(\d{1,2}):(\d{2})\s*$/.exec(time);
  if (d === null || t === null) return null;
  const [day, month, year, hour, minute] = [Number(d[1]), Number(d[2]), Number(d[3]), Number(t[1]), Number(t[2])];
  if (hour > 23 || minute > 59) return null;
  const utc = Date.UTC(year, month - 1, day, hour, minute);
  const back = new Date(utc);
  if (back.getUTCDate() !== day || back.getUTCMonth() !== month - 1) return null;
  return utc - VN_OFFSET_MS;
}
