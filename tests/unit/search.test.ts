import { describe, expect, it } from 'vitest';
import { classifyQuery, foldVietnamese, matchesName, nameWords } from '../../src/domain/search.ts';
import { normalizePhone } from '../../src/domain/phone.ts';

describe('foldVietnamese', () => {
  it('folds a full name', () => {
    expect(foldVietnamese('Nguyễn Văn An')).toBe('nguyen van an');
    expect(foldVietnamese('  ĐẶNG   Thị\tĐào ')).toBe('dang thi dao');
    expect(foldVietnamese('Đỗ Ánh Tuyết')).toBe('do anh tuyet');
  });

  it('strips every tone and vowel mark', () => {
    const groups: [string, string][] = [
      ['aáàảãạăắằẳẵặâấầẩẫậ', 'a'],
      ['eéèẻẽẹêếềểễệ', 'e'],
      ['iíìỉĩị', 'i'],
      ['oóòỏõọôốồổỗộơớờởỡợ', 'o'],
      ['uúùủũụưứừửữự', 'u'],
      ['yýỳỷỹỵ', 'y'],
      ['dđĐD', 'd'],
    ];
    for (const [letters, base] of groups) {
      expect(foldVietnamese(letters)).toBe(base.repeat([...letters].length));
      expect(foldVietnamese(letters.toUpperCase())).toBe(base.repeat([...letters].length));
    }
  });

  it('gives the same result for precomposed and decomposed input', () => {
    const nfc = 'Trương Thị Hường'.normalize('NFC');
    const nfd = nfc.normalize('NFD');
    expect(nfd).not.toBe(nfc);
    expect(foldVietnamese(nfd)).toBe(foldVietnamese(nfc));
    expect(foldVietnamese(nfc)).toBe('truong thi huong');
  });
});

describe('nameWords and matchesName', () => {
  it('returns unique folded words', () => {
    expect(nameWords('  Trần Thị  Trần-Minh ')).toEqual(['tran', 'thi', 'minh']);
  });

  it('matches when every query word prefixes some row word', () => {
    const row = nameWords('Nguyễn Văn An');
    expect(matchesName(row, 'nguyen van an')).toBe(true);
    expect(matchesName(row, 'Nguyễn An')).toBe(true);
    expect(matchesName(row, 'ng v a')).toBe(true);
    expect(matchesName(row, 'an nguyen')).toBe(true);
    expect(matchesName(row, 'nguyen binh')).toBe(false);
    expect(matchesName(row, 'guyen')).toBe(false);
    expect(matchesName(row, '')).toBe(true);
  });
});

describe('classifyQuery', () => {
  it('recognises dossier codes and their prefixes', () => {
    for (const q of ['20209-260213-0001', '20209-260213-90001', ' 20209- ', '20209-2602', '20209-260213-', '20209-260213-00']) {
      expect(classifyQuery(q)).toEqual({ kind: 'code', value: q.trim() });
    }
    expect(classifyQuery('2020-').kind).not.toBe('code');
    expect(classifyQuery('20209-2602131').kind).not.toBe('code');
  });

  it('recognises a 12-digit CCCD, typed in groups or not', () => {
    expect(classifyQuery('048095000123')).toEqual({ kind: 'cccd', value: '048095000123' });
    expect(classifyQuery('048 095 000 123')).toEqual({ kind: 'cccd', value: '048095000123' });
  });

  it('recognises phone numbers and normalises +84', () => {
    expect(classifyQuery('0905123456')).toEqual({ kind: 'phone', value: '0905123456' });
    expect(classifyQuery('+84 905 123 456')).toEqual({ kind: 'phone', value: '0905123456' });
    expect(classifyQuery('0236.382.1234')).toEqual({ kind: 'phone', value: '02363821234' });
    expect(classifyQuery('090512345')).toEqual({ kind: 'phone', value: '090512345' });
    expect(classifyQuery('090512').kind).toBe('name');
    expect(classifyQuery('1905123456').kind).toBe('name');
  });

  it('treats anything else as a folded name', () => {
    expect(classifyQuery('  Nguyễn   Văn An ')).toEqual({ kind: 'name', value: 'nguyen van an' });
  });
});

describe('normalizePhone', () => {
  it('accepts Vietnamese mobiles and landlines only', () => {
    expect(normalizePhone('0905 123 456')).toBe('0905123456');
    expect(normalizePhone('+84905123456')).toBe('0905123456');
    expect(normalizePhone('0084 905 123 456')).toBe('0905123456');
    expect(normalizePhone('0236 3821 234')).toBe('02363821234');
    expect(normalizePhone('0105123456')).toBeNull();
    expect(normalizePhone('090512345')).toBeNull();
    expect(normalizePhone('abc')).toBeNull();
  });
});
