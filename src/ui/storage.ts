/**
 * Asks the browser to keep our data (navigator.storage.persist) and watches free space, so the officer
 * is told before an intake could be lost (decision 1). persist() is only available to the page.
 *
 * Free space is measured by writing, not only by navigator.storage.estimate(): for a site without
 * persistent storage Chromium pads the quota it reports (so pages cannot read the disk's size) and says
 * about 1 GB is free on a disk that is full (found by the @chaos-storage test on a 48 MB disk). A
 * throwaway write of HEADROOM_BYTES that the browser refuses is the warning that counts.
 */
export type StorageHealth = {
  persisted: boolean | null;
  lowSpace: boolean;
  /** Free space to show in the warning, in bytes: what estimate() says, or less than HEADROOM_BYTES. */
  free: number;
  /** The headroom write was refused: less than HEADROOM_BYTES can still be written. */
  probeRefused: boolean;
};

/** Warn when less than this is free: a day's intake of a busy ward is a few MB. */
const LOW_SPACE_BYTES = 50 * 1024 * 1024;
/**
 * What the headroom write must still fit. An intake is about 10 KB on disk (update, outbox and list
 * rows), so a refused 4 MB write warns hundreds of intakes before one fails.
 */
export const HEADROOM_BYTES = 4 * 1024 * 1024;
const PROBE_DB = 'motcua-headroom';
/** How often the shell measures again while the app stays open. */
export const RECHECK_MS = 10 * 60_000;

export async function checkStorage(askPersist = true): Promise<StorageHealth> {
  const sm = navigator.storage as StorageManager | undefined;
  if (sm === undefined) return { persisted: null, lowSpace: false, free: 0, probeRefused: false };
  let persisted = await sm.persisted();
  if (!persisted && askPersist) persisted = await sm.persist();
  const { usage = 0, quota = 0 } = await sm.estimate();
  const free = quota > 0 ? quota - usage : Infinity;
  const probeRefused = (await headroom()) === 'refused';
  return {
    persisted,
    lowSpace: probeRefused || free < LOW_SPACE_BYTES,
    free: probeRefused ? Math.min(free, HEADROOM_BYTES) : free,
    probeRefused,
  };
}

/**
 * Writes HEADROOM_BYTES of random bytes (compressible bytes would take less room than they say) in a
 * database of its own, then deletes them. 'refused' only for a QuotaExceededError: any other failure
 * says nothing about space.
 */
async function headroom(): Promise<'ok' | 'refused' | 'unknown'> {
  let db: IDBDatabase;
  try {
    db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open(PROBE_DB, 1);
      open.onupgradeneeded = () => open.result.createObjectStore('probe');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error ?? new Error('open failed'));
      open.onblocked = () => reject(new Error('blocked'));
    });
  } catch (e) {
    return (e as { name?: string } | null)?.name === 'QuotaExceededError' ? 'refused' : 'unknown';
  }
  try {
    const bytes = new Uint8Array(HEADROOM_BYTES);
    // getRandomValues fills at most 64 KiB per call.
    for (let off = 0; off < bytes.length; off += 65536) crypto.getRandomValues(bytes.subarray(off, off + 65536));
    const written = await run(db, (s) => s.put(bytes, 1));
    if (written !== 'ok') return written;
    await run(db, (s) => s.delete(1));
    return 'ok';
  } finally {
    db.close();
  }
}

function run(db: IDBDatabase, op: (s: IDBObjectStore) => void): Promise<'ok' | 'refused' | 'unknown'> {
  return new Promise((resolve) => {
    let tx: IDBTransaction;
    try {
      tx = db.transaction('probe', 'readwrite');
      op(tx.objectStore('probe'));
    } catch {
      resolve('unknown');
      return;
    }
    tx.oncomplete = () => resolve('ok');
    tx.onabort = () => resolve(tx.error?.name === 'QuotaExceededError' ? 'refused' : 'unknown');
  });
}

const listeners = new Set<() => void>();

/** Measure again now (an intake was refused for lack of space: the warning must show at once). */
export function recheckStorage(): void {
  for (const l of listeners) l();
}

export function onStorageRecheck(l: () => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}
