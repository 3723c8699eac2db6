import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findProcedure, parseCatalog } from '../../src/domain/catalog.ts';
import type { Procedure } from '../../src/domain/catalog.ts';
import { cccdMessage } from '../../src/domain/cccd.ts';
import { intakeOutcome, validateIntake } from '../../src/domain/intake.ts';
import type { IntakeInput } from '../../src/domain/intake.ts';

const { procedures } = parseCatalog(JSON.parse(readFileSync(new URL('../../public/data/procedures.json', import.meta.url), 'utf8')));
const now = Date.UTC(2026, 1, 13, 3, 0);

type Overrides = Partial<Omit<IntakeInput, 'applicant'>> & { applicant?: Partial<IntakeInput['applicant']> };

const input = (over: Overrides = {}): IntakeInput => ({
  procedureCode: over.procedureCode ?? 'dang-ky-khai-sinh',
  applicant: { name: 'Nguyễn Văn An', cccd: '048095000123', phone: '0905123456', address: 'Thanh Khê, Đà Nẵng', ...over.applicant },
  components: over.components ?? [
    { name: 'Tờ khai đăng ký khai sinh theo mẫu', received: true },
    { name: 'Bản chính Giấy chứng sinh', received: false },
  ],
});

describe('validateIntake', () => {
  it('accepts a complete form and returns it normalised', () => {
    const r = validateIntake(
      input({
        procedureCode: ' dang-ky-khai-sinh ',
        applicant: { name: '  Nguyễn   Văn\tAn ', cccd: '048 095 000 123', phone: '+84 905.123.456', address: ' 12  Hà Huy Tập ' },
      }),
      procedures,
      now,
    );
    expect(r).toEqual({
      ok: true,
      value: {
        procedureCode: 'dang-ky-khai-sinh',
        applicant: { name: 'Nguyễn Văn An', cccd: '048095000123', phone: '0905123456', address: '12 Hà Huy Tập' },
        components: [
          { name: 'Tờ khai đăng ký khai sinh theo mẫu', received: true },
          { name: 'Bản chính Giấy chứng sinh', received: false },
        ],
      },
    });
  });

  it('reports every empty field at once', () => {
    const r = validateIntake(input({ procedureCode: '', applicant: { name: ' ', cccd: '', phone: '', address: '' } }), procedures, now);
    expect(r).toEqual({
      ok: false,
      errors: {
        procedureCode: 'Chưa chọn thủ tục',
        name: 'Họ tên không được để trống',
        cccd: cccdMessage('empty'),
        address: 'Địa chỉ không được để trống',
      },
    });
  });

  it('names a procedure missing from the catalog', () => {
    const r = validateIntake(input({ procedureCode: 'thu-tuc-khong-ton-tai' }), procedures, now);
    expect(r).toEqual({ ok: false, errors: { procedureCode: 'Thủ tục không có trong danh mục' } });
  });

  it('explains a bad CCCD with the CCCD message', () => {
    const short = validateIntake(input({ applicant: { cccd: '04809500012' } }), procedures, now);
    expect(short).toEqual({ ok: false, errors: { cccd: 'Số CCCD phải gồm đúng 12 chữ số' } });
    const future = validateIntake(input({ applicant: { cccd: '048230000123' } }), procedures, now);
    expect(future).toEqual({ ok: false, errors: { cccd: cccdMessage('future_birth') } });
  });

  it('takes the phone as optional but checks it when given', () => {
    const none = validateIntake(input({ applicant: { phone: '  ' } }), procedures, now);
    expect(none.ok && none.value.applicant.phone).toBe('');
    for (const bad of ['12345', '0105123456', 'không có']) {
      expect(validateIntake(input({ applicant: { phone: bad } }), procedures, now)).toEqual({
        ok: false,
        errors: { phone: 'Số điện thoại không hợp lệ' },
      });
    }
  });

  it('requires a received component when the procedure lists components', () => {
    const none = [{ name: 'Tờ khai', received: false }];
    expect(validateIntake(input({ components: none }), procedures, now)).toEqual({
      ok: false,
      errors: { components: 'Chưa đánh dấu thành phần hồ sơ nào đã nhận' },
    });
    expect(validateIntake(input({ components: [] }), procedures, now).ok).toBe(false);
    // 'Đăng ký khai sinh kết hợp nhận cha, mẹ, con' has no component list in the catalog yet.
    const unlisted = validateIntake(input({ procedureCode: 'dang-ky-khai-sinh-ket-hop-nhan-cha-me-con', components: [] }), procedures, now);
    expect(unlisted.ok).toBe(true);
  });
});

