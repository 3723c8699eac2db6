/**
 * What the server needs to know about Yjs updates: whether bytes are one, and how to pack a page of
 * log rows into as few, bounded, updates as possible for a pull.
 */
import * as Y from 'yjs';
import { LIMITS } from '../src/protocol/constants.ts';
import { ProtocolError, type PullItem } from '../src/protocol/messages.ts';
import type { ReadSinceResult, UpdateRow } from './store/types.ts';

/**
 * Raw update bytes per pull page. Merging never grows a page, so the encoded PullBatch stays well under
 * LIMITS.maxMessageBytes, which the device's decoder enforces.
 */
export const PULL_PAGE_BYTES = 4 * 1024 * 1024;
/** Rows merged at once: Y.mergeUpdates is superlinear in the number of updates, so merge in chunks. */
export const MERGE_CHUNK_ROWS = 256;

/** The root types of a dossier doc (src/worker/dossier-doc.ts): fields, events, server stamps. */
export const DOSSIER_ROOTS: ReadonlySet<string> = new Set(['f', 'events', 'st']);

export type DecodedUpdate = ReturnType<typeof Y.decodeUpdate>;

/** The update's structs and delete set; ProtocolError for bytes that are not a Yjs (v1) update. */
export function decodeYjsUpdate(update: Uint8Array): DecodedUpdate {
  try {
    return Y.decodeUpdate(update);
  } catch {
    throw new ProtocolError('update: not a Yjs update');
  }
}

/**
 * Throws ProtocolError unless every item that names its root type names one of `roots` (bytes that
 * merely happen to decode usually do not). Items placed by their neighbours name no root and are not
 * judged here.
 */
export function checkRoots(decoded: DecodedUpdate, roots: ReadonlySet<string>): void {
  for (const s of decoded.structs) {
    if (s instanceof Y.Item && typeof s.parent === 'string' && !roots.has(s.parent)) {
      throw new ProtocolError('update: writes a root type this doc does not have');
    }
  }
}

/**
 * Throws ProtocolError unless `update` decodes as a Yjs (v1) update and, when `roots` is given, names
 * only those roots (checkRoots). Returns whether the update changes anything.
 */
export function checkYjsUpdate(update: Uint8Array, roots?: ReadonlySet<string>): { readonly empty: boolean } {
  const decoded = decodeYjsUpdate(update);
  if (roots !== undefined) checkRoots(decoded, roots);
  return { empty: decoded.structs.length === 0 && decoded.ds.clients.size === 0 };
}

/** Throws ProtocolError unless `sv` decodes as a Yjs state vector. */
export function checkStateVector(sv: Uint8Array): void {
  try {
    Y.decodeStateVector(sv);
  } catch {
    throw new ProtocolError('state vector: undecodable');
  }
}

export interface PullPage {
  readonly items: PullItem[];
  readonly cursor: number;
  readonly more: boolean;
}

/**
 * One pull answer from one store page: rows up to PULL_PAGE_BYTES, merged per doc. The cursor only
 * moves past rows that are in the answer (or were skipped as the device's own), so a page cut for
 * size resumes exactly where it stopped.
 */
export function buildPullPage(page: ReadSinceResult): PullPage {
  const taken: UpdateRow[] = [];
  let bytes = 0;
  for (const row of page.rows) {
    const last = taken[taken.length - 1];
    if (last !== undefined && bytes + row.data.byteLength > PULL_PAGE_BYTES) {
      return { items: mergePerDoc(taken), cursor: last.seq, more: true };
    }
    taken.push(row);
    bytes += row.data.byteLength;
  }
  return { items: mergePerDoc(taken), cursor: page.lastScanned, more: page.more };
}

interface Chunk {
  readonly rows: UpdateRow[];
  bytes: number;
}

/** Items in seq order; a doc's rows become one item per chunk, each within LIMITS.maxUpdateBytes. */
function mergePerDoc(rows: readonly UpdateRow[]): PullItem[] {
  const byDoc = new Map<string, Chunk[]>();
  for (const row of rows) {
    let chunks = byDoc.get(row.doc);
    if (chunks === undefined) {
      chunks = [];
      byDoc.set(row.doc, chunks);
    }
    let chunk = chunks[chunks.length - 1];
    if (
      chunk === undefined ||
      chunk.rows.length >= MERGE_CHUNK_ROWS ||
      chunk.bytes + row.data.byteLength > LIMITS.maxUpdateBytes
    ) {
      chunk = { rows: [], bytes: 0 };
      chunks.push(chunk);
    }
    chunk.rows.push(row);
    chunk.bytes += row.data.byteLength;
  }
  const items: PullItem[] = [];
  for (const [doc, chunks] of byDoc) for (const chunk of chunks) items.push(...mergeChunk(doc, chunk.rows));
  return items.sort((a, b) => a.seq - b.seq);
}

function mergeChunk(doc: string, rows: readonly UpdateRow[]): PullItem[] {
  const single = rows.length === 1 ? rows[0] : undefined;
  if (single !== undefined) return [{ doc, seq: single.seq, update: single.data }];
  const seq = rows.reduce((max, r) => Math.max(max, r.seq), 0);
  try {
    const merged = Y.mergeUpdates(rows.map((r) => r.data));
    if (merged.byteLength <= LIMITS.maxUpdateBytes) return [{ doc, seq, update: merged }];
  } catch {
    // Rows were checked on the way in; if merging still fails, send them as they are.
  }
  return rows.map((r) => ({ doc, seq: r.seq, update: r.data }));
}
