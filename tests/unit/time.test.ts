import { describe, expect, it } from 'vitest';
import {
  VN_OFFSET_MS,
  addDaysKey,
  dayKeyStart,
  formatVnDate,
  formatVnDateTime,
  vnDayKey,
  vnIsoDay,
  vnYear,
} from '../../src/domain/time.ts';

// Node ships full ICU, so Intl can serve as an independent oracle for the offset arithmetic.
const intlIso = (ms: number): string =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh', year: 'numeric', month: '2-digit', day: '2-digit' }).format(ms);

describe('Vietnam time (UTC+7, no DST)', () => {
  it('has a seven-hour offset', () => {
    expect(VN_OFFSET_MS).toBe(7 * 3_600_000);
  });

  it('changes day at 17:00 UTC, which is midnight in Vietnam', () => {
    const before = Date.UTC(2026, 1, 12, 16, 59, 59, 999);
    const after = Date.UTC(2026, 1, 12, 17, 0, 0, 0);
    expect(vnDayKey(before)).toBe('260212');
    expect(vnDayKey(after)).toBe('260213');
    expect(vnIsoDay(before)).toBe('2026-02-12');
    expect(vnIsoDay(after)).toBe('2026-02-13');
    expect(formatVnDateTime(before)).toBe('23:59 12/02/2026');
    expect(formatVnDateTime(after)).toBe('00:00 13/02/2026');
  });

  it('formats a morning receipt time', () => {
    expect(formatVnDateTime(Date.UTC(2026, 1, 13, 3, 5))).toBe('10:05 13/02/2026');
    expect(formatVnDate(Date.UTC(2026, 1, 13, 3, 5))).toBe('13/02/2026');
  });

  it('crosses the new year in Vietnam before it does in UTC', () => {
    const ms = Date.UTC(2025, 11, 31, 17, 30);
    expect(formatVnDate(ms)).toBe('01/01/2026');
    expect(vnDayKey(ms)).toBe('260101');
    expect(vnYear(ms)).toBe(2026);
    expect(vnYear(ms - 31 * 60_000)).toBe(2025);
  });

  it('agrees with Intl Asia/Ho_Chi_Minh on many instants', () => {
    let seed = 12345;
    for (let i = 0; i < 2000; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const ms = Date.UTC(2000, 0, 1) + (seed / 2 ** 31) * 40 * 365 * 86_400_000;
      expect(vnIsoDay(ms)).toBe(intlIso(ms));
    }
  });

  it('adds calendar days to YYMMDD keys across months, leap days and years', () => {
    expect(addDaysKey('260228', 1)).toBe('260301');
    expect(addDaysKey('240228', 1)).toBe('240229');
    expect(addDaysKey('251231', 1)).toBe('260101');
    expect(addDaysKey('260101', -1)).toBe('251231');
    expect(addDaysKey('260213', 0)).toBe('260213');
    expect(addDaysKey('260213', 365)).toBe('270213');
  });

  it('rejects day keys that are not real dates', () => {
    expect(dayKeyStart('260230')).toBeNull();
    expect(dayKeyStart('261301')).toBeNull();
    expect(dayKeyStart('2602')).toBeNull();
    expect(dayKeyStart('260213')).toBe(Date.UTC(2026, 1, 13) - VN_OFFSET_MS);
    expect(() => addDaysKey('250229', 1)).toThrow(/YYMMDD/);
  });
});
