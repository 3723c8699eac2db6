/**
 * The one door to the lunar calendar library. Vietnamese lunar dates must be computed at UTC+7 (Hồ
 * Ngọc Đức's algorithm): a Chinese (UTC+8) calendar library can put Tết or Giỗ Tổ a day off.
 * @nghiavuive/lunar_date_vi (ISC, no dependencies, no install scripts) follows that algorithm and
 * agrees with the dates in public/data/holidays.json for 2024-2035 (tested in tests/unit/lunar.test.ts).
 */
import { LunarDate } from '@nghiavuive/lunar_date_vi';
import { AppError } from './errors.ts';

const pad2 = (n: number): string => String(n).padStart(2, '0');

/**
 * 'YYYY-MM-DD' of a day of the Vietnamese lunar calendar. `year` is the lunar year (the one whose
 * 1/1 falls in solar January or February of that year). A leap month is never meant: holidays fall
 * on the regular month (Giỗ Tổ in a year with a leap 3rd month, e.g. 2031, is the regular 10/3).
 */
export function lunarToSolar(year: number, month: number, day: number): string {
  const lunar = new LunarDate({ day, month, year, leap_month: false });
  try {
    lunar.init();
  } catch (e) {
    // The library throws for days that do not exist (30th of a 29-day month).
    throw new AppError('invalid_lunar_date', `no lunar day ${day}/${month}/${year}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const s = lunar.toSolarDate().get();
  return `${String(s.year).padStart(4, '0')}-${pad2(s.month)}-${pad2(s.day)}`;
}
