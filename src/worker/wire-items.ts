/**
 * What the sync client sends and takes, item by item: a batch's outbox rows merged per doc, and the
 * check of a pulled item on arrival.
 */
import * as Y from 'yjs';
import { LIMITS } from '../protocol/constants.ts';
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
 * updates is cheap (Y.mergeUpdates is superlinear only in the thousands). A merge over `maxBytes`
 * (LIMITS.maxUpdateBytes, which the server's codec refuses: S22) goes as smaller merges, down to the
 * doc's rows one by one, in their order; a single row over it is the caller's to set aside.
 */
export function mergePerDoc(rows: readonly { doc: string; data: Uint8Array }[], maxBytes: number = LIMITS.maxUpdateBytes): { doc: string; update: Uint8Array }[] {
  const byDoc = new Map<string, Uint8Array[]>();
  for (const r of rows) {
    const list = byDoc.get(r.doc);
    if (list === undefined) byDoc.set(r.doc, [r.data]);
    else list.push(r.data);
  }
  return [...byDoc].flatMap(([doc, updates]) => packed(updates, maxBytes).map((update) => ({ doc, update })));
}

function packed(updates: readonly Uint8Array[], maxBytes: number): Uint8Array[] {
  if (updates.length === 1) return [updates[0] as Uint8Array];
  // A merge is rarely larger than its parts: parts over the limit are split without trying it.
  if (updates.reduce((s, u) => s + u.byteLength, 0) <= maxBytes) {
    const merged = Y.mergeUpdates([...updates]);
    if (merged.byteLength <= maxBytes) return [merged];
  }
  const mid = Math.ceil(updates.length / 2);
  return [...packed(updates.slice(0, mid), maxBytes), ...packed(updates.slice(mid), maxBytes)];
}
