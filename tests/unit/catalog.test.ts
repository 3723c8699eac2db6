import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findProcedure, parseCatalog, procedureCode } from '../../src/domain/catalog.ts';

const raw: unknown = JSON.parse(readFileSync(new URL('../../public/data/procedures.json', import.meta.url), 'utf8'));
const rows = raw as Record<string, unknown>[];

describe('procedureCode', () => {
  it('derives a slug from the folded name', () => {
    expect(procedureCode('Đăng ký khai sinh')).toBe('dang-ky-khai-sinh');
    expect(procedureCode('Đăng ký kết hôn (trong nước)')).toBe('dang-ky-ket-hon-trong-nuoc');
    expect(procedureCode('Chứng thực chữ ký trong giấy tờ, văn bản (kể cả điểm chỉ)')).toBe(
      'chung-thuc-chu-ky-trong-giay-to-van-ban-ke-ca-diem-chi',
    );
    expect(procedureCode('Đăng ký khai sinh'.normalize('NFD'))).toBe('dang-ky-khai-sinh');
  });
});

describe('parseCatalog on the shipped catalog', () => {
  const { procedures, errors } = parseCatalog(raw);

  it('keeps every entry with a unique slug code', () => {
    expect(errors).toEqual([]);
    expect(procedures).toHaveLength(rows.length);
    expect(new Set(procedures.map((p) => p.code)).size).toBe(rows.length);
    for (const p of procedures) expect(p.code).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
  });

  it('carries the data through', () => {
    procedures.forEach((p, i) => {
      const row = rows[i];
      expect(p.name).toBe(row?.name);
      expect(p.processingDays).toBe(row?.processingDays);
      expect(p.components).toEqual(row?.components);
    });
    const birth = findProcedure(procedures, 'dang-ky-khai-sinh');
    expect(birth?.processingDays).toBe(0);
    expect(birth?.processingRule).toMatch(/15 giờ/);
    expect(birth?.components.length).toBeGreaterThan(0);
    const marital = findProcedure(procedures, 'cap-giay-xac-nhan-tinh-trang-hon-nhan');
    expect(marital?.nationalCode).toBe('1.004873');
    expect(findProcedure(procedures, 'khong-co')).toBeUndefined();
  });
});

describe('parseCatalog with bad rows', () => {
  const good = { name: 'Đăng ký khai tử', field: 'Hộ tịch', level: 'xa', processingDays: 0, components: ['Tờ khai'] };

  it('keeps good rows and reports each bad one with its index', () => {
    const { procedures, errors } = parseCatalog([
      good,
      42,
      { ...good, name: '   ' },
      { ...good, name: 'Thủ tục A', processingDays: -1 },
      { ...good, name: 'Thủ tục B', processingDays: '3' },
      { ...good, name: 'Thủ tục C', components: ['ok', 7] },
      { ...good, name: 'Thủ tục D', field: undefined },
      { ...good, name: 'ĐĂNG KÝ KHAI TỬ'.normalize('NFD') },
      { ...good, name: 'Thủ tục E', components: undefined },
      { ...good, name: 'Thủ tục F', authority: 5 },
    ]);
    expect(procedures.map((p) => p.code)).toEqual(['dang-ky-khai-tu', 'thu-tuc-e']);
    expect(procedures[1]?.components).toEqual([]);
    expect(errors).toHaveLength(8);
    expect(errors[0]).toMatch(/^Mục 1: /);
    expect(errors[1]).toBe('Mục 2: thiếu tên thủ tục');
    expect(errors[2]).toMatch(/^Mục 3: thời hạn giải quyết/);
    expect(errors[3]).toMatch(/^Mục 4: thời hạn giải quyết/);
    expect(errors[4]).toMatch(/^Mục 5: thành phần hồ sơ/);
    expect(errors[5]).toBe('Mục 6: thiếu lĩnh vực');
    expect(errors[6]).toBe('Mục 7: trùng mã thủ tục "dang-ky-khai-tu" với mục 0');
    expect(errors[7]).toMatch(/^Mục 9: trường authority/);
  });

  it('rejects a catalog that is not a list', () => {
    expect(parseCatalog({ procedures: [] })).toEqual({ procedures: [], errors: ['Danh mục thủ tục phải là một danh sách (mảng JSON)'] });
  });
});
