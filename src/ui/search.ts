/**
 * Search over the projection with the indexes of src/db/schema.ts: a code prefix, an exact CCCD or
 * phone, or name words without diacritics (the first word narrows by index, the rest filter).
 * List filters (today, status, procedure, due soon, overdue) apply before the page limit, and use the
 * receivedAt, status and dueAt indexes when there is no search text.
 */
import type { Collection, InsertType } from 'dexie';
import { overdueRows } from '../db/queries.ts';
import type { DossierRow, MotcuaDb } from '../db/schema.ts';
import { classifyQuery, matchesName, nameWords } from '../domain/search.ts';
import { VN_OFFSET_MS } from '../domain/time.ts';

export const PAGE_SIZE = 50;

export type When = 'all' | 'today' | 'due_soon' | 'overdue';

export interface ListFilter {
  when: When;
  /** '' = any status. */
  status: string;
  /** '' = any procedure. */
  procedure: string;
}

export const NO_FILTER: ListFilter = { when: 'all', status: '', procedure: '' };

/** Statuses whose clock runs: a dossier waiting for a supplement is paused, a finished one is done. */
export const RUNNING = new Set(['received', 'processing']);

export interface Clock {
  now: number;
  /** End of the next working day: "due within 1 working day" is a due date up to this instant. */
  dueSoonUntil: number;
}

/** 00:00 today in Vietnam. */
export function vnDayStart(now: number): number {
  const day = 24 * 3600 * 1000;
  return Math.floor((now + VN_OFFSET_MS) / day) * day - VN_OFFSET_MS;
}

export function rowPredicate(f: ListFilter, clock: Clock): (row: DossierRow) => boolean {
  const today = vnDayStart(clock.now);
  return (row) => {
    if (f.status !== '' && row.status !== f.status) return false;
    if (f.procedure !== '' && row.procedureCode !== f.procedure) return false;
    switch (f.when) {
      case 'all':
        return true;
      case 'today':
        return row.receivedAt >= today;
      case 'due_soon':
        return RUNNING.has(row.status) && row.dueAt > clock.now && row.dueAt <= clock.dueSoonUntil;
      case 'overdue':
        return RUNNING.has(row.status) && row.dueAt > 0 && row.dueAt <= clock.now;
    }
  };
}

// Sorting a status's rows in memory is fine up to this many; past it, walk receivedAt instead.
const SMALL_SET = 2000;

async function unsearched(db: MotcuaDb, f: ListFilter, clock: Clock, keep: (r: DossierRow) => boolean): Promise<DossierRow[]> {
  const page = (c: Collection<DossierRow, string, InsertType<DossierRow, 'id'>>): Promise<DossierRow[]> => c.filter(keep).limit(PAGE_SIZE).toArray();
  switch (f.when) {
    case 'today':
      return page(db.dossiers.where('receivedAt').aboveOrEqual(vnDayStart(clock.now)).reverse());
    case 'due_soon':
      return page(db.dossiers.where('dueAt').between(clock.now, clock.dueSoonUntil, false, true));
    case 'overdue':
      // Walking past due dates would read nearly every row of a stored year to find the few still open.
      return (await overdueRows(db, [...RUNNING], clock.now)).filter(keep).slice(0, PAGE_SIZE);
    case 'all':
      break;
  }
  if (f.status !== '') {
    const byStatus = db.dossiers.where('status').equals(f.status);
    if ((await byStatus.count()) <= SMALL_SET) {
      const rows = (await byStatus.filter(keep).toArray()).sort((a, b) => b.receivedAt - a.receivedAt);
      return rows.slice(0, PAGE_SIZE);
    }
  }
  return page(db.dossiers.orderBy('receivedAt').reverse());
}

export async function searchDossiers(db: MotcuaDb, query: string, f: ListFilter = NO_FILTER, clock?: Clock): Promise<DossierRow[]> {
  const c = clock ?? { now: Date.now(), dueSoonUntil: Date.now() };
  const keep = rowPredicate(f, c);
  if (query.trim() === '') return unsearched(db, f, c, keep);
  const q = classifyQuery(query);
  switch (q.kind) {
    case 'code':
      return db.dossiers.where('code').startsWith(q.value).filter(keep).limit(PAGE_SIZE).toArray();
    case 'cccd':
      return db.dossiers.where('cccd').equals(q.value).filter(keep).limit(PAGE_SIZE).toArray();
    case 'phone':
      return db.dossiers.where('phone').equals(q.value).filter(keep).limit(PAGE_SIZE).toArray();
    case 'name': {
      const words = nameWords(q.value);
      const [first] = words;
      if (first === undefined) return [];
      // Several words typed in the name's order (the usual "nguyen van an"): one range of the nameKey
      // index, however common the first word. Only when that finds nothing are the words matched in
      // any order, which walks every row holding the first word.
      if (words.length > 1) {
        const inOrder = await db.dossiers.where('nameKey').startsWith(words.join(' ')).filter(keep).limit(PAGE_SIZE).toArray();
        if (inOrder.length > 0) return inOrder;
      }
      return db.dossiers
        .where('nameWords')
        .startsWith(first)
        .distinct()
        .filter((row) => matchesName(row.nameWords, q.value) && keep(row))
        .limit(PAGE_SIZE)
        .toArray();
    }
  }
}
