import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  addWorkingDays,
  buildCalendar,
  dueAt,
  dueState,
  isWorkingDay,
  nextWorkingTime,
  workingDayMs,
  workingMsBetween,
} from '../../src/domain/calendar.ts';
import { AppError } from '../../src/domain/errors.ts';
import { formatVnDateTime } from '../../src/domain/time.ts';

const holidays: unknown = JSON.parse(readFileSync(new URL('../../public/data/holidays.json', import.meta.url), 'utf8'));
const cal = buildCalendar(holidays);
/** An instant given as Vietnam wall-clock time. */
const vn = (y: number, m: number, d: number, h = 0, min = 0): number => Date.UTC(y, m - 1, d, h - 7, min);
const H = 3_600_000;
const due = (receivedAt: number, processingDays: number, extra: Partial<Parameters<typeof dueAt>[1]> = {}): string =>
  formatVnDateTime(dueAt(cal, { receivedAt, processingDays, sameDay15hRule: true, pauses: [], ...extra }));

describe('working days', () => {
  it('skips the 2026 Tết break and works the make-up Saturday', () => {
    expect(isWorkingDay(cal, '2026-02-13')).toBe(true);
    for (let d = 14; d <= 22; d++) expect(isWorkingDay(cal, `2026-02-${d}`)).toBe(false);
    expect(isWorkingDay(cal, '2026-02-23')).toBe(true);
    expect(isWorkingDay(cal, '2026-01-02')).toBe(false); // Friday swapped…
    expect(isWorkingDay(cal, '2026-01-10')).toBe(true); // …with Saturday 10/1
    expect(isWorkingDay(cal, '2026-01-17')).toBe(false); // an ordinary Saturday
  });

  it('has 8 working hours a day by default', () => {
    expect(workingDayMs(cal)).toBe(8 * H);
    expect(workingMsBetween(cal, vn(2026, 3, 9, 6), vn(2026, 3, 9, 18))).toBe(8 * H);
    expect(workingMsBetween(cal, vn(2026, 3, 9, 11), vn(2026, 3, 9, 14))).toBe(H);
    expect(workingMsBetween(cal, vn(2026, 3, 9, 14), vn(2026, 3, 9, 11))).toBe(-H);
    // Friday 16:00 to Monday 08:00 holds two hours of work.
    expect(workingMsBetween(cal, vn(2026, 3, 6, 16), vn(2026, 3, 9, 8))).toBe(2 * H);
  });

  it('starts the clock at the next working instant', () => {
    expect(formatVnDateTime(nextWorkingTime(cal, vn(2026, 3, 9, 12)))).toBe('13:30 09/03/2026');
    expect(formatVnDateTime(nextWorkingTime(cal, vn(2026, 3, 6, 17)))).toBe('07:00 09/03/2026');
    expect(formatVnDateTime(nextWorkingTime(cal, vn(2026, 3, 9, 10, 15)))).toBe('10:15 09/03/2026');
  });

  it('adds working days at the same time of day', () => {
    expect(formatVnDateTime(addWorkingDays(cal, vn(2026, 3, 9, 10), 3))).toBe('10:00 12/03/2026');
    // The edge convention: 07:00 + 1 day is 07:00 the next working day (not 17:00 the same day).
    expect(formatVnDateTime(addWorkingDays(cal, vn(2026, 3, 9, 7), 1))).toBe('07:00 10/03/2026');
    expect(formatVnDateTime(addWorkingDays(cal, vn(2026, 3, 9, 13, 30), 1))).toBe('13:30 10/03/2026');
    // Received in the lunch break: counts from 13:30.
    expect(formatVnDateTime(addWorkingDays(cal, vn(2026, 3, 9, 12), 2))).toBe('13:30 11/03/2026');
    expect(() => addWorkingDays(cal, vn(2026, 3, 9, 10), -1)).toThrow(AppError);
  });
});

