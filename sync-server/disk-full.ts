/**
 * A store error that means the disk (or the database's volume) is full: SQLite's SQLITE_FULL, the
 * file system's ENOSPC, PostgreSQL's 53100 disk_full. Logged as its own event (`disk_full`) so an
 * operator's alert can tell "free some space" from a bug; callers keep their own answer to the client.
 */
const DISK_FULL_CODES: ReadonlySet<string> = new Set(['SQLITE_FULL', 'ENOSPC', '53100']);

/** True for a disk-full error, also when wrapped as an Error's `cause`. */
export function isDiskFull(err: unknown): boolean {
  for (let e = err, depth = 0; typeof e === 'object' && e !== null && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && DISK_FULL_CODES.has(code)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** The event name a store error is logged under: `disk_full`, else the caller's usual one. */
export function storeErrorEvent(err: unknown, usual: string): string {
  return isDiskFull(err) ? 'disk_full' : usual;
}
