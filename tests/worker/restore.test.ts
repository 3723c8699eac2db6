/**
 * [S17] A server restored from a backup, with real devices (SyncClient and LocalStore on
 * fake-indexeddb) against a real server on a SQLite file: what the devices hold reaches the restored
 * store once, nothing is stamped twice, and rows written after the restore reach every device.
 */
import 'fake-indexeddb/auto';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/schema.ts';
import type { NumberPool } from '../../src/domain/dossier-code.ts';
import { vnDayKey } from '../../src/domain/time.ts';
import { MsgType } from '../../src/protocol/constants.ts';
import { dossierDocName } from '../../src/protocol/doc-names.ts';
import type { MessageOf } from '../../src/protocol/messages.ts';
import { actOnDossier, type DossierDeps } from '../../src/worker/dossier-api.ts';
import { LocalStore, META } from '../../src/worker/local-store.ts';
import { noteEpoch } from '../../src/worker/reconcile.ts';
import type { Session } from '../../src/worker/types.ts';
import { backupSqlite } from '../../sync-server/store/sqlite-backup.ts';
import { OTHER_UNIT } from '../server/helpers.ts';
import { type NodeDevice, waitFor } from './support/device.ts';
import { closeSites, cursorOf, docsHeld, epochOf, missingOnServer, pushedDocs, settled, Site, stampsPerEvent } from './support/restore-site.ts';

const leader: Session = { officerId: 'o-leader', username: 'lead', displayName: 'Lãnh đạo', role: 'leader' };

afterEach(closeSites);

function deps(d: NodeDevice): DossierDeps {
  return { store: d.store, now: Date.now, newId: () => crypto.randomUUID(), unitName: (c) => c, officerNames: async () => ({}) };
}

describe('[S17] noteEpoch', () => {
  it('[S17] records the first epoch; a new one moves the cursor back to the fork (its parent is ours) or to 0, and records a reconcile', async () => {
    const store = new LocalStore(openDb(`restore-epoch-${process.pid}`));
    const epoch = (e: string, parentEpoch: string, forkSeq: number): MessageOf<typeof MsgType.Epoch> => ({ type: MsgType.Epoch, epoch: e, parentEpoch, forkSeq });
    await store.setMeta(META.cursor, 50);
    expect(await noteEpoch(store, epoch('e1', '', 0))).toBe(false);
    expect(await noteEpoch(store, epoch('e1', '', 0))).toBe(false);
    expect(await store.getMeta(META.cursor)).toBe(50);

    expect(await noteEpoch(store, epoch('e2', 'e1', 30))).toBe(true);
    expect(await store.getMeta(META.cursor)).toBe(30);
    expect(await store.getMeta(META.reconcile)).toEqual({ epoch: 'e2', after: '', deferred: [] });
    await store.setMeta(META.cursor, 20);
    expect(await noteEpoch(store, epoch('e3', 'e2', 40))).toBe(true);
    expect(await store.getMeta(META.cursor)).toBe(20);
    // A copy of a store this device never synced with agrees with its log on nothing.
    expect(await noteEpoch(store, epoch('e4', 'e1', 40))).toBe(true);
    expect(await store.getMeta(META.cursor)).toBe(0);
    expect(await store.getMeta(META.epoch)).toBe('e4');
  });
});

