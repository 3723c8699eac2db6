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

/**
 * Where an item hangs: under a root type (with its key, for a map), under a nested type whose item is
 * `via` (resolved further by rootOf), or nowhere known.
 */
type Parent =
  | { readonly root: string; readonly sub: string | null; readonly nested: boolean }
  | { readonly via: Y.ID }
  | 'unknown';

/** Nesting followed by rootOf before giving up (a dossier doc nests nothing). */
const MAX_NESTING = 32;

/** An object with a usable string id, as events are; anything else in the array is not stamped. */
function eventId(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const id = (value as { id?: unknown }).id;
  return typeof id === 'string' && id.length > 0 && id.length <= MAX_EVENT_ID_LENGTH ? id : null;
}

/** The structs of decoded updates, their items indexed by client and clock. */
export class ItemIndex {
  readonly items: Y.Item[] = [];
  private readonly byClient = new Map<number, Y.Item[]>();

  /** Decodes `updates`; throws on bytes that are not a Yjs update. */
  static of(updates: readonly Uint8Array[]): ItemIndex {
    return new ItemIndex(updates.map((u) => Y.decodeUpdate(u).structs));
  }

  constructor(structs: readonly (readonly unknown[])[]) {
    for (const list of structs) for (const s of list) if (s instanceof Y.Item) this.items.push(s);
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

  /** The items of `client` that overlap clocks [from, to), in clock order. */
  overlapping(client: number, from: number, to: number): Y.Item[] {
    return (this.byClient.get(client) ?? []).filter((it) => it.id.clock < to && it.id.clock + it.length > from);
  }
}

/** Where a type of a built doc hangs: its root's key, and whether it is nested below that root. */
function placeOf(type: Y.AbstractType<unknown>, sub: string | null): Parent {
  let top = type;
  for (let depth = 0; top._item !== null; depth++) {
    if (depth > MAX_NESTING || !(top._item.parent instanceof Y.AbstractType)) return 'unknown';
    top = top._item.parent;
  }
  return { root: Y.findRootTypeKey(top), sub, nested: top !== type };
}

/** The parent of an item the doc already holds (a GC'd struct has none). */
export function parentInDoc(doc: Y.Doc, id: Y.ID): Parent {
  let item: unknown;
  try {
    item = Y.getItem(doc.store, id);
  } catch {
    return 'unknown';
  }
  if (!(item instanceof Y.Item) || !(item.parent instanceof Y.AbstractType)) return 'unknown';
  return placeOf(item.parent, item.parentSub);
}

/**
 * Resolves parents by following origins; memoised, and bounded by the number of items so a forged
 * cycle of origins ends. `base` is asked only for a chain that leaves the updates.
 */
export class ParentResolver {
  private readonly memo = new Map<Y.Item, Parent>();
  private baseDoc: Y.Doc | null | undefined;

  constructor(
    readonly index: ItemIndex,
    private readonly base: () => Y.Doc | null,
  ) {}

  /** The doc as stored, asked for once. */
  stored(): Y.Doc | null {
    this.baseDoc ??= this.base();
    return this.baseDoc;
  }

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
      // A decoded item names its parent by a root's name or its type's item id, which Yjs's types
      // do not declare.
      const parent: unknown = cur.parent;
      if (typeof parent === 'string') {
        found = { root: parent, sub: cur.parentSub, nested: false };
        break;
      }
      if (parent instanceof Y.ID) {
        found = { via: parent };
        break;
      }
      const next: Y.ID | null = cur.origin ?? cur.rightOrigin;
      if (next === null || chain.length > this.index.items.length) break;
      cur = this.index.find(next);
      if (cur === undefined) {
        const stored = this.stored();
        if (stored !== null) found = parentInDoc(stored, next);
      }
    }
    for (const it of chain) this.memo.set(it, found);
    return found;
  }

  /** The root an item is under, however deep; 'unknown' when that cannot be told. */
  rootOf(item: Y.Item): string | 'unknown' {
    let p = this.resolve(item);
    for (let depth = 0; typeof p === 'object' && 'via' in p; depth++) {
      if (depth > MAX_NESTING) return 'unknown';
      const typeItem = this.index.find(p.via);
      if (typeItem !== undefined) p = this.resolve(typeItem);
      else {
        const stored = this.stored();
        p = stored === null ? 'unknown' : parentInDoc(stored, p.via);
      }
    }
    return typeof p === 'object' ? p.root : 'unknown';
  }
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
