/**
 * What the sync client sends and takes, item by item: a batch's outbox rows merged per doc, and the
 * check of a pulled item on arrival.
 */
import * as Y from 'yjs';
import { parseDocName } from '../protocol/doc-names.ts';
import type { PullItem } from '../protocol/messages.ts';

/**
 * Validation on arrival (S8): a well-formed doc name and Yjs update. Scope is the server's to
 * enforce (S9): a dossier of another commune arrives here when it was transferred to us (S12).
 * An update that comes with the server's row is stored without decoding (a new device's ingest of
 * a year, issue 4): the server checked it when it was pushed (checkYjsUpdate), and a doc that does
 * not decode is reported when it is opened, never merged into others.
 */
export function acceptablePullItem(item: PullItem): boolean {
  const name = parseDocName(item.doc);
  if (name === null || item.update.byteLength === 0) return false;
  if (item.row !== undefined) return true;
  try {
    Y.decodeUpdate(item.update);
    return true;
  } catch {
    return false;
  }
}

/**
 * One item per doc: a dossier taken in offline and moved through its steps has several outbox rows,
 * and one merged update states them with one header and no repeated keys. Merging a handful of small
 * updates is cheap (Y.mergeUpdates is superlinear only in the thousands).
 */
export function mergePerDoc(rows: readonly { doc: string; data: Uint8Array }[]): { doc: string; update: Uint8Array }[] {
  const byDoc = new Map<string, Uint8Array[]>();
  for (const r of rows) {
    const list = byDoc.get(r.doc);
    if (list === undefined) byDoc.set(r.doc, [r.data]);
    else list.push(r.data);
  }
  return [...byDoc].map(([doc, updates]) => ({ doc, update: updates.length === 1 ? (updates[0] as Uint8Array) : Y.mergeUpdates(updates) }));
}
