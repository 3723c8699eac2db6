/** Rows served with pulls (issue 4): the device's own projection, cached per doc, within the page's budget. */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { LIMITS } from '../../src/protocol/constants.ts';
import { dossierDocName } from '../../src/protocol/doc-names.ts';
import type { PullItem } from '../../src/protocol/messages.ts';
import { docFromUpdates, newDossierUpdate } from '../../src/worker/dossier-doc.ts';
import { serverProjector, withRows } from '../../sync-server/doc-rows.ts';
import { MemoryStore } from '../../sync-server/store/memory.ts';
import { EXTRA_FIELDS } from '../worker/support/fields.ts';
import { fieldsUpdate, UNIT } from './helpers.ts';

const NOW = Date.UTC(2026, 10, 23, 3, 0, 0);

function dossier(i: number): { doc: string; unit: string; data: Uint8Array } {
  const doc = dossierDocName(UNIT, crypto.randomUUID());
  const update = newDossierUpdate(
    { code: `20209-261123-${String(i).padStart(4, '0')}`, unit: UNIT, procedureCode: 'dang-ky-khai-sinh', procedureName: 'Đăng ký khai sinh', name: `Lê Thị Hoa ${i}`, cccd: '048195000123', phone: '', address: 'Thanh Khê', receivedAt: NOW, components: '[]', ...EXTRA_FIELDS },
    { id: `e${i}`, type: 'received', at: NOW, officer: 'o1', device: 'd1' },
  );
  return { doc, unit: UNIT, data: update };
}

/** A later edit of the doc (a phone number added), made on top of `first`. */
function later(first: Uint8Array): Uint8Array {
  const doc = docFromUpdates([first]);
  const before = Y.encodeStateVector(doc);
  doc.getMap('f').set('phone', '0905000111');
  return Y.encodeStateAsUpdate(doc, before);
}

async function pageOf(store: MemoryStore): Promise<PullItem[]> {
  const page = await store.readSince({ units: [UNIT], since: 0, limit: 100 });
  return page.rows.map((r) => ({ doc: r.doc, seq: r.seq, update: r.data }));
}

describe('rows served with pulled dossiers', () => {
  it('each dossier doc gets the row the device would project, on its last item only; other docs get none', async () => {
    const store = new MemoryStore();
    const d = dossier(1);
    const queue = `${UNIT}/queue/2026-11-23`;
    await store.appendBatch('dev-1', 'b1', [d, { doc: queue, unit: UNIT, data: fieldsUpdate({ n: 1 }) }, { doc: d.doc, unit: UNIT, data: later(d.data) }]);
    const items = await withRows(store, serverProjector(), await pageOf(store), NOW);
    const served = items.filter((it) => it.row !== undefined);
    expect(served.map((it) => it.doc)).toEqual([d.doc]);
    expect(served[0]?.seq).toBe(Math.max(...items.filter((it) => it.doc === d.doc).map((it) => it.seq)));
    const own = serverProjector().project(d.doc, docFromUpdates(items.filter((it) => it.doc === d.doc).map((it) => it.update)), NOW);
    expect(JSON.parse(served[0]?.row ?? '{}')).toEqual(JSON.parse(JSON.stringify(own)));
    expect(JSON.parse(served[0]?.row ?? '{}').phone).toBe('0905000111');
    // Cached with the head it reflects: the next page (another device) reads it back.
    expect((await store.getDocRows([d.doc])).get(d.doc)?.row).toBe(served[0]?.row);
  });

  it('past the page budget, items go without their row (the frame stays under the message limit)', async () => {
    const store = new MemoryStore();
    const docs = Array.from({ length: 10 }, (_, i) => dossier(i));
    await store.appendBatch('dev-1', 'b1', docs);
    const all = await withRows(store, serverProjector(), await pageOf(store), NOW);
    // Counted in UTF-8 bytes (the name's Vietnamese letters take two or three), not characters.
    const size = Buffer.byteLength(all[0]?.row ?? '');
    expect(size).toBeGreaterThan((all[0]?.row ?? '').length);
    const some = await withRows(store, serverProjector(), await pageOf(store), NOW, size * 3 + 1);
    expect(some.filter((it) => it.row !== undefined).length).toBe(3);
    expect(some.slice(0, 3).every((it) => it.row !== undefined)).toBe(true);
    expect(some.map((it) => it.update)).toEqual(all.map((it) => it.update));
  });

  it('never sends a row longer than the device accepts (a hostile name would block the page for every device)', async () => {
    const store = new MemoryStore();
    const d = dossier(1);
    const long = docFromUpdates([d.data]);
    const before = Y.encodeStateVector(long);
    long.getMap('f').set('name', 'Ạ'.repeat(LIMITS.maxRowChars));
    await store.appendBatch('dev-1', 'b1', [d, { doc: d.doc, unit: UNIT, data: Y.encodeStateAsUpdate(long, before) }]);
    const items = await withRows(store, serverProjector(), await pageOf(store), NOW);
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((it) => it.row === undefined)).toBe(true);
  });
});
