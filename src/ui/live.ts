/** Dexie liveQuery as a Preact hook: the page reads the projection the worker writes. */
import { liveQuery } from 'dexie';
import { useEffect, useState } from 'preact/hooks';
import { openDb, type MotcuaDb } from '../db/schema.ts';

let db: MotcuaDb | null = null;

/** The page's read-only handle on the device database (the worker is the writer). */
export function readDb(): MotcuaDb {
  db ??= openDb();
  return db;
}

export function useLive<T>(query: () => Promise<T>, deps: readonly unknown[], initial: T): T {
  const [value, setValue] = useState<T>(initial);
  useEffect(() => {
    const sub = liveQuery(query).subscribe({
      next: (v) => setValue(v),
      error: (e: unknown) => console.error('liveQuery failed', e),
    });
    return () => sub.unsubscribe();
  }, deps);
  return value;
}
