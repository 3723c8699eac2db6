/**
 * The store's identity (rule S17). A store restored from a backup has forgotten what devices pushed
 * after the backup was taken, and hands out sequence numbers again from the copy's head, below the
 * cursors devices hold. So a copy must not pass for the store it was copied from: at every start the
 * server compares the store's fingerprint (what physical copy this is) and the restore mark that
 * `npm run backup` puts in every backup with what the store recorded, and draws a new epoch when
 * either changed. Devices that see a new epoch send back what the copy lacks and pull again.
 *
 * The record is one setting, written at once, so a crash never leaves a new epoch beside an old
 * fingerprint. Drawing a new epoch without a restore (a file moved to another disk) is safe: it costs
 * devices one exchange of states and loses nothing.
 */
import { randomBytes } from 'node:crypto';
import { StoreError, type SyncStore } from './store/types.ts';

/** The setting that holds the epoch record (JSON). */
export const EPOCH_SETTING = 'epoch';
/**
 * A random value `npm run backup` writes into each backup it makes. A store holding a mark its record
 * has not seen is a copy being opened as a live store for the first time: every restore of the same
 * backup file brings the backup's mark, which the running copy's record never holds, and so rotates.
 */
export const RESTORE_SETTING = 'restore_mark';

export interface EpochInfo {
  readonly epoch: string;
  /** The epoch of the store this copy was made from, '' for a store that began empty (or unknown). */
  readonly parentEpoch: string;
  /** The head when this epoch began: rows up to it are the parent's rows, unchanged. */
  readonly forkSeq: number;
  /**
   * When this epoch began (server ms; 0 for a record written before it was kept): devices send back
   * what a restored copy lacks within the restore window after it (S19, trust.ts).
   */
  readonly rotatedAt: number;
}

interface EpochRecord extends EpochInfo {
  readonly fingerprint: string;
  /** The restore mark seen when this epoch began ('' if none). */
  readonly restore: string;
}

export const newEpochId = (): string => randomBytes(16).toString('base64url');

function parseRecord(json: string | null): EpochRecord | null {
  if (json === null) return null;
  try {
    const r = JSON.parse(json) as Partial<Record<keyof EpochRecord, unknown>>;
    const ok =
      typeof r.epoch === 'string' &&
      r.epoch !== '' &&
      typeof r.parentEpoch === 'string' &&
      typeof r.forkSeq === 'number' &&
      Number.isSafeInteger(r.forkSeq) &&
      r.forkSeq >= 0 &&
      typeof r.fingerprint === 'string' &&
      typeof r.restore === 'string';
    if (!ok) return null;
    const rotatedAt = typeof r.rotatedAt === 'number' && Number.isSafeInteger(r.rotatedAt) && r.rotatedAt > 0 ? r.rotatedAt : 0;
    return { ...(r as EpochRecord), rotatedAt };
  } catch {
    return null;
  }
}

/**
 * Whether an update may carry other writers' items and the server's stamps (S19): only within
 * `windowMs` after this epoch began, and only for a copy of an earlier store (parentEpoch set), whose
 * devices are sending back what it lacks (S17). A store that began empty has nothing to get back.
 */
export function inRestoreWindow(epoch: EpochInfo, windowMs: number, now: number): boolean {
  return epoch.parentEpoch !== '' && epoch.rotatedAt > 0 && now - epoch.rotatedAt < windowMs;
}

/** Rounds of read and compare-and-set before giving up: each lost round means another node decided. */
const DECIDE_ROUNDS = 5;

/**
 * The store's epoch, drawing a new one when the store is not the copy its record was written on.
 * Call before the server serves anything: forkSeq is the head at that moment, and must be the copy's
 * own head, before any device wrote to it. Several nodes starting on one restored database agree:
 * the record is replaced only if it still holds what was read, and a node that lost reads the
 * winner's record, which names the same copy.
 */
export async function resolveEpoch(
  store: SyncStore,
  newId: () => string = newEpochId,
  now: () => number = Date.now,
): Promise<EpochInfo & { readonly rotated: boolean }> {
  for (let round = 0; round < DECIDE_ROUNDS; round++) {
    const [fingerprint, stored, mark] = await Promise.all([store.fingerprint(), store.getSetting(EPOCH_SETTING), store.getSetting(RESTORE_SETTING)]);
    const record = parseRecord(stored);
    const restore = mark ?? '';
    if (record !== null && record.fingerprint === fingerprint && record.restore === restore) {
      return { epoch: record.epoch, parentEpoch: record.parentEpoch, forkSeq: record.forkSeq, rotatedAt: record.rotatedAt, rotated: false };
    }
    const forkSeq = await store.headSeq();
    const next: EpochRecord = { epoch: newId(), parentEpoch: record?.epoch ?? '', forkSeq, rotatedAt: now(), fingerprint, restore };
    if (await store.replaceSetting(EPOCH_SETTING, stored, JSON.stringify(next))) {
      return { epoch: next.epoch, parentEpoch: next.parentEpoch, forkSeq: next.forkSeq, rotatedAt: next.rotatedAt, rotated: true };
    }
  }
  throw new StoreError('epoch_undecided', `the store's epoch changed under us ${DECIDE_ROUNDS} times`);
}