describe('dueAt (issue 3 examples)', () => {
  it('3 working days from Fri 13/02/2026 10:00 is Wed 25/02/2026, after Tết', () => {
    expect(due(vn(2026, 2, 13, 10), 3)).toBe('10:00 25/02/2026');
  });

  it('3 working days from Fri 24/04/2026 10:00 is Mon 04/05/2026 (Giỗ Tổ on Sunday → Monday off, 30/4, 1/5)', () => {
    expect(isWorkingDay(cal, '2026-04-27')).toBe(false);
    expect(due(vn(2026, 4, 24, 10), 3)).toBe('10:00 04/05/2026');
  });

  it('same day: before 15:00 the same evening, after 15:00 the next working day', () => {
    expect(due(vn(2026, 3, 6, 14, 59), 0)).toBe('17:00 06/03/2026');
    expect(due(vn(2026, 3, 6, 15, 0), 0)).toBe('17:00 06/03/2026'); // "sau 15 giờ" = strictly after
    expect(due(vn(2026, 3, 6, 15, 30), 0)).toBe('17:00 09/03/2026'); // Friday → Monday
    expect(due(vn(2026, 3, 6, 15, 30), 0, { sameDay15hRule: false })).toBe('17:00 06/03/2026');
    expect(due(vn(2026, 3, 6, 18), 0)).toBe('17:00 09/03/2026'); // after hours: Monday, not Tuesday
    expect(due(vn(2026, 3, 7, 9), 0)).toBe('17:00 09/03/2026'); // Saturday
    expect(due(vn(2026, 2, 13, 16), 0)).toBe('17:00 23/02/2026'); // the eve of Tết
  });

  it('a supplement pause moves the due date by the working time it covered', () => {
    const receivedAt = vn(2026, 3, 9, 10);
    expect(due(receivedAt, 3)).toBe('10:00 12/03/2026');
    // Tue 14:00 → Wed 10:00 covers 3 h + 3 h of work: Thu 10:00 + 6 h = Fri 08:00.
    const pause = { from: vn(2026, 3, 10, 14), to: vn(2026, 3, 11, 10) };
    expect(due(receivedAt, 3, { pauses: [pause] })).toBe('08:00 13/03/2026');
    // An overlapping duplicate and a pause over the weekend add nothing more.
    const weekend = { from: vn(2026, 3, 14, 9), to: vn(2026, 3, 15, 20) };
    expect(due(receivedAt, 3, { pauses: [pause, { ...pause, from: pause.from + H }, weekend] })).toBe('08:00 13/03/2026');
    // Still waiting: no due date without `now`; with `now` the wait so far counts.
    expect(dueAt(cal, { receivedAt, processingDays: 3, sameDay15hRule: false, pauses: [{ from: pause.from, to: null }] })).toBe(Infinity);
    expect(due(receivedAt, 3, { pauses: [{ from: pause.from, to: null }], now: pause.to })).toBe('08:00 13/03/2026');
    // A same-day procedure paused one hour is due one working hour after the end of the day.
    expect(due(vn(2026, 3, 9, 9), 0, { pauses: [{ from: vn(2026, 3, 9, 9, 30), to: vn(2026, 3, 9, 10, 30) }] })).toBe('08:00 10/03/2026');
  });

  it('counts hours for procedures timed in giờ', () => {
    expect(due(vn(2026, 3, 9, 10), 0, { processingHours: 4 })).toBe('16:00 09/03/2026');
  });

  it('computes Tết from the lunar calendar in a year without a schedule (2030)', () => {
    // Lunar 1/1 of 2030 is Saturday 02/02/2030: off Fri 1/2 to Tue 5/2, plus Wed 6/2 and Thu 7/2
    // for the Saturday and Sunday inside the break (Labour Code art. 111(3)).
    for (const d of ['2030-02-01', '2030-02-04', '2030-02-05', '2030-02-06', '2030-02-07']) expect(isWorkingDay(cal, d)).toBe(false);
    expect(isWorkingDay(cal, '2030-01-31')).toBe(true);
    expect(isWorkingDay(cal, '2030-02-08')).toBe(true);
    expect(due(vn(2030, 1, 31, 10), 3)).toBe('10:00 12/02/2030');
    expect(isWorkingDay(cal, '2030-04-12')).toBe(false); // Giỗ Tổ, lunar 10/3, a Friday
  });
});

