/**
 * "Now" for lists and alerts, and the end of the "due within 1 working day" window. The calendar loads
 * after the first screen; until it has, the window is 24 hours (the state badge may then say "due soon"
 * a little early over a weekend, never late).
 */
import { useEffect, useState } from 'preact/hooks';
import { afterFirstScreen } from './first-screen.ts';
import { RUNNING, type Clock } from './search.ts';

type CalendarModule = typeof import('./calendar-load.ts');
type Loaded = { mod: CalendarModule; cal: import('./calendar-load.ts').WorkCalendar };

let loading: Promise<Loaded | null> | null = null;
let loaded: Loaded | null = null;

export function loadCalendar(): Promise<Loaded | null> {
  loading ??= import('./calendar-load.ts')
    .then(async (mod) => (loaded = { mod, cal: await mod.loadWorkCalendar() }))
    .catch((e: unknown) => {
      console.error('working-time calendar not loaded', e);
      loading = null;
      return null;
    });
  return loading;
}

const MINUTE = 60_000;
const DAY = 24 * 3600_000;

export function clockAt(now: number): Clock {
  const dueSoonUntil = loaded === null ? now + DAY : loaded.mod.addWorkingDays(loaded.cal, now, 1);
  return { now, dueSoonUntil };
}

/** Ticks once a minute (on the minute), so live queries that depend on it re-run rarely. */
export function useClock(): Clock {
  const [clock, setClock] = useState<Clock>(() => clockAt(Math.floor(Date.now() / MINUTE) * MINUTE));
  useEffect(() => {
    let live = true;
    const tick = (): void => {
      if (live) setClock(clockAt(Math.floor(Date.now() / MINUTE) * MINUTE));
    };
    // The lunar library behind the calendar is not needed to show the first screen.
    void afterFirstScreen().then(loadCalendar).then(tick);
    const timer = window.setInterval(tick, MINUTE);
    return () => {
      live = false;
      window.clearInterval(timer);
    };
  }, []);
  return clock;
}

export type DueLevel = 'none' | 'on_time' | 'near_due' | 'overdue';

/** The state of a due date for a dossier whose clock runs; 'none' when there is no running deadline. */
export function dueLevel(dueAt: number, status: string, clock: Clock): DueLevel {
  if (!(dueAt > 0) || !RUNNING.has(status)) return 'none';
  if (clock.now > dueAt) return 'overdue';
  return dueAt <= clock.dueSoonUntil ? 'near_due' : 'on_time';
}
