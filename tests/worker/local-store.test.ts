import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { openDb } from '../../src/db/schema.ts';
import { formatDossierCode } from '../../src/domain/dossier-code.ts';
import { dossierDocName } from '../../src/protocol/doc-names.ts';
import { newDossierUpdate, readFields } from '../../src/worker/dossier-doc.ts';
import { EXTRA_FIELDS } from './support/fields.ts';
import { LocalStore, META } from '../../src/worker/local-store.ts';

let dbCount = 0;
const freshName = (): string => `test-${process.pid}-${++dbCount}`;
const UNIT = '20209';
const NOW = Date.UTC(2026, 10, 23, 3, 0, 0); // 10:00 in Vietnam

function build(store: LocalStore, name = 'Nguyễn Văn An') {
  const id = crypto.randomUUID();
  const docName = dossierDocName(UNIT, id);
  return store.commitNewDossier('261123', 3, (n) => ({
    docName,
    update: newDossierUpdate(
      {
        code: formatDossierCode(UNIT, '261123', n),
        unit: UNIT,
        procedureCode: 'dang-ky-khai-sinh',
        procedureName: 'Đăng ký khai sinh',
        name,
        cccd: '048095000123',
        phone: '0905123456',
        address: 'Thanh Khê',
        receivedAt: NOW,
        components: '[]',
        ...EXTRA_FIELDS,
      },
      { id: crypto.randomUUID(), type: 'received', at: NOW, officer: 'o1', device: 'd1' },
    ),
  }), NOW);
}

