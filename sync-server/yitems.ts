/**
 * Where the items of incoming Yjs updates hang. A Yjs update names an item's parent only when the item
 * has no neighbour it was inserted next to: the first event of a doc says `parent: 'events'`, but an
 * event appended after another only points at its left neighbour (`origin`). So an item's parent is
 * found by following origins, first inside the updates, then in the doc as the server already holds
 * it (`base`), which is asked for only when a chain leaves the updates. Used for the stamps (S13,
 * events.ts) and the writer checks (S19, S20, trust.ts).
 */
import * as Y from 'yjs';

/**
 * Where an item hangs: under a root type (with its key, for a map), under a nested type whose item is
 * `via` (resolved further by rootOf), or nowhere known.
 */
export type Parent =
  | { readonly root: string; readonly sub: string | null; readonly nested: boolean }
  | { readonly via: Y.ID }
  | 'unknown';

/** Nesting followed by rootOf before giving up (a dossier doc nests nothing). */
const MAX_NESTING = 32;

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

/** The root of an item a built doc holds, however deep; 'unknown' for one not in a type. */
export function rootOfStored(item: Y.Item): string | 'unknown' {
  if (!(item.parent instanceof Y.AbstractType)) return 'unknown';
  const p = placeOf(item.parent, item.parentSub);
  return typeof p === 'object' && 'root' in p ? p.root : 'unknown';
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