describe('buildCalendar', () => {
  it('computes 2026 like the published notice, minus its two swaps', () => {
    const computed = buildCalendar(holidays, { years: [2026] });
    const weekendsOnly = buildCalendar(null, { years: [] });
    expect(weekendsOnly.daysOff.size).toBe(0);
    const closures = (c: typeof cal): string[] => [...c.daysOff].filter((d) => d.startsWith('2026') && isWorkingDay(weekendsOnly, d)).sort();
    const year = (holidays as { years: Record<string, { weekdayClosures: string[] }> }).years['2026'];
    const official = (year?.weekdayClosures ?? []).filter((d) => d !== '2026-01-02' && d !== '2026-08-31');
    // Without the 2026 schedule in the input the year is computed.
    const noSchedule = buildCalendar({ statutory: (holidays as { statutory: unknown }).statutory }, { years: [2026] });
    expect(closures(noSchedule)).toEqual(official);
    expect(closures(computed)).toEqual(year?.weekdayClosures);
  });

  it('takes Quốc khánh’s second day and pending holidays as options', () => {
    const after = buildCalendar(holidays, { years: [2027], adjacentDay: 'after' });
    const before = buildCalendar(holidays, { years: [2027] });
    expect(before.daysOff.has('2027-09-01')).toBe(true);
    expect(after.daysOff.has('2027-09-03')).toBe(true);
    expect(before.daysOff.has('2027-11-24')).toBe(false);
    const culture = buildCalendar(holidays, { years: [2027], includePending: ['ngay_van_hoa_viet_nam'] });
    expect(culture.daysOff.has('2027-11-24')).toBe(true);
  });

  it('uses custom hours and rejects bad ones and bad schedules', () => {
    const morning = buildCalendar(holidays, { years: [2026], hours: [{ start: '08:00', end: '12:00' }] });
    expect(workingDayMs(morning)).toBe(4 * H);
    expect(formatVnDateTime(addWorkingDays(morning, vn(2026, 3, 9, 13), 1))).toBe('08:00 11/03/2026');
    expect(() => buildCalendar(holidays, { hours: [{ start: '13:00', end: '12:00' }] })).toThrow(AppError);
    expect(() => buildCalendar(holidays, { hours: [{ start: '7h', end: '12:00' }] })).toThrow(AppError);
    expect(() => buildCalendar({ years: { 2026: { daysOff: ['2026-02-30'] } } })).toThrow(/2026.daysOff/);
    expect(() => buildCalendar({ years: { 2026: { daysOff: ['2025-02-03'] } } })).toThrow(AppError);
  });
});

describe('dueState', () => {
  const d = vn(2026, 3, 12, 10); // Thursday 10:00
  it('is on time, then near due within one working day, then overdue', () => {
    expect(dueState(cal, d, vn(2026, 3, 10, 9))).toBe('on_time');
    expect(dueState(cal, d, vn(2026, 3, 11, 9, 59))).toBe('on_time');
    expect(dueState(cal, d, vn(2026, 3, 11, 10))).toBe('near_due');
    expect(dueState(cal, d, d)).toBe('near_due');
    expect(dueState(cal, d, d + 1)).toBe('overdue');
    // Monday due: Friday afternoon is within one working day across the weekend.
    expect(dueState(cal, vn(2026, 3, 16, 9), vn(2026, 3, 13, 15))).toBe('near_due');
    expect(dueState(cal, Infinity, vn(2030, 1, 1))).toBe('on_time');
  });
});
