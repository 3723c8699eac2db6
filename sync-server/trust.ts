/**
 * What a device may write, checked the same way for a Push on /sync and a live update on /yjs, before
 * anything of it is stored:
 * - S8: every update decodes; a dossier's items name only a dossier's roots.
 * - S21: the doc stays within LIMITS.maxDocBytes and LIMITS.maxDocUpdates stored rows (DocTooLarge).
 * - S19: every new struct (beyond what the doc as stored holds of its client, so a y-websocket step 2
 *   that sends back items the server has passes) is from a client id the device owns
 *   (ownedWriterIds), else ForeignWriter; no new item of a dossier under the server's root `st` and no
 *   deletion of an item there, else ServerRoot. An item names its parent only when it has no
 *   neighbour, so parents are resolved along origins (events.ts ParentResolver). Deletions may name
 *   anyone's items (an officer may clear another's field).
 * - Within the restore window after the store's epoch rotated (S17, epoch.ts inRestoreWindow) other
 *   writers' items and the server's stamps are let through: the devices are sending back what the
 *   restored copy lacks. The caller logs each such acceptance.
 * - S20: a grant needs, in the same batch, the `transferred` event naming that unit (grantsWithoutTransfer).
 * The doc as stored is built only when a check needs it, once, and shared with the stamps (S13) and
 * the projection (S18); a new dossier (nothing stored) loads nothing.
 */
import * as Y from 'yjs';
import { CloseCode, LIMITS } from '../src/protocol/constants.ts';
import { parseDocName } from '../src/protocol/doc-names.ts';
import type { Grant } from '../src/protocol/messages.ts';
import { logEvent, Refusal, type LogFn } from './conn.ts';
import { insertedEvents } from './events.ts';
import { ItemIndex, ParentResolver, rootOfStored } from './yitems.ts';
import { STAMP_MAP } from './store/server-rows.ts';
import { checkRoots, decodeYjsUpdate, DOSSIER_ROOTS, type DecodedUpdate } from './yupdates.ts';

/** The restore window when RESTORE_WINDOW_DAYS is not set. */
export const DEFAULT_RESTORE_WINDOW_DAYS = 30;

/** RESTORE_WINDOW_DAYS (days, may be fractional; 0 closes the window) in ms. */
export function restoreWindowMs(env: string | undefined = process.env.RESTORE_WINDOW_DAYS): number {
  const days = env === undefined || env.trim() === '' ? DEFAULT_RESTORE_WINDOW_DAYS : Number(env);
  if (!Number.isFinite(days) || days < 0) throw new Error(`RESTORE_WINDOW_DAYS: not a number of days: ${env ?? ''}`);
  return days * 86_400_000;
}

export interface Writer {
  /** Client ids the device owns (ownedWriterIds of its id). */
  readonly owned: ReadonlySet<number>;
  /** Whether the store is within its restore window (S19 exception). */
  readonly restoreWindow: boolean;
}

/** A doc as stored: its size, and the doc itself, built at most once when asked (null: no rows). */
export interface StoredView {
  readonly rows: number;
  readonly bytes: number;
  base(): Y.Doc | null;
}

/** What the checks found: the resolver of the updates' items (for stamps and grants), and what the restore window let through. */
export interface CheckedDoc {
  readonly doc: string;
  /** Null for a doc that is not a dossier (no events, no stamps, no grants). */
  readonly resolver: ParentResolver | null;
  readonly foreign: number;
  readonly serverRoot: number;
}

/** Runs every check of one doc's updates (in order); throws Refusal or ProtocolError. */
export function checkDocUpdates(doc: string, updates: readonly Uint8Array[], stored: StoredView, writer: Writer): CheckedDoc {
  const decoded = updates.map(decodeYjsUpdate);
  const dossier = parseDocName(doc)?.kind === 'dossier';
  if (dossier) for (const d of decoded) checkRoots(d, DOSSIER_ROOTS);
  const bytes = updates.reduce((n, u) => n + u.byteLength, 0);
  if (stored.rows + updates.length > LIMITS.maxDocUpdates || stored.bytes + bytes > LIMITS.maxDocBytes) {
    throw new Refusal(CloseCode.DocTooLarge, 'S21', 'doc too large');
  }
  let base: Y.Doc | null | undefined;
  const baseDoc = (): Y.Doc | null => (base ??= stored.base());
  const resolver = dossier ? new ParentResolver(new ItemIndex(decoded.map((d) => d.structs)), baseDoc) : null;
  const found = { foreign: 0, serverRoot: 0 };
  for (const d of decoded) {
    newStructs(d, writer.owned, resolver, baseDoc, found);
    // A delete set is judged against the doc as stored, loaded only when there is one to judge.
    if (resolver !== null && d.ds.clients.size > 0) stampDeletions(d, resolver.stored(), found);
  }
  if (!writer.restoreWindow) {
    if (found.serverRoot > 0) throw new Refusal(CloseCode.ServerRoot, 'S19', 'writes the server root');
    if (found.foreign > 0) throw new Refusal(CloseCode.ForeignWriter, 'S19', 'foreign writer');
  }
  return { doc, resolver, ...found };
}

