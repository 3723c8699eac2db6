import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/domain/errors.ts';
import { lunarToSolar } from '../../src/domain/lunar.ts';

const holidays = JSON.parse(readFileSync(new URL('../../public/data/holidays.json', import.meta.url), 'utf8')) as {
  computedLunarDates: Record<string, { tet: string; gioTo: string } | string>;
};

describe('lunarToSolar (Vietnamese calendar, UTC+7)', () => {
  const years = Object.entries(holidays.computedLunarDates).filter(([y]) => /^\d{4}$/.test(y));

  it('agrees with the two libraries cross-checked in holidays.json for 2024-2035', () => {
    expect(years.map(([y]) => Number(y))).toEqual([2024, 2025, 2026, 2027, 2028, 2029, 2030, 2031, 2032, 2033, 2034, 2035]);
    for (const [y, dates] of years) {
      if (typeof dates === 'string') throw new Error(`bad entry ${y}`);
      expect(lunarToSolar(Number(y), 1, 1), `Tết ${y}`).toBe(dates.tet);
      expect(lunarToSolar(Number(y), 3, 10), `Giỗ Tổ ${y}`).toBe(dates.gioTo);
    }
  });

  it('differs from the Chinese calendar where UTC+7 and UTC+8 disagree', () => {
    // Tết 1985: Vietnam celebrated on 21/01/1985, China on 20/02/1985 (the well-known one-month split).
    expect(lunarToSolar(1985, 1, 1)).toBe('1985-01-21');
  });

  it('refuses a lunar day that does not exist', () => {
    // Lunar month 12 of Ất Tỵ (2025) has 29 days.
    expect(() => lunarToSolar(2025, 12, 30)).toThrow(AppError);
  });
});
