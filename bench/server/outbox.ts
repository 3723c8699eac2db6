/**
 * The batches a device's sync client would push for its outbox, cut exactly as the app cuts them:
 * LocalStore.nextBatch (the oldest 200 pending rows choose the docs, every pending row of those docs
 * comes along, docs are added while the batch stays under 512 KB) and SyncClient.pushOne (one merged
 * update per doc, the rows' grants after the items). Encoded with the real codec ahead of the timed
 * phase: building batches is the device's work, and this bench measures the server.
 */
import * as Y from 'yjs';
import { MsgType } from '../../src/protocol/constants.ts';
import { encodeMessage, type Grant } from '../../src/protocol/messages.ts';
import type { OutboxRow } from './dossiers.ts';

/** SyncClient's defaults (sync-client.ts: batchItems, batchBytes). */
const BATCH_ROWS = 200;
const BATCH_BYTES = 512 * 1024;

export interface PreparedBatch {
  readonly batchId: string;
  /** The Push frame as the device sends it. */
  readonly frame: Uint8Array;
  /** Merged items (one per doc). */
  readonly items: number;
  /** Outbox rows (dossier updates) the items carry. */
  readonly rows: number;
  readonly grants: number;
}

/** The batches of one outbox, oldest first; `batchId(n)` names the n-th. */
export function cutBatches(outbox: readonly OutboxRow[], batchId: (n: number) => string): PreparedBatch[] {
  const pending = outbox.map((row, id) => ({ row, id }));
  const byDoc = new Map<string, { row: OutboxRow; id: number }[]>();
  for (const p of pending) {
    const list = byDoc.get(p.row.doc);
    if (list === undefined) byDoc.set(p.row.doc, [p]);
    else list.push(p);
  }
  const taken = new Set<number>();
  const batches: PreparedBatch[] = [];
  let cursor = 0;
  while (cursor < pending.length) {
    const oldest: string[] = [];
    for (let i = cursor; i < pending.length && oldest.length < BATCH_ROWS; i++) {
      const p = pending[i];
      if (p !== undefined && !taken.has(p.id)) oldest.push(p.row.doc);
    }
    const rows: OutboxRow[] = [];
    let bytes = 0;
    for (const doc of new Set(oldest)) {
      const docRows = (byDoc.get(doc) ?? []).filter((p) => !taken.has(p.id));
      const size = docRows.reduce((s, p) => s + p.row.data.byteLength, 0);
      if (rows.length > 0 && bytes + size > BATCH_BYTES) break;
      for (const p of docRows) {
        taken.add(p.id);
        rows.push(p.row);
      }
      bytes += size;
    }
    while (cursor < pending.length && taken.has((pending[cursor] as { id: number }).id)) cursor++;
    batches.push(encodeBatch(batchId(batches.length), rows));
  }
  return batches;
}

function encodeBatch(batchId: string, rows: readonly OutboxRow[]): PreparedBatch {
  const byDoc = new Map<string, Uint8Array[]>();
  for (const r of rows) {
    const list = byDoc.get(r.doc);
    if (list === undefined) byDoc.set(r.doc, [r.data]);
    else list.push(r.data);
  }
  const items = [...byDoc].map(([doc, updates]) => ({ doc, update: updates.length === 1 ? (updates[0] as Uint8Array) : Y.mergeUpdates(updates) }));
  const grants: Grant[] = rows.flatMap((r) => (r.grant === undefined ? [] : [{ doc: r.doc, unit: r.grant }]));
  const frame = encodeMessage({ type: MsgType.Push, batchId, items, grants });
  return { batchId, frame, items: items.length, rows: rows.length, grants: grants.length };
}