describe('validateIntake: email, VNeID, residence, copies (issue 3)', () => {
  const units: { code: string }[] = JSON.parse(readFileSync(new URL('../../public/data/units.json', import.meta.url), 'utf8'));

  it('keeps the new fields, normalised, for a resident of any of the 94 units', () => {
    expect(units).toHaveLength(94);
    const r = validateIntake(
      input({
        applicant: { email: ' an@example.vn ', vneidVerified: true, residence: { unit: ' 20308 ' } },
        components: [{ name: 'Tờ khai  đăng ký khai sinh theo mẫu', received: true, copyKind: 'original', count: 2 }],
      }),
      procedures,
      now,
      { units },
    );
    expect(r.ok && r.value.applicant).toMatchObject({ email: 'an@example.vn', vneidVerified: true, residence: { unit: '20308' } });
    expect(r.ok && r.value.components).toEqual([{ name: 'Tờ khai đăng ký khai sinh theo mẫu', received: true, copyKind: 'original', count: 2 }]);
  });

  it('takes an applicant from elsewhere (any-center intake) and reports bad new fields', () => {
    const elsewhere = validateIntake(input({ applicant: { residence: { elsewhere: ' Huế ' } } }), procedures, now, { units });
    expect(elsewhere.ok && elsewhere.value.applicant.residence).toEqual({ elsewhere: 'Huế' });
    const bad = validateIntake(
      input({
        applicant: { email: 'an@', residence: { unit: '99999' } },
        components: [{ name: 'Tờ khai', received: true, count: 0 }],
      }),
      procedures,
      now,
      { units },
    );
    expect(bad).toEqual({
      ok: false,
      errors: {
        email: 'Email không hợp lệ',
        residence: 'Xã, phường nơi cư trú không có trong danh mục đơn vị hành chính',
        components: 'Số lượng của "Tờ khai" phải là số nguyên dương',
      },
    });
    expect(validateIntake(input({ applicant: { residence: { elsewhere: ' ' } } }), procedures, now)).toEqual({
      ok: false,
      errors: { residence: 'Chưa nhập nơi cư trú' },
    });
    expect(validateIntake(input({ applicant: { email: '' } }), procedures, now).ok).toBe(true);
  });
});

describe('intakeOutcome', () => {
  const birth = findProcedure(procedures, 'dang-ky-khai-sinh') as Procedure;
  const names = birth.components;

  it('is complete when every component is ticked', () => {
    const all = names.map((name) => ({ name, received: true }));
    expect(intakeOutcome(input({ components: all }), birth)).toEqual({ kind: 'complete' });
  });

  it('lists every missing component at once, in catalog order, skipping those that do not apply', () => {
    const some = [
      { name: names[3] ?? '', received: true },
      { name: names[2] ?? '', received: false, applicable: false },
      { name: names[0] ?? '', received: false },
    ];
    expect(intakeOutcome(input({ components: some }), birth)).toEqual({ kind: 'incomplete', missing: [names[0], names[1]] });
  });

  it('checks copy kind and count where the catalog states them', () => {
    const proc: Procedure = {
      ...birth,
      components: ['Tờ khai', 'Giấy chứng nhận'],
      componentSpecs: [
        { name: 'Tờ khai', copyKind: 'original', count: 2 },
        { name: 'Giấy chứng nhận', copyKind: 'certified_copy', count: 1 },
      ],
    };
    const r = intakeOutcome(
      input({ components: [{ name: 'Tờ khai', received: true, count: 1 }, { name: 'Giấy chứng nhận', received: true, copyKind: 'copy' }] }),
      proc,
    );
    expect(r).toEqual({
      kind: 'incomplete',
      missing: ['Tờ khai (cần 2 bản, đã nhận 1)', 'Giấy chứng nhận (cần bản sao có chứng thực, đã nhận bản sao)'],
    });
    const fine = intakeOutcome(
      input({ components: [{ name: 'Tờ khai', received: true, count: 2 }, { name: 'Giấy chứng nhận', received: true, copyKind: 'original' }] }),
      proc,
    );
    expect(fine).toEqual({ kind: 'complete' });
    // Without stated specs a copy is not questioned.
    const loose = intakeOutcome(input({ components: names.map((name) => ({ name, received: true, copyKind: 'copy' as const })) }), birth);
    expect(loose).toEqual({ kind: 'complete' });
  });
});
