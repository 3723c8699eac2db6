/** Overdue dossiers by [status+dueAt]: only running ones past their date, oldest first. */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { overdueRows } from '../../src/db/queries.ts';
import { openDb, type DossierRow } from '../../src/db/schema.ts';

const NOW = Date.UTC(2026, 10, 23, 3, 0, 0);
const HOUR = 3_600_000;

function row(id: string, status: string, dueAt: number): DossierRow {
  return { id, doc: `20209/dossier/${id}`, unit: '20209', code: id, procedureCode: 'p', procedureName: 'P', applicantName: 'A', nameWords: ['a'], nameKey: 'a', cccd: '', phone: '', status, conflict: 0, receivedAt: NOW - 100 * HOUR, dueAt, officer: 'o1', handler: '', resolvedAt: 0, updatedAt: NOW };
}

describe('overdueRows', () => {
  it('returns the running dossiers past their due date, oldest first, and nothing else', async () => {
    const db = openDb(`overdue-${process.pid}`);
    await db.dossiers.bulkPut([
      row('late-2', 'processing', NOW - 2 * HOUR),
      row('late-1', 'received', NOW - 5 * HOUR),
      row('on-time', 'received', NOW + HOUR),
      row('done-late', 'returned', NOW - 9 * HOUR),
      row('paused', 'supplement_requested', NOW - 9 * HOUR),
      row('no-date', 'received', 0),
      row('due-now', 'received', NOW),
    ]);
    const got = await overdueRows(db, ['received', 'processing'], NOW);
    expect(got.map((r) => r.id)).toEqual(['late-1', 'late-2', 'due-now']);
    db.close();
  });
});
