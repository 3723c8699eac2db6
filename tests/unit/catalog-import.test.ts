import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { catalogVersion, parseCatalogCsv } from '../../src/domain/catalog-import.ts';
import { componentSpecsOf, parseCatalog, processingTime, processingTimeLabel } from '../../src/domain/catalog.ts';
import { BOM, parseCsv, toCsv } from '../../src/domain/csv.ts';
import { canonicalJson, fnv1a64 } from '../../src/domain/hash.ts';

const HEADER = 'name,code,field,level,processingDays,processingUnit,sameDay15h,components,fees,authority';

describe('parseCsv / toCsv (RFC 4180)', () => {
  it('reads quoted commas, doubled quotes, line breaks and CRLF, and reports the start line', () => {
    const { records, error } = parseCsv(BOM + 'a,"b, c","say ""hi"""\r\n"multi\nline",x,\r\nlast,,y');
    expect(error).toBeUndefined();
    expect(records).toEqual([
      { line: 1, fields: ['a', 'b, c', 'say "hi"'] },
      { line: 2, fields: ['multi\nline', 'x', ''] },
      { line: 4, fields: ['last', '', 'y'] },
    ]);
  });

  it('round-trips what it writes', () => {
    const rows = [['Mã', 'Ghi chú'], ['1', 'có dấu phẩy, "ngoặc" và\nxuống dòng'], ['2', ' lề ']];
    const text = toCsv(rows, { bom: true });
    expect(text.startsWith('\uFEFFMã,Ghi chú\r\n')).toBe(true);
    expect(parseCsv(text).records.map((r) => r.fields)).toEqual(rows);
  });

  it('reports a quote left open', () => {
    expect(parseCsv('a,b\n"open,c\nd').error).toEqual({ line: 2, message: 'dấu ngoặc kép (") mở nhưng không đóng' });
  });
});

describe('parseCatalogCsv', () => {
  const csv = [
    BOM + HEADER,
    'Đăng ký khai tử,1.000656,Hộ tịch,xa,0,ngày làm việc,có,"Tờ khai đăng ký khai tử|original|1;Giấy báo tử|bản sao|1",,"UBND cấp xã, nơi cư trú cuối cùng"',
    '"Cấp bản sao trích lục hộ tịch",,Hộ tịch,xa,8,giờ,,"Tờ khai|original|1",8.000 đồng/bản,',
    '"Chứng thực ""đặc biệt""",,Chứng thực,xa,2,,,"Giấy tờ cần chứng thực, kèm bản dịch|certified_copy|2",,',
    ',,Hộ tịch,xa,3,,,,,', // no name
    'Thủ tục A,,Hộ tịch,xa,ba ngày,,,,,', // days not a number
    'Thủ tục B,,Hộ tịch,xa,3,tuần,,,,', // unit
    'Thủ tục C,,Hộ tịch,xa,3,,,"Tờ khai|bản gốc|1",,', // copy kind
    'Thủ tục D,,Hộ tịch,xa,3,,,"Tờ khai|copy|0",,', // count
    'Thủ tục E,,Hộ tịch,xa,3', // column count
    '',
    '"Thủ tục F\ncó xuống dòng",,,xa,3,,,,,', // no field, spans two lines
    'ĐĂNG KÝ KHAI TỬ,,Hộ tịch,xa,0,,,,,', // duplicate
    'Thủ tục G,,Hộ tịch,xa,3,,có lẽ,,,',
  ].join('\r\n');

  it('keeps the good rows and reports each bad one with its line, in Vietnamese', () => {
    const { procedures, errors } = parseCatalogCsv(csv);
    expect(procedures.map((p) => p.code)).toEqual(['dang-ky-khai-tu', 'cap-ban-sao-trich-luc-ho-tich', 'chung-thuc-dac-biet']);
    expect(errors).toEqual([
      'Dòng 5: thiếu tên thủ tục',
      'Dòng 6: thời hạn giải quyết "ba ngày" phải là số nguyên không âm',
      'Dòng 7: đơn vị thời hạn (processingUnit) phải là "ngày làm việc" hoặc "giờ"',
      'Dòng 8: loại bản "bản gốc" của "Tờ khai" phải là bản chính, bản sao có chứng thực hoặc bản sao',
      'Dòng 9: số lượng "0" của "Tờ khai" phải là số nguyên dương',
      'Dòng 10: có 5 cột, dòng tiêu đề có 10 cột',
      'Dòng 12: thiếu lĩnh vực',
      'Dòng 14: trùng mã thủ tục "dang-ky-khai-tu" với dòng 2',
      'Dòng 15: cột sameDay15h "có lẽ" phải là có/không (true/false)',
    ]);
  });

  it('carries every column through', () => {
    const [death, extract, cert] = parseCatalogCsv(csv).procedures;
    expect(death).toMatchObject({
      name: 'Đăng ký khai tử',
      nationalCode: '1.000656',
      processingDays: 0,
      sameDay15h: true,
      authority: 'UBND cấp xã, nơi cư trú cuối cùng',
      components: ['Tờ khai đăng ký khai tử', 'Giấy báo tử'],
      componentSpecs: [
        { name: 'Tờ khai đăng ký khai tử', copyKind: 'original', count: 1 },
        { name: 'Giấy báo tử', copyKind: 'copy', count: 1 },
      ],
    });
    expect(extract).toMatchObject({ processingUnit: 'hours', processingHours: 8, processingDays: 0, fees: '8.000 đồng/bản' });
    expect(processingTime(extract!)).toEqual({ processingDays: 0, processingHours: 8, sameDay15hRule: false });
    expect(processingTimeLabel(extract!)).toBe('08 giờ làm việc');
    expect(cert).toMatchObject({ name: 'Chứng thực "đặc biệt"', processingDays: 2 });
    expect(cert?.componentSpecs).toEqual([{ name: 'Giấy tờ cần chứng thực, kèm bản dịch', copyKind: 'certified_copy', count: 2 }]);
  });

  it('takes Vietnamese headers in any order and notes unknown columns', () => {
    const text = 'Lĩnh vực,Tên thủ tục,Cấp thực hiện,Thời hạn giải quyết,Ghi chú riêng\nHộ tịch,Đăng ký kết hôn,xa,0,abc\n';
    const { procedures, errors } = parseCatalogCsv(text);
    expect(procedures.map((p) => [p.name, p.field, p.processingDays])).toEqual([['Đăng ký kết hôn', 'Hộ tịch', 0]]);
    expect(errors).toEqual(['Dòng 1: bỏ qua cột không dùng đến: Ghi chú riêng']);
  });

  it('rejects a file without the required columns, an empty file, and stops at an open quote', () => {
    expect(parseCatalogCsv('name,field\nA,B\n')).toEqual({ procedures: [], errors: ['Dòng 1: thiếu cột bắt buộc level, processingDays'] });
    expect(parseCatalogCsv('').errors).toHaveLength(1);
    const open = parseCatalogCsv(`${HEADER}\nThủ tục H,,Hộ tịch,xa,1,,,,,\n"Thủ tục I,,Hộ tịch,xa,1,,,,,\n`);
    expect(open.procedures.map((p) => p.name)).toEqual(['Thủ tục H']);
    expect(open.errors).toEqual(['Dòng 3: dấu ngoặc kép (") mở nhưng không đóng; phần còn lại của tệp không được đọc']);
  });
});

