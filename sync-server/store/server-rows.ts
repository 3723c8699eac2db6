/**
 * Rows the server writes itself, shared by every store adapter so they cannot disagree on the bytes:
 * event time stamps (rule S13) and the merged state a granted unit receives (rule S12).
 */
import * as Y from 'yjs';
import { LIMITS } from '../../src/protocol/constants.ts';
import { parseDocName } from '../../src/protocol/doc-names.ts';
import { StoreError } from './types.ts';

/**
 * The `device` of rows the server wrote: no device has this id (devices get UUIDs), so no device skips
 * them in its pulls, the pusher included.
 */
export const SERVER_DEVICE = 'server';

/** The root Y.Map of a dossier doc that maps an event id to the server time (ms) it was stored at. */
export const STAMP_MAP = 'st';

/** Event ids per stamp row: a normal batch needs one row per doc; a flood of events is cut in rows. */
export const STAMP_IDS_PER_ROW = 1000;

/** Rows merged at once (Y.mergeUpdates is superlinear). */
const MERGE_CHUNK_ROWS = 256;

/** The home unit in a doc's name; the store never holds a doc whose name does not parse. */
export function homeUnit(doc: string): string {
  const name = parseDocName(doc);
  if (name === null) throw new StoreError('bad_doc', `malformed doc name ${doc}`);
  return name.unit;
}

/**
 * One Yjs update per STAMP_IDS_PER_ROW ids setting `st[id] = at`, each from a fresh Y.Doc: Y.Doc picks a
 * random clientID, so the server never reuses a client id and never collides with a device's.
 */
export function stampUpdates(ids: readonly string[], at: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < ids.length; i += STAMP_IDS_PER_ROW) {
    // The clientID stays random (see above); the guid is given, which saves ~70 µs of random draws.
    const doc = new Y.Doc({ guid: 'server' });
    const map = doc.getMap<number>(STAMP_MAP);
    doc.transact(() => {
      for (const id of ids.slice(i, i + STAMP_IDS_PER_ROW)) map.set(id, at);
    });
    out.push(Y.encodeStateAsUpdate(doc));
    doc.destroy();
  }
  return out;
}

/**
 * A doc's rows merged into as few updates as possible, each within LIMITS.maxUpdateBytes (a device's
 * decoder refuses a bigger one). Rows that will not merge are kept as they are.
 */
export function mergeBounded(rows: readonly Uint8Array[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let chunk: Uint8Array[] = [];
  let bytes = 0;
  const flush = (): void => {
    if (chunk.length === 1 && chunk[0] !== undefined) out.push(chunk[0]);
    else if (chunk.length > 1) {
      let merged: Uint8Array | null = null;
      try {
        merged = Y.mergeUpdates(chunk);
      } catch {
        merged = null;
      }
      if (merged !== null && merged.byteLength <= LIMITS.maxUpdateBytes) out.push(merged);
      else out.push(...chunk);
    }
    chunk = [];
    bytes = 0;
  };
  for (const row of rows) {
    if (chunk.length > 0 && (chunk.length >= MERGE_CHUNK_ROWS || bytes + row.byteLength > LIMITS.maxUpdateBytes)) flush();
    chunk.push(row);
    bytes += row.byteLength;
  }
  flush();
  return out;
}
