import { describe, expect, it } from 'vitest';
import {
  FALLBACK_PER_DAY,
  addBlock,
  addDaysKey,
  daysNeedingBlocks,
  emptyPool,
  fallbackNumber,
  formatDossierCode,
  freeNumbers,
  heldSpans,
  parseDossierCode,
  pruneBlocks,
  takeNumber,
} from '../../src/domain/dossier-code.ts';
import type { NumberPool } from '../../src/domain/dossier-code.ts';
import { AppError } from '../../src/domain/errors.ts';

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (e) {
    return e instanceof AppError ? e.code : 'not an AppError';
  }
  return undefined;
};

describe('formatDossierCode / parseDossierCode', () => {
  it('pads to four digits and keeps five-digit fallback numbers', () => {
    expect(formatDossierCode('20209', '260213', 7)).toBe('20209-260213-0007');
    expect(formatDossierCode('20209', '260213', 9305)).toBe('20209-260213-9305');
    expect(formatDossierCode('20209', '260213', 93005)).toBe('20209-260213-93005');
  });

  it('round-trips', () => {
    for (const n of [1, 42, 8999, 9000, 9999, 90000, 99999]) {
      const code = formatDossierCode('000.00.01.H56', '251231', n);
      expect(parseDossierCode(code)).toEqual({ unit: '000.00.01.H56', day: '251231', number: n });
    }
  });

  it('rejects what it could not have printed', () => {
    for (const bad of ['', 'abc', '20209-260230-0001', '20209-260213-0000', '20209-260213-01234', '20209-260213-123', '20209-2602130-0001', '20-209-260213-0001']) {
      expect(parseDossierCode(bad)).toBeNull();
    }
    expect(codeOf(() => formatDossierCode('20209', '260213', 0))).toBe('invalid_dossier_code');
    expect(codeOf(() => formatDossierCode('20209', '260213', 100000))).toBe('invalid_dossier_code');
    expect(codeOf(() => formatDossierCode('20-209', '260213', 1))).toBe('invalid_dossier_code');
    expect(codeOf(() => formatDossierCode('20209', '261301', 1))).toBe('invalid_dossier_code');
  });
});

describe('takeNumber from server blocks', () => {
  const pool: NumberPool = addBlock(addBlock(addBlock(emptyPool(), { day: '260213', start: 1, end: 2 }), { day: '260213', start: 51, end: 52 }), {
    day: '260214',
    start: 10,
    end: 12,
  });

  it('uses the day’s blocks in order, then falls back, without mutating the input', () => {
    const before = JSON.stringify(pool);
    const got: [number, string][] = [];
    let p = pool;
    for (let i = 0; i < 6; i++) {
      const r = takeNumber(p, '260213', 4);
      got.push([r.number, r.source]);
      p = r.pool;
    }
    expect(got).toEqual([
      [1, 'block'],
      [2, 'block'],
      [51, 'block'],
      [52, 'block'],
      [9400, 'fallback'],
      [9401, 'fallback'],
    ]);
    expect(JSON.stringify(pool)).toBe(before);
    expect(p.fallback).toEqual({ '260213': 2 });
    expect(freeNumbers(p, '260214')).toBe(3);
    expect(takeNumber(p, '260214', 4).number).toBe(10);
  });

  it('refuses blocks that could break uniqueness', () => {
    expect(codeOf(() => addBlock(pool, { day: '260213', start: 2, end: 10 }))).toBe('invalid_block');
    expect(codeOf(() => addBlock(pool, { day: '260215', start: 8990, end: 9000 }))).toBe('invalid_block');
    expect(codeOf(() => addBlock(pool, { day: '260215', start: 0, end: 5 }))).toBe('invalid_block');
    expect(codeOf(() => addBlock(pool, { day: '260215', start: 9, end: 5 }))).toBe('invalid_block');
    expect(codeOf(() => addBlock(pool, { day: '260215', start: 1, end: 5 }))).toBeUndefined();
  });
});

