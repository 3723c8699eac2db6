/** Name search over the projection: a full name in order by the nameKey index, words in any order as a fallback. */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { openDb, type DossierRow } from '../../src/db/schema.ts';
import { nameWords } from '../../src/domain/search.ts';
import { searchDossiers } from '../../src/ui/search.ts';

function row(i: number, name: string): DossierRow {
  const words = nameWords(name);
  return {
    id: `id-${i}`, doc: `20209/dossier/id-${i}`, unit: '20209', code: `20209-261123-${String(i).padStart(4, '0')}`,
    procedureCode: 'p', procedureName: 'P', applicantName: name, nameWords: words, nameKey: words.join(' '),
    cccd: `0480950${String(i).padStart(5, '0')}`, phone: '', status: 'received', conflict: 0, receivedAt: i, dueAt: 0,
    officer: 'o', handler: '', resolvedAt: 0, updatedAt: 0,
  };
}

describe('name search', () => {
  it('finds a full name typed in order among many sharing its first word, and words in any order when that finds nothing', async () => {
    const db = openDb(`search-${process.pid}`);
    const rows = Array.from({ length: 300 }, (_, i) => row(i, i % 3 === 0 ? 'Nguyễn Văn Bình' : 'Nguyễn Thị Hoa'));
    rows.push(row(1000, 'Nguyễn Văn An'), row(1001, 'Ngô Thanh Bình'));
    await db.dossiers.bulkPut(rows);
    expect((await searchDossiers(db, 'nguyen van an')).map((r) => r.id)).toEqual(['id-1000']);
    expect((await searchDossiers(db, 'Ngô Thanh')).map((r) => r.applicantName)).toEqual(['Ngô Thanh Bình']);
    // Words out of order: no nameKey range matches, the word index still finds it.
    expect((await searchDossiers(db, 'an nguyen')).map((r) => r.id)).toEqual(['id-1000']);
    expect((await searchDossiers(db, 'binh')).length).toBe(50);
    db.close();
  });
});
