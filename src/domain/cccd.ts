/**
 * The 12-digit citizen ID (số định danh cá nhân, printed on the CCCD card): province of birth
 * registration (3), century and gender (1), last two digits of the birth year (2), random (6).
 * There is no checksum, so these checks catch typos in the structured part only.
 */
import { assertNever } from './errors.ts';
import { provinceName } from './provinces.ts';
import { vnYear } from './time.ts';

export type CccdProblem =
  | 'empty'
  | 'not_digits'
  | 'length'
  | 'province'
  | 'century'
  | 'future_birth'
  | 'birth_year_mismatch';

export type CccdCheck =
  | { ok: true; provinceCode: string; provinceName: string; gender: 'male' | 'female'; birthYear: number }
  | { ok: false; reason: CccdProblem };

/**
 * First year of the century of each century/gender digit pair (Circular 07/2016/TT-BCA art. 7):
 * 0/1 = 1900s, 2/3 = 2000s, 4/5 = 2100s, 6/7 = 2200s, 8/9 = 2300s; even = male, odd = female.
 * (8/9 are the 24th century in the circular, not the 1800s.)
 */
export function centuryStart(digit: number): number {
  return 1900 + Math.floor(digit / 2) * 100;
}

/** Digits only: the form the app stores and searches. */
export function compactCccd(value: string): string {
  return value.replace(/\s+/g, '');
}

export function checkCccd(value: string, opts: { now: number; birthYear?: number }): CccdCheck {
  const s = compactCccd(value);
  if (s === '') return { ok: false, reason: 'empty' };
  if (!/^\d+$/.test(s)) return { ok: false, reason: 'not_digits' };
  if (s.length !== 12) return { ok: false, reason: 'length' };

  const provinceCode = s.slice(0, 3);
  const province = provinceName(provinceCode);
  if (province === undefined) return { ok: false, reason: 'province' };

  const digit = Number(s[3]);
  const base = centuryStart(digit);
  const birthYear = base + Number(s.slice(4, 6));
  const thisYear = vnYear(opts.now);
  // A century that has not begun cannot hold anyone's birth: the digit itself is the typo.
  if (base > thisYear) return { ok: false, reason: 'century' };
  if (birthYear > thisYear) return { ok: false, reason: 'future_birth' };
  if (opts.birthYear !== undefined && opts.birthYear !== birthYear) {
    return { ok: false, reason: 'birth_year_mismatch' };
  }
  return { ok: true, provinceCode, provinceName: province, gender: digit % 2 === 0 ? 'male' : 'female', birthYear };
}

export function cccdMessage(reason: CccdProblem): string {
  switch (reason) {
    case 'empty':
      return 'Chưa nhập số CCCD';
    case 'not_digits':
      return 'Số CCCD chỉ gồm các chữ số';
    case 'length':
      return 'Số CCCD phải gồm đúng 12 chữ số';
    case 'province':
      return 'Ba số đầu của số CCCD không phải mã tỉnh, thành phố hợp lệ';
    case 'century':
      return 'Chữ số thứ tư của số CCCD (mã thế kỷ và giới tính) không hợp lệ';
    case 'future_birth':
      return 'Năm sinh trong số CCCD chưa đến';
    case 'birth_year_mismatch':
      return 'Năm sinh trong số CCCD không khớp với năm sinh đã khai';
    default:
      return assertNever(reason, 'CCCD problem');
  }
}