describe('offline fallback', () => {
  it('never collides across 10 devices x 1100 numbers, nor with block numbers', () => {
    const seen = new Map<string, number>();
    for (let ordinal = 0; ordinal <= 9; ordinal++) {
      let p = emptyPool();
      for (let i = 0; i < FALLBACK_PER_DAY; i++) {
        const r = takeNumber(p, '260213', ordinal);
        expect(r.source).toBe('fallback');
        p = r.pool;
        const code = formatDossierCode('20209', '260213', r.number);
        expect(seen.has(code), `${code} from device ${ordinal} and ${seen.get(code)}`).toBe(false);
        seen.set(code, ordinal);
        expect(r.number).toBeGreaterThan(8999);
        expect(parseDossierCode(code)?.number).toBe(r.number);
      }
      expect(codeOf(() => takeNumber(p, '260213', ordinal))).toBe('numbers_exhausted');
      // The next day starts afresh.
      expect(takeNumber(p, '260214', ordinal).number).toBe(9000 + ordinal * 100);
    }
    expect(seen.size).toBe(10 * 1100);
  });

  it('lays out the documented ranges', () => {
    expect(fallbackNumber(3, 0)).toBe(9300);
    expect(fallbackNumber(3, 99)).toBe(9399);
    expect(fallbackNumber(3, 100)).toBe(93000);
    expect(fallbackNumber(3, 1099)).toBe(93999);
    expect(fallbackNumber(9, 1099)).toBe(99999);
    expect(codeOf(() => fallbackNumber(3, 1100))).toBe('numbers_exhausted');
    expect(codeOf(() => takeNumber(emptyPool(), '260213', 10))).toBe('invalid_ordinal');
    expect(codeOf(() => takeNumber(emptyPool(), '260213', -1))).toBe('invalid_ordinal');
  });
});

describe('block upkeep', () => {
  it('prunes past days and old fallback counters', () => {
    const pool: NumberPool = {
      blocks: [
        { day: '260212', start: 1, end: 100, next: 5 },
        { day: '260213', start: 101, end: 200, next: 101 },
        { day: '260301', start: 1, end: 10, next: 1 },
      ],
      fallback: { '251231': 4, '260120': 3, '260212': 7 },
    };
    const pruned = pruneBlocks(pool, '260213');
    expect(pruned.blocks.map((b) => b.day)).toEqual(['260213', '260301']);
    expect(pruned.fallback).toEqual({ '260120': 3, '260212': 7 });
    expect(pool.blocks).toHaveLength(3);
  });

  it('lists the coming days short of numbers', () => {
    let pool = addBlock(emptyPool(), { day: '260227', start: 1, end: 50 });
    pool = addBlock(pool, { day: '260228', start: 1, end: 5 });
    pool = addBlock(pool, { day: '260301', start: 1, end: 10 });
    expect(daysNeedingBlocks(pool, '260227', 4, 10)).toEqual(['260228', '260302']);
    expect(daysNeedingBlocks(pool, '260227', 4, 1)).toEqual(['260302']);
    // Taking numbers lowers the free count.
    let p = pool;
    for (let i = 0; i < 45; i++) p = takeNumber(p, '260227', 0).pool;
    expect(freeNumbers(p, '260227')).toBe(5);
    expect(daysNeedingBlocks(p, '260227', 1, 10)).toEqual(['260227']);
  });

  it('[S10][S17] tells the server, per day in day order, the span of the block numbers held', () => {
    let pool = emptyPool();
    pool = addBlock(pool, { day: '260301', start: 201, end: 300 });
    pool = addBlock(pool, { day: '260228', start: 1, end: 100 });
    pool = addBlock(pool, { day: '260301', start: 1, end: 100 });
    // A block used up still counts: its numbers were handed out.
    for (let i = 0; i < 100; i++) pool = takeNumber(pool, '260228', 0).pool;
    expect(heldSpans(pool)).toEqual([
      { day: '260228', start: 1, end: 100 },
      { day: '260301', start: 1, end: 300 },
    ]);
    expect(heldSpans(emptyPool())).toEqual([]);
  });

  it('re-exports addDaysKey', () => {
    expect(addDaysKey('260228', 2)).toBe('260302');
  });
});
