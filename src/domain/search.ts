/**
 * Search normalisation shared by the projection (what is stored) and the query (what is typed), so
 * that "nguyen van an" finds "Nguyễn Văn An". Both sides must fold with the same function.
 */
import { compactPhone } from './phone.ts';

/** Lower case, no diacritics (đ → d: NFD does not decompose it), whitespace collapsed and trimmed. */
export function foldVietnamese(s: string): string {
  return s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

/** Unique folded words of a name, in first-seen order; punctuation separates words. */
export function nameWords(name: string): string[] {
  const words = foldVietnamese(name).split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 0);
  return [...new Set(words)];
}

export type QueryKind = 'code' | 'cccd' | 'phone' | 'name';

// A full dossier code (5-digit commune code, YYMMDD, 4-5 digit number) or a prefix of one that at
// least holds the unit and its dash: "20209-", "20209-2602", "20209-260213-00".
const CODE_PREFIX = /^\d{5}-(?:\d{0,6}|\d{6}-\d{0,5})$/;

/**
 * What a single search box query most likely is. Separators inside numbers are ignored because
 * CCCD and phone numbers are read out in groups.
 */
export function classifyQuery(q: string): { kind: QueryKind; value: string } {
  const trimmed = q.trim();
  if (CODE_PREFIX.test(trimmed)) return { kind: 'code', value: trimmed };
  const compact = trimmed.replace(/[\s.\-()]/g, '');
  if (/^\d{12}$/.test(compact)) return { kind: 'cccd', value: compact };
  if (/^(?:\+84|0)\d+$/.test(compact)) {
    const phone = compactPhone(compact);
    if (/^0\d{8,10}$/.test(phone)) return { kind: 'phone', value: phone };
  }
  return { kind: 'name', value: foldVietnamese(trimmed) };
}

/**
 * True when every word of the query is a prefix of some word of the row ("ng an" matches
 * "nguyen van an"), in any order. An empty query matches everything.
 */
export function matchesName(rowWords: readonly string[], query: string): boolean {
  return nameWords(query).every((qw) => rowWords.some((rw) => rw.startsWith(qw)));
}
