import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { mergePerDoc } from '../../src/worker/wire-items.ts';

/** Rows of one doc as a device writes them: one update per step, each `size` characters of text. */
function rows(doc: string, n: number, size: number): { doc: string; data: Uint8Array }[] {
  const d = new Y.Doc();
  const out: { doc: string; data: Uint8Array }[] = [];
  d.on('update', (u: Uint8Array) => out.push({ doc, data: u }));
  for (let i = 0; i < n; i++) d.getMap('f').set(`k${i}`, String(i).padEnd(size, 'x'));
  return out;
}

function state(updates: readonly Uint8Array[]): unknown {
  const d = new Y.Doc();
  for (const u of updates) Y.applyUpdate(d, u);
  return d.getMap('f').toJSON();
}

describe('mergePerDoc', () => {
  it('[S22] merges a doc\'s rows into one item while it fits', () => {
    const r = [...rows('a', 3, 100), ...rows('b', 2, 100)];
    const items = mergePerDoc(r, 10_000);
    expect(items.map((i) => i.doc)).toEqual(['a', 'b']);
    expect(state(items.filter((i) => i.doc === 'a').map((i) => i.update))).toEqual(state(r.filter((x) => x.doc === 'a').map((x) => x.data)));
  });

  it('[S22] a merge over the limit goes as smaller merges, in order, each within the limit, stating the same doc', () => {
    const r = rows('a', 8, 1000);
    const items = mergePerDoc(r, 2500);
    expect(items.length).toBeGreaterThan(1);
    expect(items.length).toBeLessThan(8);
    expect(items.every((i) => i.update.byteLength <= 2500)).toBe(true);
    expect(state(items.map((i) => i.update))).toEqual(state(r.map((x) => x.data)));
  });

  it('[S22] rows each over the limit go one by one (the caller sets such a row aside before sending)', () => {
    const r = rows('a', 3, 3000);
    const items = mergePerDoc(r, 2500);
    expect(items.map((i) => i.update)).toEqual(r.map((x) => x.data));
  });
});
