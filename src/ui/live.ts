/**
 * Dexie liveQuery as a Preact hook: the page reads the projection the worker writes. Dexie itself
 * loads after the first screen (it is the largest library the page uses, and the intake form needs
 * none of it): a query subscribes once it is there, showing `initial` until then. A background query
 * (the shell's pending count, the due alerts) does not even start loading it before the first screen
 * is usable; a screen's own query does, and its first answer marks that screen as shown.
 */
import { useLayoutEffect, useState } from 'preact/hooks';
import type { MotcuaDb } from '../db/schema.ts';
import { afterFirstScreen, firstScreenShown } from './first-screen.ts';

type Loaded = { db: MotcuaDb; liveQuery: typeof import('dexie').liveQuery };

let loading: Promise<Loaded> | null = null;

/** The page's read-only handle on the device database (the worker is the writer). */
export function loadDb(): Promise<Loaded> {
  loading ??= Promise.all([import('dexie'), import('../db/schema.ts')]).then(([dexie, schema]) => ({
    db: schema.openDb(),
    liveQuery: dexie.liveQuery,
  }));
  return loading;
}

export function useLive<T>(query: (db: MotcuaDb) => Promise<T>, deps: readonly unknown[], initial: T, background = false): T {
  const [value, setValue] = useState<T>(initial);
  // A layout effect: the query starts in the task that rendered the new deps (a search keystroke),
  // not after the next frame as a plain effect would (~16 ms more, on every search).
  useLayoutEffect(() => {
    let unsubscribe: (() => void) | null = null;
    let live = true;
    (background ? afterFirstScreen().then(loadDb) : loadDb()).then(
      ({ db, liveQuery }) => {
        if (!live) return;
        const sub = liveQuery(() => query(db)).subscribe({
          next: (v) => {
            setValue(v);
            if (!background) firstScreenShown();
          },
          error: (e: unknown) => console.error('liveQuery failed', e),
        });
        unsubscribe = () => sub.unsubscribe();
      },
      (e: unknown) => console.error('database not opened', e),
    );
    return () => {
      live = false;
      unsubscribe?.();
    };
  }, deps);
  return value;
}