describe('catalog JSON extensions', () => {
  const shipped: unknown = JSON.parse(readFileSync(new URL('../../public/data/procedures.json', import.meta.url), 'utf8'));
  const { procedures, errors } = parseCatalog(shipped);

  it('marks same-day procedures with the 15:00 rule and reads the unit remark', () => {
    expect(errors).toEqual([]);
    for (const p of procedures) expect(p.sameDay15h === true, p.name).toBe(p.processingDays === 0);
    const permit = procedures.find((p) => p.code === 'cap-giay-phep-xay-dung-nha-o-rieng-le');
    expect(permit).toMatchObject({ processingUnit: 'working_days', processingDays: 15 });
    const signature = procedures.find((p) => p.fee !== undefined);
    expect(signature?.fees).toBe(signature?.fee);
  });

  it('takes components as objects and gives defaults for plain names', () => {
    const { procedures: [p], errors: e } = parseCatalog([
      { name: 'X', field: 'F', level: 'xa', processingDays: 1, components: ['A', { name: 'B', copyKind: 'bản sao có chứng thực', count: 2 }] },
    ]);
    expect(e).toEqual([]);
    expect(p?.components).toEqual(['A', 'B']);
    expect(componentSpecsOf(p!)).toEqual([
      { name: 'A', copyKind: 'original', count: 1 },
      { name: 'B', copyKind: 'certified_copy', count: 2 },
    ]);
    const plain = procedures[0]!;
    expect(plain.componentSpecs).toBeUndefined();
    expect(componentSpecsOf(plain).every((c) => c.copyKind === 'original' && c.count === 1)).toBe(true);
    expect(parseCatalog([{ name: 'Y', field: 'F', level: 'xa', processingDays: 1, components: [{ name: 'B', count: 1.5 }] }]).errors).toEqual([
      'Mục 0: số lượng của "B" phải là số nguyên dương',
    ]);
  });
});

describe('catalogVersion', () => {
  const { procedures } = parseCatalog(JSON.parse(readFileSync(new URL('../../public/data/procedures.json', import.meta.url), 'utf8')));

  it('hashes with FNV-1a 64 (reference vectors)', () => {
    expect(fnv1a64('')).toBe('cbf29ce484222325');
    expect(fnv1a64('a')).toBe('af63dc4c8601ec8c');
    expect(fnv1a64('foobar')).toBe('85944171f73967e8');
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: undefined }] })).toBe('{"a":[{"d":2}],"b":1}');
  });

  it('depends on content only', () => {
    const v = catalogVersion(procedures);
    expect(v).toMatch(/^[0-9a-f]{16}$/);
    expect(catalogVersion(procedures.slice().reverse())).toBe(v);
    const reordered = procedures.map((p) => Object.fromEntries(Object.entries(p).reverse()) as typeof p);
    expect(catalogVersion(reordered)).toBe(v);
    const edited = procedures.map((p, i) => (i === 3 ? { ...p, processingDays: p.processingDays + 1 } : p));
    expect(catalogVersion(edited)).not.toBe(v);
    expect(catalogVersion(procedures.slice(1))).not.toBe(v);
  });
});
