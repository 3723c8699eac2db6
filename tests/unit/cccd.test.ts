import { describe, expect, it } from 'vitest';
import { cccdMessage, checkCccd } from '../../src/domain/cccd.ts';
import type { CccdProblem } from '../../src/domain/cccd.ts';
import { PROVINCES, provinceName } from '../../src/domain/provinces.ts';

const now = Date.UTC(2026, 1, 13, 3, 0); // 10:00 13/02/2026 in Vietnam

describe('checkCccd', () => {
  it('reads a Đà Nẵng man born in 1995', () => {
    expect(checkCccd('048095000123', { now })).toEqual({
      ok: true,
      provinceCode: '048',
      provinceName: 'Đà Nẵng',
      gender: 'male',
      birthYear: 1995,
    });
  });

  it('reads a Quảng Nam woman born in 2001, spaces ignored', () => {
    expect(checkCccd(' 049 301 000 456 ', { now })).toEqual({
      ok: true,
      provinceCode: '049',
      provinceName: 'Quảng Nam',
      gender: 'female',
      birthYear: 2001,
    });
  });

  it('reports each structural problem', () => {
    const reason = (v: string): string | undefined => {
      const r = checkCccd(v, { now });
      return r.ok ? undefined : r.reason;
    };
    expect(reason('')).toBe('empty');
    expect(reason('   ')).toBe('empty');
    expect(reason('04809500012a')).toBe('not_digits');
    expect(reason('048-095-000-123')).toBe('not_digits');
    expect(reason('04809500012')).toBe('length');
    expect(reason('0480950001234')).toBe('length');
    expect(reason('000095000123')).toBe('province');
    expect(reason('003095000123')).toBe('province'); // a gap in the table
    expect(reason('097095000123')).toBe('province');
    expect(reason('048495000123')).toBe('century'); // 2195
    expect(reason('048795000123')).toBe('century'); // 2295
    expect(reason('048895000123')).toBe('century'); // 2395 (Circular 07/2016: 8/9 = 24th century)
    expect(reason('048230000123')).toBe('future_birth'); // 2030
  });

  it('judges the future by the Vietnamese year of `now`', () => {
    const born2026 = '048226000123';
    const lastUtcMinuteOf2025Vn = Date.UTC(2025, 11, 31, 16, 59);
    const firstMinuteOf2026Vn = Date.UTC(2025, 11, 31, 17, 0);
    expect(checkCccd(born2026, { now: lastUtcMinuteOf2025Vn })).toEqual({ ok: false, reason: 'future_birth' });
    expect(checkCccd(born2026, { now: firstMinuteOf2026Vn })).toMatchObject({ ok: true, birthYear: 2026 });
  });

  it('checks the declared birth year when one is given', () => {
    expect(checkCccd('048095000123', { now, birthYear: 1996 })).toEqual({ ok: false, reason: 'birth_year_mismatch' });
    expect(checkCccd('048095000123', { now, birthYear: 1995 })).toMatchObject({ ok: true });
  });

  it('accepts every province of the table and derives gender from parity', () => {
    const codes = Object.keys(PROVINCES);
    expect(codes).toHaveLength(63);
    for (const code of codes) {
      expect(code).toMatch(/^0\d\d$/);
      const r = checkCccd(`${code}1${'85'}123456`, { now });
      expect(r).toEqual({ ok: true, provinceCode: code, provinceName: provinceName(code), gender: 'female', birthYear: 1985 });
    }
    expect(provinceName('079')).toBe('Hồ Chí Minh');
    expect(provinceName('toString')).toBeUndefined();
  });
});

describe('cccdMessage', () => {
  it('gives a distinct Vietnamese message per problem', () => {
    const reasons: CccdProblem[] = ['empty', 'not_digits', 'length', 'province', 'century', 'future_birth', 'birth_year_mismatch'];
    const messages = reasons.map(cccdMessage);
    expect(new Set(messages).size).toBe(reasons.length);
    expect(cccdMessage('length')).toBe('Số CCCD phải gồm đúng 12 chữ số');
    for (const m of messages) expect(m).toMatch(/CCCD/);
  });
});
