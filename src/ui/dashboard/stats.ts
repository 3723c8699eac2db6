/**
 * The leader's numbers, read from the projection with its indexes: counts by status, the month's
 * on-time rate, and near-due and overdue dossiers per officer (the officer who took them in).
 */
import type { DossierRow, MotcuaDb } from '../../db/schema.ts';
import { VN_OFFSET_MS, vnParts } from '../../domain/time.ts';
import { RUNNING, vnDayStart, type Clock } from '../search.ts';

export const STATUSES = ['received', 'supplement_requested', 'processing', 'resolved', 'returned', 'refused', 'withdrawn', 'stopped'] as const;

export interface OfficerLine {
  officer: string;
  nearDue: number;
  overdue: number;
}

export interface Stats {
  byStatus: Record<string, number>;
  total: number;
  today: number;
  /** This month: finished with a known finish time, and of those on time. */
  finished: number;
  finishedOnTime: number;
  /** Running now (clock not paused): not overdue vs all. */
  running: number;
  runningOnTime: number;
  perOfficer: OfficerLine[];
  nearDue: number;
  overdue: number;
}

/** A finished row is rated on time when it was resolved by its due date (both in the projection). */
type Row = DossierRow;

/** 00:00 of the first day of this month in Vietnam. */
export function monthStart(now: number): number {
  const p = vnParts(now);
  return Date.UTC(p.year, p.month - 1, 1) - VN_OFFSET_MS;
}

export async function readStats(db: MotcuaDb, clock: Clock): Promise<Stats> {
  const byStatus: Record<string, number> = {};
  for (const s of STATUSES) byStatus[s] = await db.dossiers.where('status').equals(s).count();
  const total = await db.dossiers.count();
  const today = await db.dossiers.where('receivedAt').aboveOrEqual(vnDayStart(clock.now)).count();

  let finished = 0;
  let finishedOnTime = 0;
  await db.dossiers
    .where('receivedAt')
    .aboveOrEqual(monthStart(clock.now))
    .each((r: Row) => {
      if ((r.status === 'resolved' || r.status === 'returned') && r.resolvedAt > 0 && r.dueAt > 0) {
        finished++;
        if (r.resolvedAt <= r.dueAt) finishedOnTime++;
      }
    });

  const per = new Map<string, OfficerLine>();
  const line = (officer: string): OfficerLine => {
    let l = per.get(officer);
    if (l === undefined) {
      l = { officer, nearDue: 0, overdue: 0 };
      per.set(officer, l);
    }
    return l;
  };
  let nearDue = 0;
  let overdue = 0;
  let running = 0;
  let runningOnTime = 0;
  // Only open dossiers: a few thousand at most, whatever the device holds in total.
  await db.dossiers
    .where('status')
    .anyOf([...RUNNING])
    .each((r) => {
      if (!(r.dueAt > 0)) return;
      running++;
      if (r.dueAt < clock.now) {
        overdue++;
        line(r.officer).overdue++;
      } else {
        runningOnTime++;
        if (r.dueAt <= clock.dueSoonUntil) {
          nearDue++;
          line(r.officer).nearDue++;
        }
      }
    });
  return { byStatus, total, today, finished, finishedOnTime, running, runningOnTime, perOfficer: [...per.values()], nearDue, overdue };
}
