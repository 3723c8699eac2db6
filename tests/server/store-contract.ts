/**
 * The contract every SyncStore adapter must pass (SQLite file, memory; PostgreSQL later). Each adapter's
 * test file calls runStoreContract with a factory that returns a fresh, empty store.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { SERVER_DEVICE, STAMP_MAP } from '../../sync-server/store/server-rows.ts';
import { SERVER_NUMBER_MAX, type NewDevice, type SyncStore } from '../../sync-server/store/types.ts';
import { runCompactionContract } from './store-contract-compact.ts';

const A = '20209';
const B = '20194';
const docA = (n: number): string => `${A}/dossier/00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const docB = (n: number): string => `${B}/dossier/00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const bytes = (...b: number[]): Uint8Array => new Uint8Array(b);

/** A real Yjs update setting one field, from a fresh client. */
function field(key: string, value: string): Uint8Array {
  const doc = new Y.Doc();
  doc.getMap('fields').set(key, value);
  return Y.encodeStateAsUpdate(doc);
}

function docOf(updates: readonly Uint8Array[]): Y.Doc {
  const doc = new Y.Doc();
  for (const u of updates) Y.applyUpdate(doc, u);
  return doc;
}

let serial = 0;
function newDevice(createdAt?: number): NewDevice {
  serial++;
  return { id: `dev-${serial}`, label: `Máy ${serial}`, tokenHash: `hash-${serial}`, createdAt: createdAt ?? 1_000 + serial };
}

const DAY_MS = 24 * 3_600_000;

