/**
 * Asks the browser to keep our data (navigator.storage.persist) and watches free space, so the officer
 * is told before an intake could be lost (decision 1). persist() is only available to the page.
 */
export type StorageHealth = { persisted: boolean | null; lowSpace: boolean; usage: number; quota: number };

/** Warn when less than this is free: a day's intake of a busy ward is a few MB. */
const LOW_SPACE_BYTES = 50 * 1024 * 1024;

export async function checkStorage(): Promise<StorageHealth> {
  const sm = navigator.storage as StorageManager | undefined;
  if (sm === undefined) return { persisted: null, lowSpace: false, usage: 0, quota: 0 };
  let persisted = await sm.persisted();
  if (!persisted) persisted = await sm.persist();
  const { usage = 0, quota = 0 } = await sm.estimate();
  return { persisted, lowSpace: quota > 0 && quota - usage < LOW_SPACE_BYTES, usage, quota };
}
