/**
 * The dossier projection's contract (S18), run against every SyncStore adapter by its test file:
 * written in the batch's transaction, recomputed when stale, exported by unit and period.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { dossierDocName } from '../../src/protocol/doc-names.ts';
import { docFromUpdates, newDossierUpdate } from '../../src/worker/dossier-doc.ts';
import { serverProjector } from '../../sync-server/doc-rows.ts';
import { batchProjection, liveProjection, projectRows } from '../../sync-server/projection.ts';
import type { ProjectionInput } from '../../sync-server/store/projection-types.ts';
import type { BatchItem, SyncStore } from '../../sync-server/store/types.ts';
import { EXTRA_FIELDS } from '../worker/support/fields.ts';

const A = '20209';
const B = '20194';
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 23, 3, 0, 0);
const projector = serverProjector();

function newDossier(unit: string, i: number, receivedAt = T0): BatchItem {
  const doc = dossierDocName(unit, crypto.randomUUID());
  const data = newDossierUpdate(
    { code: `${unit}-261123-${String(i).padStart(4, '0')}`, unit, procedureCode: 'dang-ky-khai-sinh', procedureName: 'Đăng ký khai sinh', name: `Lê Thị Hoa ${i}`, cccd: '048195000123', phone: '', address: 'Thanh Khê', receivedAt, components: '[]', ...EXTRA_FIELDS },
    { id: `e-${doc}`, type: 'received', at: receivedAt, officer: 'o1', device: 'd1' },
  );
  return { doc, unit, data };
}

/** A later event of the dossier (resolved), made on top of `updates`. */
function addEvent(updates: readonly Uint8Array[], event: Record<string, unknown>): Uint8Array {
  const doc = docFromUpdates([...updates]);
  const before = Y.encodeStateVector(doc);
  doc.getArray('events').push([event]);
  return Y.encodeStateAsUpdate(doc, before);
}

/** The projection a server computes for a batch, from the docs as the store holds them now. */
async function projectionFor(store: SyncStore, items: readonly BatchItem[], now = T0): Promise<ProjectionInput> {
  const stored = await store.readDocs(items.map((it) => it.doc));
  return batchProjection(projector, items.map((it) => ({ doc: it.doc, update: it.data })), [], stored, now);
}

