/** What the compaction tests (S16) check a log with: the state of a doc, and no Yjs item held twice. */
import * as Y from 'yjs';

/** A writer of one doc: each change is the update a device would push (its delta since the last). */
export class Writer {
  readonly doc = new Y.Doc();
  private sv = Y.encodeStateVector(this.doc);

  set(key: string, value: string): Uint8Array {
    this.doc.getMap('fields').set(key, value);
    return this.delta();
  }

  /** Text inserted at the front and a character deleted: the update carries a delete set too. */
  note(text: string): Uint8Array {
    const t = this.doc.getText('notes');
    t.insert(0, text);
    if (t.length > 3) t.delete(1, 1);
    return this.delta();
  }

  /** Takes what another writer pushed, as a device does when it pulls. */
  pull(update: Uint8Array): void {
    Y.applyUpdate(this.doc, update);
    this.sv = Y.encodeStateVector(this.doc);
  }

  private delta(): Uint8Array {
    const u = Y.encodeStateAsUpdate(this.doc, this.sv);
    this.sv = Y.encodeStateVector(this.doc);
    return u;
  }
}

export function docOf(updates: Iterable<Uint8Array>): Y.Doc {
  const doc = new Y.Doc();
  for (const u of updates) Y.applyUpdate(doc, u);
  return doc;
}

/** What two replicas must agree on: content, state vector and delete set. */
export function stateOf(doc: Y.Doc): { fields: unknown; notes: string; snapshot: Uint8Array } {
  return { fields: doc.getMap('fields').toJSON(), notes: doc.getText('notes').toString(), snapshot: Y.encodeSnapshot(Y.snapshot(doc)) };
}

/**
 * The first (client, clock) that two of `rows` both hold, or null. A row merged from others must
 * replace them: an item in two rows of one group means a row was kept that should have been deleted.
 */
export function heldTwice(rows: readonly Uint8Array[]): string | null {
  const ranges = new Map<number, [number, number][]>();
  for (const row of rows) {
    for (const s of Y.decodeUpdate(row).structs) {
      if (s instanceof Y.Skip) continue;
      const list = ranges.get(s.id.client) ?? [];
      list.push([s.id.clock, s.id.clock + s.length]);
      ranges.set(s.id.client, list);
    }
  }
  for (const [client, list] of ranges) {
    list.sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < list.length; i++) {
      const prev = list[i - 1] as [number, number];
      const cur = list[i] as [number, number];
      if (cur[0] < prev[1]) return `${client}:${cur[0]}`;
    }
  }
  return null;
}
