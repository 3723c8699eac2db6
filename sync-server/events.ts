/**
 * Which dossier events an incoming update inserts (rule S13), so the server can stamp each with its
 * own clock. An event is a plain object with a string `id` inserted into the dossier doc's root
 * Y.Array 'events' (src/worker/dossier-doc.ts).
 *
 * A Yjs update names an item's parent only when the item has no neighbour it was inserted next to:
 * the first event of a doc says `parent: 'events'`, but an event appended after another only points
 * at its left neighbour (`origin`). So an item's parent is found by following origins, first inside
 * the update, then in the doc as the server already holds it (`base`), which is loaded only when a
 * chain leaves the update. An update that does not decode or integrate yields no events, never an
 * error: a stamp is worth less than the batch that carries it.
 */
import * as Y from 'yjs';
import { parseDocName } from '../src/protocol/doc-names.ts';
import { STAMP_MAP } from './store/server-rows.ts';
import type { EventStamp } from './store/types.ts';

export const EVENTS_ARRAY = 'events';
/** Longer ids are not stamped (event ids are UUIDs): a stamp row stays small. */
export const MAX_EVENT_ID_LENGTH = 128;

type Parent = { readonly root: string; readonly sub: string | null } | 'nested' | 'unknown';

/** An object with a usable string id, as events are; anything else in the array is not stamped. */
function eventId(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const id = (value as { id?: unknown }).id;
  return typeof id === 'string' && id.length > 0 && id.length <= MAX_EVENT_ID_LENGTH ? id : null;
}

/** The items of some updates, indexed by client and clock. */
class ItemIndex {
  readonly items: Y.Item[] = [];
  private readonly byClient = new Map<number, Y.Item[]>();

  constructor(updates: readonly Uint8Array[]) {
    for (const u of updates) {
      for (const s of Y.decodeUpdate(u).structs) if (s instanceof Y.Item) this.items.push(s);
    }
    for (const it of this.items) {
      const list = this.byClient.get(it.id.client);
      if (list === undefined) this.byClient.set(it.id.client, [it]);
      else list.push(it);
    }
    for (const list of this.byClient.values()) list.sort((a, b) => a.id.clock - b.id.clock);
  }

  /** The item holding `id`, by binary search. */
  find(id: Y.ID): Y.Item | undefined {
    const list = this.byClient.get(id.client);
    if (list === undefined) return undefined;
    let lo = 0;
    let hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const it = list[mid];
      if (it === undefined) return undefined;
      if (id.clock < it.id.clock) hi = mid - 1;
      else if (id.clock >= it.id.clock + it.length) lo = mid + 1;
      else return it;
    }
    return undefined;
  }
}

/** The parent of an item the doc already holds. */
function parentInDoc(doc: Y.Doc, id: Y.ID): Parent {
  let item: unknown;
  try {
    item = Y.getItem(doc.store, id);
  } catch {
    return 'unknown';
  }
  if (!(item instanceof Y.Item) || !(item.parent instanceof Y.AbstractType)) return 'unknown';
  if (item.parent._item !== null) return 'nested';
  return { root: Y.findRootTypeKey(item.parent), sub: item.parentSub };
}

/**
 * Resolves parents by following origins; memoised, and bounded by the number of items so a forged
 * cycle of origins ends. `base` is asked only for a chain that leaves the updates.
 */
class ParentResolver {
  private readonly memo = new Map<Y.Item, Parent>();
  private baseDoc: Y.Doc | null | undefined;

  constructor(
    private readonly index: ItemIndex,
    private readonly base: () => Y.Doc | null,
  ) {}

  resolve(start: Y.Item): Parent {
    const chain: Y.Item[] = [];
    let found: Parent = 'unknown';
    let cur: Y.Item | undefined = start;
    while (cur !== undefined) {
      const known = this.memo.get(cur);
      if (known !== undefined) {
        found = known;
        break;
      }
      chain.push(cur);
      if (typeof cur.parent === 'string') {
        found = { root: cur.parent, sub: cur.parentSub };
        break;
      }
      if (cur.parent !== null) {
        found = 'nested';
        break;
      }
      const next: Y.ID | null = cur.origin ?? cur.rightOrigin;
      if (next === null || chain.length > this.index.items.length) break;
      cur = this.index.find(next);
      if (cur === undefined) {
        this.baseDoc ??= this.base();
        if (this.baseDoc !== null) found = parentInDoc(this.baseDoc, next);
      }
    }
    for (const it of chain) this.memo.set(it, found);
    return found;
  }
}

/**
 * The ids of the events that `updates` (of one doc, in order) insert into its 'events' array, each
 * once. `base` returns the doc as the server holds it before these updates (or null), and is called at
 * most once, only when needed.
 */
export function insertedEventIds(updates: readonly Uint8Array[], base: () => Y.Doc | null): string[] {
  let index: ItemIndex;
  try {
    index = new ItemIndex(updates);
  } catch {
    return [];
  }
  const resolver = new ParentResolver(index, base);
  const ids = new Set<string>();
  const carried = carriedStamps(index);
  for (const it of index.items) {
    if (!(it.content instanceof Y.ContentAny)) continue;
    // Only an item holding something shaped like an event is worth resolving: a field edit (a string
    // or number replacing another) never makes the stored doc load.
    const found = it.content.arr.map(eventId).filter((id): id is string => id !== null);
    if (found.length === 0) continue;
    const parent = resolver.resolve(it);
    if (typeof parent !== 'object' || parent.root !== EVENTS_ARRAY || parent.sub !== null) continue;
    for (const id of found) if (!carried.has(id)) ids.add(id);
  }
  return [...ids];
}

/**
 * Event ids whose server stamp the updates themselves carry: a device sending back, after a restore
 * from a backup, events the restored store lost together with the stamps they had (S17). Stamping
 * them again would give one event two server times (S13). A stamp row sets each key once from a fresh
 * doc, so its items name the root map; a device could write such an item itself, but `st` was always
 * writable to devices (a later write wins a key), so skipping a carried stamp gives them nothing new.
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
  const doc = new Y.Doc({ guid: 'server' });
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
