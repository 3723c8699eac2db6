/**
 * The outbox's side of rule S22: a batch the data center refuses cannot block the rows behind it.
 *
 * A refusal (a close in REFUSAL_CLOSE_CODES while the batch's Push was in flight) is counted on the
 * batch's rows, across reconnects. After REFUSALS_BEFORE_SPLIT in a row the batch is split in two, each
 * part with a new id, and a part refused once is split again, down to one row, which is set aside:
 * moved to the `aside` table (kept, never sent again, shown and reported). New ids are safe only
 * because the server checks a whole batch before writing any of it, so a refused batch was not stored;
 * a send that ended without an answer (dropped link, timeout, Busy, a server error, a quota) may have
 * been stored, so it resets the count and the batch keeps its id (S3).
 */
import type { AsideRow, MotcuaDb, OutboxRow } from '../db/schema.ts';
import { CloseCode } from '../protocol/constants.ts';
import type { SetAsideReport } from '../protocol/set-aside.ts';

/** Refusals in a row of a whole batch before it is split: a refusal the server may lift (a grant that was late) gets a few tries. */
export const REFUSALS_BEFORE_SPLIT = 3;

/** The reason recorded for a row too large to send: what the server's frame limit would answer. */
export const TOO_LARGE = CloseCode.MessageTooBig;

export type RefusalOutcome = 'retry' | 'split' | 'aside';

const byId = (a: OutboxRow, b: OutboxRow): number => (a.id as number) - (b.id as number);

/**
 * Two halves of a batch's rows, or null for a single row. Halves by doc while it spans several (a
 * doc's rows stay together and in order); then by rows in id order, so the earlier half, which the
 * later one may build on, is sent first.
 */
export function halves(rows: readonly OutboxRow[]): [OutboxRow[], OutboxRow[]] | null {
  const sorted = [...rows].sort(byId);
  const docs = [...new Set(sorted.map((r) => r.doc))];
  if (docs.length > 1) {
    const first = new Set(docs.slice(0, Math.ceil(docs.length / 2)));
    return [sorted.filter((r) => first.has(r.doc)), sorted.filter((r) => !first.has(r.doc))];
  }
  if (sorted.length < 2) return null;
  const mid = Math.ceil(sorted.length / 2);
  return [sorted.slice(0, mid), sorted.slice(mid)];
}

function asideRow(r: OutboxRow, code: number, at: number): AsideRow {
  const row: AsideRow = { id: r.id as number, doc: r.doc, data: r.data, code, at };
  if (r.grant !== undefined) row.grant = r.grant;
  return row;
}

/** Plain outbox rows again, under a new batch id (the refusal bookkeeping goes with the old id). */
function withBatch(rows: readonly OutboxRow[], batchId: string, part: boolean): OutboxRow[] {
  return rows.map(({ refused: _r, refusedCode: _c, part: _p, ...r }) => (part ? { ...r, batchId, part } : { ...r, batchId }));
}

export class Refusals {
  constructor(
    private readonly db: MotcuaDb,
    private readonly newId: () => string,
  ) {}

  /** The server refused the batch's last send with `code`: count it, and split or set aside when due. One transaction. */
  recordRefusal(batchId: string, code: number, now: number): Promise<RefusalOutcome> {
    const { db } = this;
    return db.transaction('rw', [db.outbox, db.aside], async () => {
      const rows = await db.outbox.where('batchId').equals(batchId).toArray();
      const head = rows[0];
      if (head === undefined) return 'retry';
      const refused = (head.refused ?? 0) + 1;
      if (refused < (head.part === true ? 1 : REFUSALS_BEFORE_SPLIT)) {
        await db.outbox.bulkPut(rows.map((r) => ({ ...r, refused, refusedCode: code })));
        return 'retry';
      }
      return this.splitOrAside(rows, code, now, true);
    });
  }

  /** The batch's last send ended without an answer: it may be stored, so it is not refused in a row (S3). */
  async recordLost(batchId: string): Promise<void> {
    const { db } = this;
    await db.transaction('rw', db.outbox, async () => {
      const rows = await db.outbox.where('batchId').equals(batchId).toArray();
      if (rows.every((r) => (r.refused ?? 0) === 0)) return;
      await db.outbox.bulkPut(rows.map((r) => ({ ...r, refused: 0 })));
    });
  }

  /**
   * A batch that cannot be sent as it is (over the frame or item limit): split it, or set its single
   * row aside as too large. Never sent, so never stored: new ids are safe.
   */
  tooLarge(batchId: string, now: number): Promise<RefusalOutcome> {
    const { db } = this;
    return db.transaction('rw', [db.outbox, db.aside], async () => {
      const rows = await db.outbox.where('batchId').equals(batchId).toArray();
      return this.splitOrAside(rows, TOO_LARGE, now, false);
    });
  }

  /** Rows over the update limit are set aside at once (S22): the server's codec would refuse them. */
  async setAside(rows: readonly OutboxRow[], code: number, now: number): Promise<void> {
    const { db } = this;
    await db.transaction('rw', [db.outbox, db.aside], () => this.moveAside(rows, code, now));
  }

  /** Inside a transaction over outbox and aside. */
  private async moveAside(rows: readonly OutboxRow[], code: number, now: number): Promise<void> {
    const { db } = this;
    await Promise.all([db.outbox.bulkDelete(rows.map((r) => r.id as number)), db.aside.bulkPut(rows.map((r) => asideRow(r, code, now)))]);
  }

  /** Inside a transaction over outbox and aside. */
  private async splitOrAside(rows: OutboxRow[], code: number, now: number, part: boolean): Promise<RefusalOutcome> {
    const { db } = this;
    const split = halves(rows);
    if (split === null) {
      await this.moveAside(rows, code, now);
      return 'aside';
    }
    await db.outbox.bulkPut([...withBatch(split[0], this.newId(), part), ...withBatch(split[1], this.newId(), part)]);
    return 'split';
  }
}

/** The sync status's part (SyncStatus.setAside, setAsideCodes): a count when nothing is set aside, the usual case. */
export async function asideStatus(db: MotcuaDb): Promise<{ setAside: number; setAsideCodes: number[] }> {
  if ((await db.aside.count()) === 0) return { setAside: 0, setAsideCodes: [] };
  const { rows, codes } = await asideSummary(db);
  return { setAside: rows, setAsideCodes: codes };
}

/** What the device holds set aside: for the sync status and the report to the server. */
export async function asideSummary(db: MotcuaDb): Promise<SetAsideReport> {
  const rows = await db.aside.toArray();
  const docs = [...new Set(rows.map((r) => r.doc))];
  const codes = [...new Set(rows.map((r) => r.code))].sort((a, b) => a - b);
  const oldestAt = rows.reduce((m, r) => Math.min(m, r.at), rows[0]?.at ?? 0);
  return { rows: rows.length, docs, docCount: docs.length, codes, oldestAt };
}
