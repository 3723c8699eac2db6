/**
 * Which dossier events an incoming update inserts (rule S13), so the server can stamp each with its
 * own clock. An event is a plain object with a string `id` inserted into the dossier doc's root
 * Y.Array 'events' (src/worker/dossier-doc.ts).
 *
 * An appended event names only its neighbour, so its parent is found along origins (yitems.ts), in
 * the update and then in the doc as the server holds it (`base`), loaded only when needed. An update
 * that does not decode or integrate yields no events, never an error: a stamp is worth less than the
 * batch that carries it.
 */
import * as Y from 'yjs';
import { parseDocName } from '../src/protocol/doc-names.ts';
import { STAMP_MAP } from './store/server-rows.ts';
import type { EventStamp } from './store/types.ts';
import { ItemIndex, ParentResolver } from './yitems.ts';

export const EVENTS_ARRAY = 'events';
/** Longer ids are not stamped (event ids are UUIDs): a stamp row stays small. */
export const MAX_EVENT_ID_LENGTH = 128;

/** An object with a usable string id, as events are; anything else in the array is not stamped. */
function eventId(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const id = (value as { id?: unknown }).id;
  return typeof id === 'string' && id.length > 0 && id.length <= MAX_EVENT_ID_LENGTH ? id : null;
}

/** Values inserted directly into the root 'events' array, with each one's item. */
export function insertedEvents(resolver: ParentResolver): { readonly item: Y.Item; readonly value: object; readonly id: string }[] {
  const out: { item: Y.Item; value: object; id: string }[] = [];
  for (const it of resolver.index.items) {
    if (!(it.content instanceof Y.ContentAny)) continue;
    // Only an item holding something shaped like an event is worth resolving: a field edit (a string
    // or number replacing another) never makes the stored doc load.
    const found = it.content.arr.flatMap((v: unknown) => {
      const id = eventId(v);
      return id === null ? [] : [{ item: it, value: v as object, id }];
    });
    if (found.length === 0) continue;
    const parent = resolver.resolve(it);
    if (typeof parent !== 'object' || !('root' in parent) || parent.root !== EVENTS_ARRAY || parent.sub !== null || parent.nested) continue;
    out.push(...found);
  }
  return out;
}

/** The ids of the events the resolver's updates insert, each once, but for those that carry their stamp. */
export function eventIdsOf(resolver: ParentResolver): string[] {
  const carried = carriedStamps(resolver.index);
  return [...new Set(insertedEvents(resolver).map((e) => e.id))].filter((id) => !carried.has(id));
}

/**
 * The ids of the events that `updates` (of one doc, in order) insert into its 'events' array, each
 * once. `base` returns the doc as the server holds it before these updates (or null), and is called at
 * most once, only when needed.
 */
export function insertedEventIds(updates: readonly Uint8Array[], base: () => Y.Doc | null): string[] {
  let index: ItemIndex;
  try {
    index = ItemIndex.of(updates);
  } catch {
    return [];
  }
  return eventIdsOf(new ParentResolver(index, base));
}

/**
 * Event ids whose server stamp the updates themselves carry: a device sending back, after a restore
 * from a backup, events the restored store lost together with the stamps they had (S17). Stamping
 * them again would give one event two server times (S13). A stamp row sets each key once from a fresh
 * doc, so its items name the root map. A device may write in `st` only within the restore window after
 * the store's epoch rotated (S19, trust.ts); outside it such an update is refused before stamping.
 */
function carriedStamps(index: ItemIndex): Set<string> {
  const out = new Set<string>();
  for (const it of index.items) {
    // A decoded item names its root type by a string, which Yjs's types do not declare.
    const parent: unknown = it.parent;
    if (parent !== STAMP_MAP || typeof it.parentSub !== 'string' || !(it.content instanceof Y.ContentAny)) continue;
    if (it.content.arr.some((v) => typeof v === 'number')) out.add(it.parentSub);
  }
  return out;
}

/** A doc built from stored rows; a row that does not apply is skipped. */
export function docFromRows(rows: readonly Uint8Array[]): Y.Doc {
  // A guid given: Yjs would otherwise draw a UUID one getRandomValues call per character (~70 µs).
  return applyRows(new Y.Doc({ guid: 'server' }), rows);
}

/** Applies rows to a doc in one transaction, skipping a row that does not apply; returns the doc. */
export function applyRows(doc: Y.Doc, rows: readonly Uint8Array[]): Y.Doc {
  doc.transact(() => {
    for (const row of rows) {
      try {
        Y.applyUpdate(doc, row);
      } catch {
        // A row that would not integrate is skipped here as it is when a live room loads.
      }
    }
  });
  return doc;
}

export interface IncomingItem {
  readonly doc: string;
  /** The doc's home unit. */
  readonly unit: string;
  readonly update: Uint8Array;
}

/**
 * The stamps a batch needs: per dossier doc, the ids of the events its updates insert. Loads a doc
 * from the store only when an insert hangs off an item the batch does not carry.
 */
export async function eventStamps(
  items: readonly IncomingItem[],
  readDoc: (doc: string) => Promise<Uint8Array[]>,
): Promise<EventStamp[]> {
  const byDoc = new Map<string, { unit: string; updates: Uint8Array[] }>();
  for (const it of items) {
    if (parseDocName(it.doc)?.kind !== 'dossier') continue;
    const entry = byDoc.get(it.doc);
    if (entry === undefined) byDoc.set(it.doc, { unit: it.unit, updates: [it.update] });
    else entry.updates.push(it.update);
  }
  const stamps: EventStamp[] = [];
  for (const [doc, { unit, updates }] of byDoc) {
    // A first pass without the stored doc tells whether it is needed at all (a new dossier never
    // needs it); if so, load it and resolve again. Loading is async, resolving is not.
    let needed = false;
    let ids = insertedEventIds(updates, () => {
      needed = true;
      return null;
    });
    if (needed) {
      const base = docFromRows(await readDoc(doc));
      try {
        ids = insertedEventIds(updates, () => base);
      } finally {
        base.destroy();
      }
    }
    if (ids.length > 0) stamps.push({ doc, unit, eventIds: ids });
  }
  return stamps;
}