export function runProjectionContract(name: string, makeStore: () => Promise<SyncStore>): void {
  describe(`dossier projection contract: ${name}`, () => {
    let store: SyncStore;
    beforeEach(async () => {
      store = await makeStore();
      await store.putUnits([
        { code: A, name: 'Phường Thanh Khê' },
        { code: B, name: 'Phường Hải Vân' },
      ]);
    });
    afterEach(async () => {
      await store.close();
    });

    it('[S18] a batch writes its dossiers\' records and events with its rows', async () => {
      const d = newDossier(A, 1);
      await store.appendBatch('dev-1', 'b1', [d], { now: T0 + 5, projection: await projectionFor(store, [d]) });
      const [rec] = await store.exportDossiers({ unit: A, from: T0 - DAY, to: T0 + DAY, limit: 10 });
      expect(rec).toMatchObject({ doc: d.doc, unit: A, code: `${A}-261123-0001`, procedureCode: 'dang-ky-khai-sinh', status: 'received', receivedAt: T0, resolvedAt: null, returnedAt: null, events: 1, version: 1, updatedAt: T0 + 5 });
      expect(rec?.dueAt).toBeGreaterThan(T0);
      expect(await store.dossierEvents(d.doc)).toEqual([{ doc: d.doc, eventId: `e-${d.doc}`, type: 'received', at: T0, serverAt: null, officer: 'o1', device: 'd1' }]);
      // A record carries no personal data.
      expect(JSON.stringify(rec)).not.toContain('Lê Thị Hoa');
      expect(JSON.stringify(rec)).not.toContain('048195000123');
    });

    it('[S18] a later event updates the record; a repeated batch writes nothing', async () => {
      const d = newDossier(A, 2);
      await store.appendBatch('dev-1', 'b1', [d], { projection: await projectionFor(store, [d]) });
      const resolved = { doc: d.doc, unit: A, data: addEvent([d.data], { id: 'ev-res', type: 'resolved', at: T0 + DAY, officer: 'o2', device: 'd2', data: { outcome: 'approved', documentNo: 'QĐ-1' } }) };
      const accepted = { doc: d.doc, unit: A, data: addEvent([d.data], { id: 'ev-tr', type: 'transferred', at: T0 + 1, officer: 'o1', device: 'd1', data: { kind: 'office', name: 'Phòng Văn hóa' } }) };
      await store.appendBatch('dev-1', 'b2', [accepted, resolved], { projection: await projectionFor(store, [accepted, resolved]) });
      const [rec] = await store.exportDossiers({ from: T0 - DAY, to: T0 + DAY, limit: 10 });
      expect(rec).toMatchObject({ status: 'resolved', resolvedAt: T0 + DAY, handler: 'Phòng Văn hóa', events: 3 });
      expect((await store.dossierEvents(d.doc)).map((e) => e.type)).toEqual(['received', 'transferred', 'resolved']);

      // The same batch again: a duplicate, and the record is the one already stored.
      const stale = await projectionFor(store, [d]);
      const dup = await store.appendBatch('dev-1', 'b2', [accepted, resolved], { projection: stale });
      expect(dup.duplicate).toBe(true);
      expect((await store.exportDossiers({ from: T0 - DAY, to: T0 + DAY, limit: 10 }))[0]).toEqual(rec);
    });

    it('[S18] a record computed before another batch of the same doc was stored is recomputed from every stored row', async () => {
      const d = newDossier(A, 3);
      await store.appendBatch('dev-1', 'b1', [d], { projection: await projectionFor(store, [d]) });
      const returned = { doc: d.doc, unit: A, data: addEvent([d.data], { id: 'ev-ret', type: 'returned', at: T0 + 2 * DAY, officer: 'o1', device: 'd1', data: { rating: 'satisfied' } }) };
      const resolved = { doc: d.doc, unit: A, data: addEvent([d.data], { id: 'ev-res', type: 'resolved', at: T0 + DAY, officer: 'o2', device: 'd2', data: { outcome: 'approved' } }) };
      // Both computed from the stored doc before either is written, as two nodes would.
      const pReturned = await projectionFor(store, [returned]);
      const pResolved = await projectionFor(store, [resolved]);
      await store.appendBatch('dev-2', 'b2', [resolved], { projection: pResolved });
      let recomputed = 0;
      const checked: ProjectionInput = { ...pReturned, recompute: (doc, rows) => (recomputed++, pReturned.recompute(doc, rows)) };
      await store.appendBatch('dev-1', 'b3', [returned], { projection: checked });
      expect(recomputed).toBe(1);
      const [rec] = await store.exportDossiers({ from: T0 - DAY, to: T0 + DAY, limit: 10 });
      expect(rec).toMatchObject({ status: 'returned', resolvedAt: T0 + DAY, returnedAt: T0 + 2 * DAY, rating: 'satisfied', events: 3, version: 3 });
      // The same as a projection of the whole stored doc.
      expect(rec).toMatchObject({ ...projectRows(projector, d.doc, await store.readDoc(d.doc))?.dossier });
    });

    it('[S18] a live update (no precomputed record) is projected in the store\'s transaction', async () => {
      const d = newDossier(A, 4);
      const projection = liveProjection(projector, d.doc);
      expect(projection).toBeDefined();
      await store.appendBatch('dev-1', 'live-1', [d], projection === undefined ? {} : { projection });
      expect((await store.exportDossiers({ from: T0 - DAY, to: T0 + DAY, limit: 10 }))[0]?.doc).toBe(d.doc);
      expect(liveProjection(projector, `${A}/queue/2026-11-23`)).toBeUndefined();
    });

    it('[S18] exports by unit and period of reception, in (received, doc) order, in pages', async () => {
      const items = [newDossier(A, 1, T0), newDossier(A, 2, T0 + DAY), newDossier(B, 3, T0), newDossier(A, 4, T0 + 5 * DAY), newDossier(A, 5, T0)];
      await store.appendBatch('dev-1', 'b1', items, { projection: await projectionFor(store, items) });
      const inA = await store.exportDossiers({ unit: A, from: T0, to: T0 + 2 * DAY, limit: 10 });
      const expected = items
        .filter((it) => it.unit === A && it !== items[3])
        .map((it, i) => ({ doc: it.doc, at: [T0, T0 + DAY, T0][i] ?? 0 }))
        .sort((x, y) => x.at - y.at || (x.doc < y.doc ? -1 : 1))
        .map((x) => x.doc);
      expect(inA.map((r) => r.doc)).toEqual(expected);
      expect((await store.exportDossiers({ from: T0, to: T0 + 2 * DAY, limit: 10 })).length).toBe(4);
      const first = await store.exportDossiers({ unit: A, from: T0, to: T0 + 2 * DAY, limit: 2 });
      const last = first[1];
      if (last === undefined) throw new Error('expected two records');
      const rest = await store.exportDossiers({ unit: A, from: T0, to: T0 + 2 * DAY, limit: 2, after: { receivedAt: last.receivedAt ?? 0, doc: last.doc } });
      expect([...first, ...rest].map((r) => r.doc)).toEqual(expected);
    });

    it('readDocs returns each doc\'s home rows and last seq in one call', async () => {
      const d = newDossier(A, 6);
      const r1 = await store.appendBatch('dev-1', 'b1', [d]);
      const next = { doc: d.doc, unit: A, data: addEvent([d.data], { id: 'x', type: 'accepted', at: T0, officer: 'o', device: 'd' }) };
      const r2 = await store.appendBatch('dev-1', 'b2', [next]);
      const docs = await store.readDocs([d.doc, dossierDocName(A, crypto.randomUUID())]);
      expect([...docs.keys()]).toEqual([d.doc]);
      expect(docs.get(d.doc)?.lastSeq).toBe(r2.seqs[0]);
      expect(docs.get(d.doc)?.rows.length).toBe(2);
      // No record written (no projection given): version 0.
      expect(docs.get(d.doc)?.version).toBe(0);
      expect(r1.seqs[0]).toBeLessThan(r2.seqs[0] ?? 0);
    });
  });
}