/** Counts the structs the doc as stored lacks that are another client's, or (dossier) in `st`. */
function newStructs(
  d: DecodedUpdate,
  owned: ReadonlySet<number>,
  resolver: ParentResolver | null,
  baseDoc: () => Y.Doc | null,
  found: { foreign: number; serverRoot: number },
): void {
  for (const s of d.structs) {
    if (s instanceof Y.Skip) continue;
    const inStamps = resolver !== null && s instanceof Y.Item && resolver.rootOf(s) === STAMP_MAP;
    if (!inStamps && owned.has(s.id.client)) continue;
    const held = baseDoc();
    // Already stored, all of it: a client sending back what it pulled (sync step 2).
    if (held !== null && s.id.clock + s.length <= Y.getState(held.store, s.id.client)) continue;
    if (inStamps) found.serverRoot++;
    else found.foreign++;
  }
}

/**
 * Counts the deletions of items in `st` that the doc as stored holds and has not deleted. A new item of
 * the updates in `st` is counted by newStructs already, deleted or not. A client's ranges are taken in
 * clock order and no struct is visited twice, so a forged delete set naming one range many times
 * costs one pass over the doc.
 */
function stampDeletions(d: DecodedUpdate, held: Y.Doc | null, found: { serverRoot: number }): void {
  if (held === null) return;
  for (const [client, ranges] of d.ds.clients) {
    const structs = held.store.clients.get(client);
    if (structs === undefined) continue;
    const state = Y.getState(held.store, client);
    let next = 0;
    for (const { clock, len } of [...ranges].sort((a, b) => a.clock - b.clock)) {
      if (clock >= state) break;
      let i = Math.max(next, Y.findIndexSS(structs, clock));
      for (; i < structs.length; i++) {
        const s = structs[i];
        if (s === undefined || s.id.clock >= clock + len) break;
        if (s instanceof Y.Item && !s.deleted && rootOfStored(s) === STAMP_MAP) found.serverRoot++;
      }
      next = i;
    }
  }
}

/**
 * S20: the grants a `transferred` event to another commune naming their unit, inserted into that doc's
 * events by the same batch, does not cover. Those must have been stored before (a re-sent grant: a
 * reconcile after a restore, S17), which the caller asks the store. A grant to the doc's home unit
 * writes nothing (S12) and needs no event.
 */
export function grantsWithoutTransfer(grants: readonly Grant[], checked: ReadonlyMap<string, CheckedDoc>): Grant[] {
  return grants.filter((g) => {
    if (parseDocName(g.doc)?.unit === g.unit) return false;
    const resolver = checked.get(g.doc)?.resolver ?? null;
    return resolver === null || !transfersTo(resolver).has(g.unit);
  });
}

/** The units the inserted events transfer the dossier to (src/domain/workflow.ts `transfer`). */
function transfersTo(resolver: ParentResolver): Set<string> {
  const units = new Set<string>();
  for (const { value } of insertedEvents(resolver)) {
    const ev = value as { type?: unknown; data?: unknown };
    if (ev.type !== 'transferred' || typeof ev.data !== 'object' || ev.data === null) continue;
    const data = ev.data as { kind?: unknown; unit?: unknown };
    if (data.kind === 'other_commune' && typeof data.unit === 'string') units.add(data.unit);
  }
  return units;
}

/**
 * One line per batch (or live group) whose send-back after a restore the window let through (S19): who,
 * how many docs and structs. No doc names or content.
 */
export function logCarried(log: LogFn, device: { readonly id: string; readonly unit: string }, channel: string, checked: readonly CheckedDoc[]): void {
  const carried = checked.filter((c) => c.foreign + c.serverRoot > 0);
  if (carried.length === 0) return;
  const foreign = carried.reduce((n, c) => n + c.foreign, 0);
  const serverRoot = carried.reduce((n, c) => n + c.serverRoot, 0);
  logEvent(log, 'restore_accept', { device: device.id, unit: device.unit, channel, docs: carried.length, foreign, serverRoot, rule: 'S19' });
}
