import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCatalog } from '../../src/domain/catalog.ts';
import { cccdMessage } from '../../src/domain/cccd.ts';
import { validateIntake } from '../../src/domain/intake.ts';
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
