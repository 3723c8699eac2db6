/**
 * Search over the projection with the indexes of src/db/schema.ts: a code prefix, an exact CCCD or
 * phone, or name words without diacritics (the first word narrows by index, the rest filter).
 */
import type { DossierRow, MotcuaDb } from '../db/schema.ts';
import { classifyQuery, matchesName, nameWords } from '../domain/search.ts';

export const PAGE_SIZE = 50;

export async function searchDossiers(db: MotcuaDb, query: string): Promise<DossierRow[]> {
  if (query.trim() === '') {
    return db.dossiers.orderBy('receivedAt').reverse().limit(PAGE_SIZE).toArray();
  }
  const q = classifyQuery(query);
  switch (q.kind) {
    case 'code':
      return db.dossiers.where('code').startsWith(q.value).limit(PAGE_SIZE).toArray();
    case 'cccd':
      return db.dossiers.where('cccd').equals(q.value).limit(PAGE_SIZE).toArray();
    case 'phone':
      return db.dossiers.where('phone').equals(q.value).limit(PAGE_SIZE).toArray();
    case 'name': {
      const [first] = nameWords(q.value);
      if (first === undefined) return [];
      return db.dossiers
        .where('nameWords')
        .startsWith(first)
        .distinct()
        .filter((row) => matchesName(row.nameWords, q.value))
        .limit(PAGE_SIZE)
        .toArray();
    }
  }
}
