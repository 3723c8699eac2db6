/**
 * One push of the outbox's next batch (S1, S3, S7), and what keeps a batch from blocking the rows
 * behind it (S22, refusals.ts): nothing the server's limits would refuse is sent (a row over
 * LIMITS.maxUpdateBytes is set aside at once, a batch over the frame or item limit is split), and a
 * refusal while the Push is in flight is counted against the batch.
 */
import { ErrorCode, LIMITS, MsgType, REFUSAL_CLOSE_CODES } from '../protocol/constants.ts';
import type { Grant, PushItem } from '../protocol/messages.ts';
import { encodeSetAsideReport } from '../protocol/set-aside.ts';
import { Connection, ConnectionClosed } from './connection.ts';
import type { LocalStore } from './local-store.ts';
import { asideSummary, Refusals, TOO_LARGE } from './refusals.ts';
import { mergePerDoc } from './wire-items.ts';

export interface PushOptions {
  batchItems: number;
  batchBytes: number;
  newBatchId: () => string;
  now: () => number;
}

/** An upper bound of a Push's encoded size: every length prefix counted as a 5-byte varuint. */
export function pushBytes(batchId: string, items: readonly PushItem[], grants: readonly Grant[]): number {
  let n = 16 + batchId.length;
  for (const it of items) n += 10 + it.doc.length + it.update.byteLength;
  for (const g of grants) n += 10 + g.doc.length + g.unit.length;
  return n;
}

export class Pusher {
  private readonly refusals: Refusals;

  constructor(
    private readonly store: LocalStore,
    private readonly o: PushOptions,
  ) {
    this.refusals = new Refusals(store.db, o.newBatchId);
  }

  /** Pushes the next batch and confirms it; false when the outbox is empty. Throws when the link ends. */
  async pushOne(conn: Connection): Promise<boolean> {
    const batch = await this.store.nextBatch(this.o.batchItems, this.o.batchBytes, this.o.newBatchId);
    if (batch === null) return false;
    const huge = batch.rows.filter((r) => r.data.byteLength > LIMITS.maxUpdateBytes);
    if (huge.length > 0) {
      await this.refusals.setAside(huge, TOO_LARGE, this.o.now());
      await this.report(conn);
      return true;
    }
    const items = mergePerDoc(batch.rows);
    // A transfer to another commune travels with the update that records it: one batch, one commit (S12).
    const grants = batch.rows.flatMap((r) => (r.grant === undefined ? [] : [{ doc: r.doc, unit: r.grant }]));
    if (items.length > LIMITS.maxBatchItems || grants.length > LIMITS.maxBatchGrants || pushBytes(batch.batchId, items, grants) > LIMITS.maxMessageBytes) {
      if ((await this.refusals.tooLarge(batch.batchId, this.o.now())) === 'aside') await this.report(conn);
      return true;
    }
    try {
      await conn.request({ type: MsgType.Push, batchId: batch.batchId, items, grants }, MsgType.PushAck, (a) => a.batchId === batch.batchId);
    } catch (e) {
      await this.settleFailed(batch.batchId, e);
      throw e;
    }
    // Only an answer means "durable on the server"; only then may the rows leave (S1).
    await this.store.confirmBatch(batch.batchId);
    return true;
  }

  /**
   * Tells the server what is set aside (S22), once per connection while anything is, so the sync
   * admins see it (sync-server/device-reports.ts). Never answered; never closes the link.
   */
  async report(conn: Connection): Promise<void> {
    const summary = await asideSummary(this.store.db);
    if (summary.rows === 0) return;
    conn.send({ type: MsgType.Error, code: ErrorCode.SetAside, message: encodeSetAsideReport(summary), ref: '' });
  }

  /**
   * Only the server's close with a refusal code counts against the batch; any other end (a dropped
   * link, a timeout, Busy, a server error, a quota) may have come after the batch was stored (S3).
   */
  private async settleFailed(batchId: string, e: unknown): Promise<void> {
    if (e instanceof ConnectionClosed && e.byPeer && REFUSAL_CLOSE_CODES.has(e.closeCode)) {
      await this.refusals.recordRefusal(batchId, e.closeCode, this.o.now());
    } else {
      await this.refusals.recordLost(batchId);
    }
  }
}
