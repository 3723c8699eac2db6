/**
 * The working-time calendar on the page, for near-due and overdue states in lists, alerts and the
 * dashboard. Loaded on demand (it brings the lunar library), from the precached holidays file.
 */
import { addWorkingDays, buildCalendar, dueState, type DueState, type WorkCalendar } from '../domain/calendar.ts';

export async function loadWorkCalendar(): Promise<WorkCalendar> {
  const res = await fetch('/data/holidays.json');
  if (!res.ok) throw new Error(`holidays.json: HTTP ${res.status}`);
  return buildCalendar(await res.json());
}

export { addWorkingDays, dueState, type DueState, type WorkCalendar };
