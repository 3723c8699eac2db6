/**
 * Copies of the embedded store (rule S17): an online backup, and the fingerprint that tells a copy
 * from the file it was made from.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { RESTORE_SETTING } from '../epoch.ts';
import { StoreError } from './types.ts';

/**
 * The inode of the file: the same at every start, another for a file copied into place after the old
 * one was removed. The device number is left out on purpose: some filesystems (btrfs subvolumes,
 * network mounts) number themselves anew at each mount, and a new epoch at every reboot would send
 * every device through an exchange of states for nothing. A copy written over the old file keeps its
 * inode; the restore mark of `npm run backup` tells that case (epoch.ts).
 */
export function fileFingerprint(path: string): string {
  return `sqlite:${statSync(path, { bigint: true }).ino}`;
}

export interface BackupResult {
  readonly path: string;
  readonly bytes: number;
  /** The copy's last update seq: everything up to it is in the backup. */
  readonly headSeq: number;
}

/**
 * Writes a consistent copy of the SQLite store at `source` to `dest` (a new file) while a server may be
 * writing to it, and marks the copy so that whenever it is opened as a live store it takes a new epoch.
 */
export async function backupSqlite(source: string, dest: string): Promise<BackupResult> {
  if (existsSync(dest)) throw new StoreError('backup_exists', `${dest} exists: a backup never overwrites a file`);
  mkdirSync(dirname(dest), { recursive: true });
  const db = new Database(source, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    // Every page in one step, so the copy is read in one transaction: the store as of one commit. A
    // step-wise copy starts over whenever the server commits between steps. In WAL mode the read
    // holds no writer up.
    await db.backup(dest, { progress: () => 0x7fffffff });
  } finally {
    db.close();
  }
  const copy = new Database(dest, { fileMustExist: true });
  try {
    copy.pragma('synchronous = FULL');
    const check = copy.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new StoreError('backup_corrupt', `the copy failed its check: ${String(check)}`);
    copy
      .prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value')
      .run(RESTORE_SETTING, randomBytes(16).toString('base64url'));
    const head = copy.prepare<[], { seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'updates'").get();
    // Back to a rollback journal: the backup is one self-contained file, with no -wal beside it.
    copy.pragma('journal_mode = DELETE');
    return { path: dest, bytes: statSync(dest).size, headSeq: head?.seq ?? 0 };
  } finally {
    copy.close();
  }
}
