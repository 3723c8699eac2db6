/**
 * Reads of the projection that the page and the worker share, where the right index matters at a
 * year's scale (issue 4).
 */
import type { DossierRow, MotcuaDb } from './schema.ts';

/**
 * The dossiers of `running` statuses whose due date has passed, by [status+dueAt]: only overdue rows
 * are read, whether the device holds a busy day (hundreds running, none overdue) or a year (every
 * due date past, few running). Oldest due date first.
 */
export async function overdueRows(db: MotcuaDb, running: readonly string[], now: number): Promise<DossierRow[]> {
  const parts = await Promise.all(running.map((s) => db.dossiers.where('[status+dueAt]').between([s, 1], [s, now], true, true).toArray()));
  return parts.flat().sort((a, b) => a.dueAt - b.dueAt);
}
