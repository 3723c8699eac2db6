/** CSV injection: what the software writes never starts a cell with something a spreadsheet runs. */
import { describe, expect, it } from 'vitest';
import { csvField, neutraliseFormula, parseCsv, toCsv } from '../../src/domain/csv.ts';
import { registerCsv, type RegisterRow } from '../../src/domain/forms/register.ts';

describe('formula cells in written CSV', () => {
  it('prefixes a single quote to a cell starting with =, +, -, @, tab or CR, and to nothing else', () => {
    expect(['=1+1', '+84 905', '-2', '@SUM(A1)', '\tx', '\rx'].map(neutraliseFormula)).toEqual(["'=1+1", "'+84 905", "'-2", "'@SUM(A1)", "'\tx", "'\rx"]);
    expect(['Lê Thị Hoa', '0905 123 456', '20209-261123-0001', 'a=b', ' =x', ''].map(neutraliseFormula)).toEqual([
      'Lê Thị Hoa',
      '0905 123 456',
      '20209-261123-0001',
      'a=b',
      ' =x',
      '',
    ]);
    // Quoting still applies after the prefix: the spreadsheet reads back the neutralised text.
    expect(csvField('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvField('\rx')).toBe(`"'\rx"`);
    expect(parseCsv(toCsv([['=cmd|calc', 'ok']])).records[0]?.fields).toEqual(["'=cmd|calc", 'ok']);
  });

  it('the daily register (Mẫu 07) a device exports is neutralised', () => {
    const row: RegisterRow = {
      seq: 1,
      code: '20209-261123-0001',
      procedureName: 'Đăng ký khai sinh',
      sets: 1,
      applicantName: '=HYPERLINK("http://evil.example","Lê Thị Hoa")',
      addressPhone: '+84905123456',
      body: '',
      intakeAt: Date.UTC(2026, 10, 23, 3),
      receivedAt: Date.UTC(2026, 10, 23, 3),
      dueAt: null,
      transferredAt: null,
      resolvedAt: null,
      returnedAt: null,
      status: 'Đã tiếp nhận',
      note: '@note',
    };
    const [, record] = parseCsv(registerCsv([row], '2026-11-23')).records;
    expect(record?.fields[5]).toBe(`'=HYPERLINK("http://evil.example","Lê Thị Hoa")`);
    expect(record?.fields[6]).toBe("'+84905123456");
    expect(record?.fields.at(-1)).toBe("'@note");
    expect(record?.fields.every((f) => !/^[=+\-@\t\r]/.test(f))).toBe(true);
  });
});