export function runStoreContract(name: string, makeStore: () => Promise<SyncStore>): void {
  describe(`SyncStore contract: ${name}`, () => {
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

    it('stores units and upserts names', async () => {
      await store.putUnits([{ code: A, name: 'Thanh Khê' }]);
      expect(await store.getUnit(A)).toEqual({ code: A, name: 'Thanh Khê' });
      expect(await store.getUnit('99999')).toBeNull();
      expect((await store.listUnits()).map((u) => u.code)).toEqual([B, A]);
    });

    it('[S10] gives devices the lowest free ordinal, at most ten per unit, and frees a revoked one after a quarantine', async () => {
      const made = [];
      for (let i = 0; i < 10; i++) made.push(await store.createDevice(A, 'counter', newDevice()));
      expect(made.map((d) => d.ordinal)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      await expect(store.createDevice(A, 'counter', newDevice())).rejects.toMatchObject({ code: 'unit_full' });
      expect((await store.createDevice(B, 'department', newDevice())).ordinal).toBe(0);

      const third = made[3];
      if (third === undefined) throw new Error('unreachable');
      const revoked = await store.revokeDevice(third.id, 5_000);
      expect(revoked?.revokedAt).toBe(5_000);
      expect((await store.revokeDevice(third.id, 9_000))?.revokedAt).toBe(5_000);
      expect(await store.revokeDevice('nope', 1)).toBeNull();
      // Its offline codes of the last days use ordinal 3: a new device must not mint them again.
      await expect(store.createDevice(A, 'counter', newDevice(5_000 + DAY_MS))).rejects.toMatchObject({ code: 'unit_full' });
      expect((await store.createDevice(A, 'counter', newDevice(5_000 + 32 * DAY_MS))).ordinal).toBe(3);
      await expect(store.createDevice('99999', 'counter', newDevice())).rejects.toMatchObject({ code: 'unknown_unit' });
    });

    it('finds devices by id and by token hash', async () => {
      const input = newDevice();
      const d = await store.createDevice(A, 'counter', input);
      expect(d).toEqual({ ...input, unit: A, role: 'counter', ordinal: 0, revokedAt: null });
      expect(await store.getDevice(d.id)).toEqual(d);
      expect(await store.getDeviceByTokenHash(input.tokenHash)).toEqual(d);
      expect(await store.getDeviceByTokenHash('other')).toBeNull();
      expect((await store.listDevices(A)).map((x) => x.id)).toEqual([d.id]);
      expect(await store.listDevices(B)).toEqual([]);
    });

    it('redeems enrollment codes: uses counted, expiry honoured, a full unit consumes no use', async () => {
      await store.createEnrollment({ codeHash: 'once', unit: A, role: 'counter', usesLeft: 1, expiresAt: null, createdAt: 1 });
      await store.createEnrollment({ codeHash: 'twice', unit: B, role: 'department', usesLeft: 2, expiresAt: 10_000, createdAt: 1 });
      const first = await store.enrollDevice('once', 2_000, newDevice());
      expect(first.ok && first.value.unit === A && first.value.role === 'counter').toBe(true);
      expect(await store.enrollDevice('once', 2_000, newDevice())).toMatchObject({ ok: false, reason: 'invalid_code' });
      expect(await store.enrollDevice('missing', 2_000, newDevice())).toMatchObject({ ok: false, reason: 'invalid_code' });
      expect(await store.enrollDevice('twice', 10_000, newDevice())).toMatchObject({ ok: false, reason: 'invalid_code' });
      const dept = await store.enrollDevice('twice', 9_999, newDevice());
      expect(dept.ok && dept.value.role === 'department').toBe(true);
      expect((await store.getEnrollment('twice'))?.usesLeft).toBe(1);

      for (let i = 0; i < 9; i++) await store.createDevice(A, 'counter', newDevice());
      await store.createEnrollment({ codeHash: 'full', unit: A, role: 'counter', usesLeft: 1, expiresAt: null, createdAt: 1 });
      expect(await store.enrollDevice('full', 2_000, newDevice())).toMatchObject({ ok: false, reason: 'unit_full' });
      expect((await store.getEnrollment('full'))?.usesLeft).toBe(1);
      // 'once' is used up and 'twice' expires: only 'full' never expires and has a use left.
      expect(await store.countOpenEndedEnrollments()).toBe(1);
    });

    it('stores officers per unit, replacing by username', async () => {
      const base = { unit: A, role: 'counter' as const, salt: 's', hash: 'h', iterations: 100_000 };
      await store.putOfficer({ ...base, id: 'o1', username: 'demo', displayName: 'Cán bộ Demo' });
      await store.putOfficer({ ...base, id: 'o2', username: 'lanhdao', displayName: 'Lãnh đạo', role: 'leader' });
      await store.putOfficer({ ...base, id: 'o3', username: 'demo', displayName: 'Cán bộ Mới', hash: 'h2' });
      const list = await store.listOfficers(A);
      expect(list.map((o) => [o.username, o.displayName, o.hash])).toEqual([
        ['demo', 'Cán bộ Mới', 'h2'],
        ['lanhdao', 'Lãnh đạo', 'h'],
      ]);
      expect(await store.listOfficers(B)).toEqual([]);
    });

    it('[S3] appends a batch once: seqs strictly increase, a repeated batch returns the same seqs and writes nothing', async () => {
      expect(await store.headSeq()).toBe(0);
      expect(await store.lastBatch('d1')).toBeNull();
      const items = [
        { doc: docA(1), unit: A, data: bytes(1, 2) },
        { doc: docA(2), unit: A, data: bytes(3) },
      ];
      const r1 = await store.appendBatch('d1', 'b1', items, { now: 100 });
      expect(r1).toEqual({ seqs: [1, 2], duplicate: false, headSeq: 2, serverRows: [], units: [A] });
      const r2 = await store.appendBatch('d2', 'b1', [{ doc: docA(1), unit: A, data: bytes(4) }], { now: 101 });
      expect(r2.seqs).toEqual([3]);
      const again = await store.appendBatch('d1', 'b1', items, { now: 102 });
      expect(again).toEqual({ seqs: [1, 2], duplicate: true, headSeq: 3, serverRows: [], units: [] });
      expect(await store.headSeq()).toBe(3);
      expect(await store.readDoc(docA(1))).toEqual([bytes(1, 2), bytes(4)]);
      expect(await store.lastBatch('d1')).toEqual({ batchId: 'b1', seqs: [1, 2] });
      expect((await store.stats())).toMatchObject({ headSeq: 3, rows: 3, batches: 2 });
      const empty = await store.appendBatch('d1', 'b-empty', [], { now: 103 });
      expect(empty).toEqual({ seqs: [], duplicate: false, headSeq: 3, serverRows: [], units: [] });
    });

    it('keeps projection rows per doc, a newer seq replacing an older one and never the reverse', async () => {
      expect(await store.getDocRows([docA(1)])).toEqual(new Map());
      await store.putDocRows([{ doc: docA(1), seq: 5, row: '{"v":5}' }]);
      await store.putDocRows([{ doc: docA(1), seq: 3, row: '{"v":3}' }]);
      expect(await store.getDocRows([docA(1), docA(2)])).toEqual(new Map([[docA(1), { seq: 5, row: '{"v":5}' }]]));
      await store.putDocRows([{ doc: docA(1), seq: 9, row: '{"v":9}' }, { doc: docA(2), seq: 1, row: '{}' }]);
      expect((await store.getDocRows([docA(1), docA(2)])).get(docA(1))).toEqual({ seq: 9, row: '{"v":9}' });
      expect((await store.getDocRows([docA(2)])).size).toBe(1);
    });

    it('reads a scope since a cursor in pages, skipping the reader’s own rows', async () => {
      for (let i = 1; i <= 5; i++) await store.appendBatch('a1', `a${i}`, [{ doc: docA(i), unit: A, data: bytes(i) }]);
      await store.appendBatch('b1', 'b', [{ doc: docB(1), unit: B, data: bytes(9) }]);
      await store.appendBatch('a2', 'x', [{ doc: docA(1), unit: A, data: bytes(7) }]);
      // seqs: 1-5 by a1 (unit A), 6 by b1 (unit B), 7 by a2 (unit A)

      const p1 = await store.readSince({ units: [A], since: 0, limit: 2 });
      expect(p1.rows.map((r) => r.seq)).toEqual([1, 2]);
      expect(p1).toMatchObject({ lastScanned: 2, more: true });
      expect(p1.rows[0]).toMatchObject({ doc: docA(1), unit: A, device: 'a1', batchId: 'a1', data: bytes(1) });

      const p2 = await store.readSince({ units: [A], since: 2, limit: 10 });
      expect(p2.rows.map((r) => r.seq)).toEqual([3, 4, 5, 7]);
      expect(p2).toMatchObject({ lastScanned: 7, more: false });

      const own = await store.readSince({ units: [A], since: 0, limit: 10, excludeDevice: 'a1' });
      expect(own.rows.map((r) => r.seq)).toEqual([7]);
      const onlyOwn = await store.readSince({ units: [A], since: 0, limit: 10, excludeDevice: 'a2' });
      expect(onlyOwn.rows.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
      expect(onlyOwn).toMatchObject({ lastScanned: 7, more: false });
      const nothing = await store.readSince({ units: [B], since: 0, limit: 10, excludeDevice: 'b1' });
      expect(nothing).toEqual({ rows: [], lastScanned: 6, more: false });

      const all = await store.readSince({ units: 'all', since: 4, limit: 10 });
      expect(all.rows.map((r) => r.seq)).toEqual([5, 6, 7]);
      const two = await store.readSince({ units: [A, B], since: 5, limit: 1 });
      expect(two).toMatchObject({ lastScanned: 6, more: true });
      expect(await store.readSince({ units: [B], since: 6, limit: 10 })).toEqual({ rows: [], lastScanned: 6, more: false });
      expect(await store.readSince({ units: [A], since: 99, limit: 10 })).toEqual({ rows: [], lastScanned: 99, more: false });
    });

    it('keeps binary data byte for byte and reports per-doc stats', async () => {
      const big = new Uint8Array(70_000).map((_, i) => (i * 31) % 256);
      await store.appendBatch('a1', 'b', [
        { doc: docA(1), unit: A, data: big },
        { doc: docA(2), unit: A, data: bytes(0) },
        { doc: docA(1), unit: A, data: bytes(255) },
      ]);
      expect(await store.readDoc(docA(1))).toEqual([big, bytes(255)]);
      expect(await store.readDoc(docA(3))).toEqual([]);
      expect(await store.docStats(A, 10)).toEqual([
        { doc: docA(1), rows: 2, lastSeq: 3 },
        { doc: docA(2), rows: 1, lastSeq: 2 },
      ]);
      expect(await store.docStats(A, 1)).toHaveLength(1);
      expect(await store.docStats(B, 10)).toEqual([]);
    });

    it('[S12] a grant gives the granted unit the doc’s merged state above any cursor, then a copy of every later row', async () => {
      await store.appendBatch('a1', 'a-1', [
        { doc: docA(1), unit: A, data: field('name', 'Lê Văn Tám') },
        { doc: docA(2), unit: A, data: field('name', 'Khác') },
      ]);
      await store.appendBatch('a1', 'a-2', [{ doc: docA(1), unit: A, data: field('status', 'received') }]);
      await store.appendBatch('b1', 'b-1', [{ doc: docB(1), unit: B, data: field('name', 'B') }]);
      const cursorB = (await store.readSince({ units: [B], since: 0, limit: 10 })).lastScanned;
      expect(cursorB).toBe(4);

      // The home unit is a no-op; a second grant of the same pair too.
      const granted = await store.appendBatch('a1', 'a-3', [], { now: 700, grants: [{ doc: docA(1), unit: A }, { doc: docA(1), unit: B }, { doc: docA(1), unit: B }] });
      expect(granted).toMatchObject({ seqs: [], duplicate: false, headSeq: 5, serverRows: [], units: [B] });
      expect(await store.listGrants(docA(1))).toEqual([{ doc: docA(1), unit: B, device: 'a1', grantedAt: 700 }]);
      expect(await store.grantedDocs(B, [docA(1), docA(2), docB(1)])).toEqual(new Set([docA(1)]));
      expect(await store.grantedDocs(A, [docA(1)])).toEqual(new Set());

      const history = await store.readSince({ units: [B], since: cursorB, limit: 10, excludeDevice: 'b1' });
      expect(history.rows.map((r) => [r.seq, r.doc, r.unit, r.device])).toEqual([[5, docA(1), B, SERVER_DEVICE]]);
      expect(docOf(history.rows.map((r) => r.data)).getMap('fields').toJSON()).toEqual({ name: 'Lê Văn Tám', status: 'received' });
      expect(await store.appendBatch('a1', 'a-4', [], { grants: [{ doc: docA(1), unit: B }] })).toMatchObject({ headSeq: 5, units: [] });

      // A write by the granted unit: a home row for A, a copy for B that its writer skips.
      const write = await store.appendBatch('b1', 'b-2', [{ doc: docA(1), unit: A, data: field('note', 'đã thụ lý') }]);
      expect(write.seqs).toEqual([6]);
      expect([...write.units].sort()).toEqual([B, A]);
      expect((await store.readSince({ units: [B], since: 5, limit: 10, excludeDevice: 'b1' })).rows).toEqual([]);
      const copy = (await store.readSince({ units: [B], since: 5, limit: 10, excludeDevice: 'b2' })).rows;
      expect(copy.map((r) => [r.seq, r.doc, r.unit, r.device])).toEqual([[7, docA(1), B, 'b1']]);
      expect((await store.readSince({ units: [A], since: 5, limit: 10 })).rows.map((r) => [r.seq, r.unit])).toEqual([[6, A]]);

      // The doc itself, and a department device's 'all', see each update once.
      expect(await store.readDoc(docA(1))).toHaveLength(3);
      expect(docOf(await store.readDoc(docA(1))).getMap('fields').get('note')).toBe('đã thụ lý');
      expect((await store.readSince({ units: 'all', since: 0, limit: 100 })).rows.map((r) => r.seq)).toEqual([1, 2, 3, 4, 6]);
      // Other docs of A stay out of B's scope.
      expect((await store.readSince({ units: [B], since: 0, limit: 100 })).rows.some((r) => r.doc === docA(2))).toBe(false);
    });

    it('[S12] a grant to an unknown unit fails the whole batch', async () => {
      const items = [{ doc: docA(1), unit: A, data: field('a', '1') }];
      await expect(store.appendBatch('a1', 'x', items, { grants: [{ doc: docA(1), unit: '99999' }] })).rejects.toThrow();
      expect(await store.headSeq()).toBe(0);
      expect(await store.listGrants(docA(1))).toEqual([]);
      expect((await store.appendBatch('a1', 'x', items)).duplicate).toBe(false);
    });

    it('[S13] stamps each event id once, in a server row of the batch’s transaction, copied to granted units', async () => {
      const stamps = (ids: string[]) => [{ doc: docA(1), unit: A, eventIds: ids }];
      const first = await store.appendBatch('a1', 's-1', [{ doc: docA(1), unit: A, data: field('a', '1') }], {
        now: 500,
        stamps: stamps(['e1', 'e2', 'e1']),
      });
      expect(first).toMatchObject({ seqs: [1], headSeq: 2, units: [A] });
      expect(first.serverRows).toHaveLength(1);
      const own = await store.readSince({ units: [A], since: 0, limit: 10, excludeDevice: 'a1' });
      // The pusher skips its own row but not the server's.
      expect(own.rows.map((r) => [r.seq, r.device])).toEqual([[2, SERVER_DEVICE]]);
      expect(own.rows[0]?.data).toEqual(first.serverRows[0]?.data);
      expect(docOf(own.rows.map((r) => r.data)).getMap(STAMP_MAP).toJSON()).toEqual({ e1: 500, e2: 500 });

      expect(await store.appendBatch('a1', 's-1', [], { now: 900, stamps: stamps(['e9']) })).toMatchObject({ duplicate: true, serverRows: [] });
      expect(await store.appendBatch('a1', 's-2', [], { now: 600, stamps: stamps(['e2', 'e1']) })).toMatchObject({ headSeq: 2, serverRows: [] });

      await store.appendBatch('a1', 'g', [], { grants: [{ doc: docA(1), unit: B }] });
      const later = await store.appendBatch('a1', 's-3', [], { now: 700, stamps: stamps(['e2', 'e3']) });
      expect([...later.units].sort()).toEqual([B, A]);
      const all = docOf(await store.readDoc(docA(1)));
      expect(all.getMap(STAMP_MAP).toJSON()).toEqual({ e1: 500, e2: 500, e3: 700 });
      const forB = await store.readSince({ units: [B], since: 0, limit: 10 });
      expect(docOf(forB.rows.map((r) => r.data)).getMap(STAMP_MAP).toJSON()).toEqual({ e1: 500, e2: 500, e3: 700 });
    });

    it('hands out dossier-number blocks per unit and day, never past the server range', async () => {
      expect(await store.reserveBlocks(A, ['261122', '261123'], 100)).toEqual([
        { day: '261122', start: 1, end: 100 },
        { day: '261123', start: 1, end: 100 },
      ]);
      expect(await store.reserveBlocks(A, ['261122'], 50)).toEqual([{ day: '261122', start: 101, end: 150 }]);
      expect(await store.reserveBlocks(B, ['261122'], 10)).toEqual([{ day: '261122', start: 1, end: 10 }]);
      // Drain the day: the last block is cut at SERVER_NUMBER_MAX, then the day yields nothing.
      let last = { day: '', start: 0, end: 0 };
      for (;;) {
        const [b] = await store.reserveBlocks(A, ['261124'], 1000);
        if (b === undefined) break;
        last = b;
      }
      expect(last).toEqual({ day: '261124', start: 9001 - 1000, end: SERVER_NUMBER_MAX });
      expect(await store.reserveBlocks(A, ['261124', '261125'], 5)).toEqual([{ day: '261125', start: 1, end: 5 }]);
    });

    it('keeps one current procedure catalog', async () => {
      expect(await store.getCatalog()).toBeNull();
      const first = { version: 'v1', body: '[{"name":"Đăng ký khai sinh"}]', count: 1, publishedAt: 10 };
      await store.putCatalog(first);
      expect(await store.getCatalog()).toEqual(first);
      const second = { version: 'v2', body: '[]', count: 0, publishedAt: 20 };
      await store.putCatalog(second);
      expect(await store.getCatalog()).toEqual(second);
    });

    it('[S10][S17] moves a day\'s counter past the numbers a device holds before reserving, never back', async () => {
      const held = [
        { day: '261122', start: 101, end: 300 },
        { day: '261123', start: 1, end: 50 },
      ];
      expect(await store.reserveBlocks(A, ['261123', '261122'], 10, held)).toEqual([
        { day: '261123', start: 51, end: 60 },
        { day: '261122', start: 301, end: 310 },
      ]);
      // A span below the counter changes nothing; a held day not asked for is moved on all the same.
      expect(await store.reserveBlocks(A, ['261122'], 10, [{ day: '261122', start: 1, end: 5 }, { day: '261124', start: 1, end: 900 }])).toEqual([
        { day: '261122', start: 311, end: 320 },
      ]);
      expect(await store.reserveBlocks(A, ['261124'], 10)).toEqual([{ day: '261124', start: 901, end: 910 }]);
      expect(await store.reserveBlocks(B, ['261122'], 10)).toEqual([{ day: '261122', start: 1, end: 10 }]);
      expect(await store.reserveBlocks(A, [], 10, [{ day: '261125', start: 1, end: SERVER_NUMBER_MAX }])).toEqual([]);
      expect(await store.reserveBlocks(A, ['261125'], 10)).toEqual([]);
    });

    it('keeps settings', async () => {
      expect(await store.getSetting('k')).toBeNull();
      await store.setSetting('k', 'v1');
      await store.setSetting('k', 'v2');
      expect(await store.getSetting('k')).toBe('v2');
    });

    it('[S17] replaces a setting only while it holds what the caller read', async () => {
      expect(await store.replaceSetting('e', null, 'one')).toBe(true);
      expect(await store.replaceSetting('e', null, 'two')).toBe(false);
      expect(await store.replaceSetting('e', 'zero', 'two')).toBe(false);
      expect(await store.getSetting('e')).toBe('one');
      const both = await Promise.all([store.replaceSetting('e', 'one', 'a'), store.replaceSetting('e', 'one', 'b')]);
      expect(both.filter(Boolean)).toHaveLength(1);
      expect(['a', 'b']).toContain(await store.getSetting('e'));
    });

    it('[S17] names its physical copy with a fingerprint that writes do not change', async () => {
      const first = await store.fingerprint();
      expect(first).not.toBe('');
      await store.appendBatch('d1', 'b1', [{ doc: docA(1), unit: A, data: field('k', 'v') }]);
      await store.setSetting('k', 'v');
      expect(await store.fingerprint()).toBe(first);
    });

    runCompactionContract(makeStore);
  });
}