describe('[S17] restores that devices survive', () => {
  it('[S17][S13] after a restore, what any device holds reaches the store once, no event is stamped twice, and a device that pushes nothing still gets new rows', async () => {
    const site = await Site.open();
    const [a, b, c] = [await site.device(), await site.device(), await site.device()];
    const before = [await a.intake('Nguyễn Văn An'), await a.intake('Trần Thị Bình'), await b.intake('Lê Văn Cường'), await b.intake('Phạm Thị Dung')];
    for (const d of [a, b, c]) d.start();
    for (const d of [a, b, c]) await waitFor('settled before the backup', () => settled(d, site.store));

    const backup = join(site.dir, 'backups', 'before.sqlite');
    const copied = await backupSqlite(site.path, backup);
    expect(copied.headSeq).toBe(await site.store.headSeq());

    // After the backup: four intakes on A, one on B, and A's step on one of B's dossiers (an event
    // the server stamps). Every device pulls all of it, stamps included.
    const after = [await a.intake('Hoàng Văn Em'), await a.intake('Vũ Thị Giang'), await a.intake('Đặng Văn Hải'), await a.intake('Bùi Thị Hoa')];
    after.push(await b.intake('Đỗ Văn Khoa'));
    const stepped = before[2] ?? '';
    const step = await actOnDossier(deps(a), stepped.split('/')[2] ?? '', { type: 'accept' }, a.info, leader);
    expect(step.ok).toBe(true);
    a.client?.kick();
    for (const d of [a, b, c]) await waitFor('settled after the backup', () => settled(d, site.store));
    const oldHead = await site.store.headSeq();
    const cOld = await cursorOf(c);
    const oldEpoch = epochOf(a)?.epoch;

    // B goes offline and takes in one more: it is in B's outbox when the server is restored.
    b.stop();
    const offline = await b.intake('Ngô Thị Lan');
    expect(await b.store.pendingCount()).toBe(1);

    a.stop();
    c.stop();
    await site.restore(backup);
    expect(await site.store.headSeq()).toBe(copied.headSeq);

    // One device at a time, so what each one sends is what the store lacked when it asked.
    const a2 = await site.again(a);
    a2.start();
    await waitFor('A reconciled', () => settled(a2, site.store));
    const epoch = epochOf(a2);
    expect(epoch?.epoch).not.toBe(oldEpoch);
    expect(epoch).toMatchObject({ parentEpoch: oldEpoch, forkSeq: copied.headSeq });
    // A holds everything that came after the backup, B's intake and stamps too: it sends all of it.
    expect(pushedDocs(a2).sort()).toEqual([...after, stepped].sort());

    const b2 = await site.again(b);
    b2.start();
    await waitFor('B reconciled', () => settled(b2, site.store));
    // Only its offline intake, through its outbox: what it had besides, A had already sent back.
    expect(pushedDocs(b2)).toEqual([offline]);

    const c2 = await site.again(c);
    c2.start();
    await waitFor('C reconciled', () => settled(c2, site.store));
    expect(c2.sentOfType(MsgType.Push)).toEqual([]);
    // C's cursor went back to where the copy and its log agree, not to 0.
    const firstPull = c2.wire.sent.find((m) => m.type === MsgType.Pull);
    expect(firstPull).toMatchObject({ since: copied.headSeq });
    expect(cOld).toBeGreaterThan(copied.headSeq);

    for (const d of [a2, b2, c2]) expect(await missingOnServer(d, site.store)).toEqual([]);
    // Rows the restored store added: one per doc sent back (with its stamps: none stamped again), and
    // B's offline intake with its one new stamp.
    expect((await site.store.headSeq()) - copied.headSeq).toBe(after.length + 1 + 2);
    for (const doc of [...before, ...after, offline]) {
      const stamps = await stampsPerEvent(site.store, doc);
      expect([...stamps.values()].every((n) => n === 1), `${doc}: ${JSON.stringify([...stamps])}`).toBe(true);
    }

    // A row written after the restore gets a seq C had already passed before it: C receives it anyway.
    const late = await a2.intake('Dương Văn Minh');
    await waitFor('C holds the dossier taken in after the restore', async () => (await c2.store.db.dossiers.get(late.split('/')[2] ?? '')) !== undefined);
    const lateSeq = (await site.store.docStats(a2.info.unit, 100)).find((s) => s.doc === late)?.lastSeq ?? Infinity;
    expect(lateSeq).toBeLessThanOrEqual(cOld);
    expect(oldHead).toBe(cOld);
  });

  it('[S17] a reconcile cut off midway resumes after the last docs it stored, and sends each doc once', async () => {
    const site = await Site.open();
    const a = await site.device();
    a.start();
    await a.intake('Nguyễn Văn An');
    await waitFor('settled before the backup', () => settled(a, site.store));
    const backup = join(site.dir, 'before.sqlite');
    await backupSqlite(site.path, backup);
    const after: string[] = [];
    for (let i = 0; i < 6; i++) after.push(await a.intake(`Trần Thị ${i}`));
    await waitFor('settled after the backup', () => settled(a, site.store));
    a.stop();
    await site.restore(backup);

    // Two docs per question; the link drops when the second answer arrives, before it is stored.
    const a2 = await site.again(a);
    let answers = 0;
    a2.wire.filter = (m) => !(m.type === MsgType.States && ++answers === 2);
    a2.start({ statesDocs: 2 });
    await waitFor('A reconciled', () => settled(a2, site.store));
    expect(a2.wire.received.filter((m) => m.type === MsgType.Welcome).length).toBeGreaterThanOrEqual(2);
    const asked = a2.wire.sent.flatMap((m) => (m.type === MsgType.AskStates ? [m.docs] : []));
    const held = await docsHeld(a2);
    // The first question's docs are asked once; the second's again (their answer was lost); no more.
    expect(asked.slice(0, 3)).toEqual([held.slice(0, 2), held.slice(2, 4), held.slice(2, 4)]);
    expect(asked.flat()).toHaveLength(held.length + 2);
    expect(pushedDocs(a2).sort()).toEqual([...after].sort());
    expect(await missingOnServer(a2, site.store)).toEqual([]);
  });

  it('[S17][S12] a transfer the restored store lost is granted again by the home commune, and the other commune then sends its step', async () => {
    const site = await Site.open();
    const a = await site.device();
    const d = await site.device(OTHER_UNIT);
    for (const x of [a, d]) x.start();
    await a.intake('Nguyễn Văn An');
    await waitFor('settled before the backup', () => settled(a, site.store));
    const backup = join(site.dir, 'before.sqlite');
    await backupSqlite(site.path, backup);

    // After the backup: A takes in a dossier and sends it to the other commune, whose device takes
    // the next step while A is away: only D holds that step.
    const doc = await a.intake('Võ Thị Hồng');
    const id = doc.split('/')[2] ?? '';
    const to = { kind: 'other_commune' as const, name: 'UBND Phường Hải Vân', unit: OTHER_UNIT };
    expect((await actOnDossier(deps(a), id, { type: 'transfer', to }, a.info, leader)).ok).toBe(true);
    a.client?.kick();
    await waitFor('D holds the dossier', async () => (await d.store.db.dossiers.get(id)) !== undefined);
    a.stop();
    expect((await actOnDossier(deps(d), id, { type: 'accept' }, d.info, leader)).ok).toBe(true);
    d.client?.kick();
    await waitFor('D sent its step', async () => (await d.store.pendingCount()) === 0);
    d.stop();
    await site.restore(backup);

    // D first: the copy does not know the grant, so the doc is not compared and nothing is sent.
    const d2 = await site.again(d);
    d2.start();
    await waitFor('D asked', () => d2.wire.received.some((m) => m.type === MsgType.States));
    const answer = d2.wire.received.find((m): m is MessageOf<typeof MsgType.States> => m.type === MsgType.States);
    expect(answer?.states).toEqual([{ doc, state: null }]);
    expect(await d2.store.getMeta(META.reconcile)).toMatchObject({ after: null, deferred: [doc] });
    expect(d2.sentOfType(MsgType.Push)).toEqual([]);

    // A sends the dossier back with its grant; D hears of it, asks again, and sends its step.
    const a2 = await site.again(a);
    a2.start();
    await waitFor('D reconciled', async () => (await d2.store.getMeta(META.reconcile)) === undefined && (await d2.store.pendingCount()) === 0);
    const grants = a2.wire.sent.flatMap((m) => (m.type === MsgType.Push ? (m.grants ?? []) : []));
    expect(grants).toEqual([{ doc, unit: OTHER_UNIT }]);
    expect(pushedDocs(d2)).toEqual([doc]);
    expect(await missingOnServer(d2, site.store)).toEqual([]);
    await waitFor('A settled', async () => (await a2.store.pendingCount()) === 0 && (await a2.store.getMeta(META.reconcile)) === undefined);
    expect(await missingOnServer(a2, site.store)).toEqual([]);
  });

  it('[S17][S10] number blocks reserved after the backup are not handed out again, and their holder can still top up', async () => {
    const site = await Site.open();
    const e = await site.device();
    const backup = join(site.dir, 'before.sqlite');
    await backupSqlite(site.path, backup);
    // E reserves its blocks only after the backup: the copy never heard of them.
    e.start();
    await waitFor('E holds blocks', async () => ((await e.store.getMeta<NumberPool>(META.numberPool))?.blocks.length ?? 0) >= 7);
    e.stop();
    await site.restore(backup);

    // Today's block nearly used: E must ask the copy for more, which it must not give from E's own.
    const today = vnDayKey(Date.now());
    const before = await e.store.updateNumberPool((pool) => ({ ...pool, blocks: pool.blocks.map((b) => (b.day === today ? { ...b, next: b.end - 5 } : b)) }));
    const e2 = await site.again(e);
    e2.start();
    await waitFor('E claimed its blocks and topped up today', async () => {
      const pool = await e2.store.getMeta<NumberPool>(META.numberPool);
      return (await e2.store.getMeta(META.claimBlocks)) === undefined && (pool?.blocks.filter((b) => b.day === today).length ?? 0) === 2;
    });
    const f = await site.device();
    f.start();
    await waitFor('F holds blocks', async () => ((await f.store.getMeta<NumberPool>(META.numberPool))?.blocks.length ?? 0) >= 7);

    const ePool = (await e2.store.getMeta<NumberPool>(META.numberPool))?.blocks ?? [];
    const fPool = (await f.store.getMeta<NumberPool>(META.numberPool))?.blocks ?? [];
    expect(ePool.length).toBe(before.blocks.length + 1);
    const overlaps = fPool.filter((fb) => ePool.some((eb) => eb.day === fb.day && eb.start <= fb.end && fb.start <= eb.end));
    expect(overlaps).toEqual([]);
  });

  it('[S17][S8] a doc held that does not decode is passed over, and the reconcile still ends', async () => {
    const site = await Site.open();
    const a = await site.device();
    const good = await a.intake('Nguyễn Văn An');
    const broken = dossierDocName(a.info.unit, crypto.randomUUID());
    await a.store.db.updates.add({ doc: broken, data: new Uint8Array([1, 200, 7, 7, 7]) });
    // As if the device had synced with another store before: this server's epoch is a new one.
    await a.store.setMeta(META.epoch, 'an-older-store');
    a.start();
    await waitFor('A reconciled', async () => (await a.store.getMeta(META.reconcile)) === undefined && (await a.store.pendingCount()) === 0);
    expect(a.wire.sent.flatMap((m) => (m.type === MsgType.AskStates ? m.docs : [])).sort()).toEqual([good, broken].sort());
    expect(pushedDocs(a)).toEqual([good]);
  });
});