describe('LocalStore', () => {
  it('[S4] writes the update, the outbox row and the projection in one transaction', async () => {
    const store = new LocalStore(openDb(freshName()));
    const { docName, dossierNumber } = await build(store);
    expect(await store.db.updates.where('doc').equals(docName).count()).toBe(1);
    expect(await store.db.outbox.count()).toBe(1);
    const row = await store.db.dossiers.where('code').equals(formatDossierCode(UNIT, '261123', dossierNumber)).first();
    expect(row?.applicantName).toBe('Nguyễn Văn An');
    expect(row?.nameWords).toEqual(['nguyen', 'van', 'an']);
    expect(row?.status).toBe('received');
    const doc = await store.loadDoc(docName);
    expect(doc === null ? null : readFields(doc).cccd).toBe('048095000123');
  });

  it('[S4] a write that fails leaves nothing behind and burns no number', async () => {
    const store = new LocalStore(openDb(freshName()));
    await expect(
      store.commitNewDossier('261123', 3, () => {
        throw new Error('boom');
      }, NOW),
    ).rejects.toThrow('boom');
    expect(await store.db.outbox.count()).toBe(0);
    expect(await store.db.dossiers.count()).toBe(0);
    expect(await store.getMeta(META.numberPool)).toBeUndefined();
    const { dossierNumber } = await build(store);
    // No block reserved yet: the first number is the device's first fallback number (ordinal 3).
    expect(dossierNumber).toBe(9300);
  });

  it('[S10] two tabs writing at once never get the same number', async () => {
    const name = freshName();
    const tabA = new LocalStore(openDb(name));
    const tabB = new LocalStore(openDb(name));
    await tabA.mergeNumberBlocks([{ day: '261123', start: 101, end: 200 }]);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => build(i % 2 === 0 ? tabA : tabB)));
    const numbers = results.map((r) => r.dossierNumber);
    expect(new Set(numbers).size).toBe(20);
    expect(Math.min(...numbers)).toBe(101);
    expect(Math.max(...numbers)).toBe(120);
  });

  it('[S3] a batch keeps its id until confirmed, then its rows leave the outbox', async () => {
    const store = new LocalStore(openDb(freshName()));
    for (let i = 0; i < 5; i++) await build(store);
    let n = 0;
    const newId = (): string => `b${++n}`;
    const first = await store.nextBatch(3, 1 << 20, newId);
    expect(first?.rows.length).toBe(3);
    const again = await store.nextBatch(3, 1 << 20, newId);
    expect(again?.batchId).toBe(first?.batchId);
    expect(again?.rows.map((r) => r.id)).toEqual(first?.rows.map((r) => r.id));
    expect(await store.confirmBatch(first?.batchId ?? '')).toBe(3);
    const second = await store.nextBatch(3, 1 << 20, newId);
    expect(second?.batchId).toBe('b2');
    expect(second?.rows.length).toBe(2);
  });

  it('[S5] applies a pulled page with its cursor, and compacts a doc with many rows', async () => {
    const store = new LocalStore(openDb(freshName()));
    const remote = new LocalStore(openDb(freshName()));
    const { docName } = await build(remote, 'Trần Thị Bình');
    const base = await remote.loadDoc(docName);
    if (base === null) throw new Error('doc missing');
    const items = [{ doc: docName, seq: 7, update: Y.encodeStateAsUpdate(base) }];
    // Forty small edits as separate updates: more than the compaction threshold.
    for (let i = 0; i < 40; i++) {
      const before = Y.encodeStateVector(base);
      base.getMap('f').set('phone', `09051234${String(i).padStart(2, '0')}`);
      items.push({ doc: docName, seq: 8 + i, update: Y.encodeStateAsUpdate(base, before) });
    }
    for (const it of items) await store.applyRemote([it], it.seq, NOW);
    expect(await store.getMeta(META.cursor)).toBe(47);
    expect(await store.db.updates.where('doc').equals(docName).count()).toBeLessThan(33);
    const row = await store.db.dossiers.get(docName.split('/')[2] ?? '');
    expect(row?.phone).toBe('0905123439');
    expect(row?.applicantName).toBe('Trần Thị Bình');
    expect(await store.db.outbox.count()).toBe(0);
  });
  it('[S5] takes the server\'s row without decoding while the device holds only what the server sent, and decodes once it wrote the doc', async () => {
    const store = new LocalStore(openDb(freshName()));
    const remote = new LocalStore(openDb(freshName()));
    const { docName } = await build(remote, 'Trần Thị Bình');
    const id = docName.split('/')[2] ?? '';
    const base = await remote.loadDoc(docName);
    const served = await remote.db.dossiers.get(id);
    if (base === null || served === undefined) throw new Error('doc missing');
    // A row that says something the update does not: only a row taken without decoding can show it.
    const rowSaying = (name: string): string => JSON.stringify({ ...served, applicantName: name, nameWords: [name.toLowerCase()] });
    await store.applyRemote([{ doc: docName, seq: 1, update: Y.encodeStateAsUpdate(base), row: rowSaying('Server') }], 1, NOW);
    expect((await store.db.dossiers.get(id))?.applicantName).toBe('Server');
    expect((await store.db.dossiers.get(id))?.servedRows).toBe(1);
    // The next page brings the server's stamps and a newer row: still no decoding, one more update row.
    const before = Y.encodeStateVector(base);
    base.getMap('f').set('phone', '0905999888');
    await store.applyRemote([{ doc: docName, seq: 2, update: Y.encodeStateAsUpdate(base, before), row: rowSaying('Newer') }], 2, NOW);
    expect((await store.db.dossiers.get(id))?.applicantName).toBe('Newer');
    expect((await store.db.dossiers.get(id))?.servedRows).toBe(2);
    expect(await store.db.updates.where('doc').equals(docName).count()).toBe(2);
    // A row that shows nothing new is still rewritten: an open dossier re-reads its doc on updatedAt,
    // and servedRows counts every stored row (it decides when the doc is compacted).
    const sv1 = Y.encodeStateVector(base);
    base.getMap('st').set('e-stamp', NOW);
    await store.applyRemote([{ doc: docName, seq: 3, update: Y.encodeStateAsUpdate(base, sv1), row: rowSaying('Newer') }], 3, NOW + 1000);
    expect((await store.db.dossiers.get(id))?.updatedAt).toBe(NOW + 1000);
    expect((await store.db.dossiers.get(id))?.servedRows).toBe(3);
    expect(await store.db.updates.where('doc').equals(docName).count()).toBe(3);
    // A step taken here: the device's own projection, from the doc.
    await store.commitToDoc(docName, (doc) => {
      const sv = Y.encodeStateVector(doc);
      doc.getMap('f').set('email', 'binh@example.vn');
      return { ok: true, update: Y.encodeStateAsUpdate(doc, sv), result: null };
    }, NOW, 77);
    const mine = await store.db.dossiers.get(id);
    expect(mine?.applicantName).toBe('Trần Thị Bình');
    expect(mine?.phone).toBe('0905999888');
    expect(mine?.servedRows).toBeUndefined();
    // From now on a served row does not replace the device's: its unconfirmed step is not in it.
    const sv2 = Y.encodeStateVector(base);
    base.getMap('f').set('address', 'Hải Châu');
    await store.applyRemote([{ doc: docName, seq: 4, update: Y.encodeStateAsUpdate(base, sv2), row: rowSaying('Stale') }], 4, NOW);
    const after = await store.db.dossiers.get(id);
    expect(after?.applicantName).toBe('Trần Thị Bình');
    expect(after?.servedRows).toBeUndefined();
    const doc = await store.loadDoc(docName);
    expect(doc === null ? null : readFields(doc).address).toBe('Hải Châu');
    expect(doc === null ? null : readFields(doc).email).toBe('binh@example.vn');
  });

  it('[S3] a batch carries every pending row of the docs it chose, so each doc travels as one merged update', async () => {
    const store = new LocalStore(openDb(freshName()));
    const a = await build(store, 'Lê Văn A');
    const b = await build(store, 'Phạm Thị B');
    // A later step of the first dossier, queued after the second intake (a day offline: intakes first, steps later).
    const step = await store.commitToDoc(a.docName, (doc) => {
      const before = Y.encodeStateVector(doc);
      doc.getMap('f').set('phone', '0905000111');
      return { ok: true, update: Y.encodeStateAsUpdate(doc, before), result: null };
    }, NOW, 1234);
    expect(step.ok).toBe(true);
    const batch = await store.nextBatch(1, 1 << 20, () => 'b1');
    expect(batch?.rows.map((r) => r.doc)).toEqual([a.docName, a.docName]);
    expect(batch?.rows.some((r) => r.doc === b.docName)).toBe(false);
    const next = await store.nextBatch(1, 1 << 20, () => 'b2');
    expect(next?.batchId).toBe('b1');
    await store.confirmBatch('b1');
    expect((await store.nextBatch(1, 1 << 20, () => 'b2'))?.rows.map((r) => r.doc)).toEqual([b.docName]);
  });

  it('writes with the device\'s client id after loading a doc that already holds its items (Yjs would rename it)', async () => {
    const store = new LocalStore(openDb(freshName()));
    const { docName } = await build(store);
    const edit = (phone: string) =>
      store.commitToDoc(docName, (doc) => {
        const before = Y.encodeStateVector(doc);
        doc.getMap('f').set('phone', phone);
        return { ok: true, update: Y.encodeStateAsUpdate(doc, before), result: null };
      }, NOW, 777);
    const one = await edit('0905000001');
    const two = await edit('0905000002');
    if (!one.ok || !two.ok) throw new Error('edit failed');
    // Both edits by client 777, the second continuing the first's clock: no collision, no rename.
    expect([...Y.parseUpdateMeta(one.update).to.keys()]).toEqual([777]);
    expect(Y.parseUpdateMeta(two.update).from.get(777)).toBe(Y.parseUpdateMeta(one.update).to.get(777));
    const doc = await store.loadDoc(docName);
    expect(doc === null ? '' : readFields(doc).phone).toBe('0905000002');
  });
});
