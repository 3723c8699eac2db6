/**
 * [S17] A server restored from a backup, with real devices (SyncClient and LocalStore on
 * fake-indexeddb) against a real server on a SQLite file: what the devices hold reaches the restored
 * store once, nothing is stamped twice, and rows written after the restore reach every device.
 */
import 'fake-indexeddb/auto';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { openDb } from '../../src/db/schema.ts';
import { MsgType } from '../../src/protocol/constants.ts';
import type { Message, MessageOf } from '../../src/protocol/messages.ts';
import { actOnDossier, type DossierDeps } from '../../src/worker/dossier-api.ts';
import { docFromUpdates, eventsOf } from '../../src/worker/dossier-doc.ts';
import { LocalStore, META } from '../../src/worker/local-store.ts';
import { noteEpoch } from '../../src/worker/reconcile.ts';
import type { Session } from '../../src/worker/types.ts';
import { docFromRows } from '../../sync-server/events.ts';
import { backupSqlite } from '../../sync-server/store/sqlite-backup.ts';
import { SqliteStore } from '../../sync-server/store/sqlite.ts';
import type { SyncStore } from '../../sync-server/store/types.ts';
import { addDevice, OTHER_UNIT, startTestServer, type TestServer } from '../server/helpers.ts';
import { NodeDevice, waitFor } from './support/device.ts';

const leader: Session = { officerId: 'o-leader', username: 'lead', displayName: 'Lãnh đạo', role: 'leader' };
const devices: NodeDevice[] = [];
const sites: Site[] = [];

afterEach(async () => {
  for (const d of devices.splice(0)) d.stop();
  for (const site of sites.splice(0)) await site.close();
});

function deps(d: NodeDevice): DossierDeps {
  return { store: d.store, now: Date.now, newId: () => crypto.randomUUID(), unitName: (c) => c, officerNames: async () => ({}) };
}

/** A store on a file and a server on it. */
class Site {
  store: SqliteStore;
  server!: TestServer;
  readonly dir = mkdtempSync(join(tmpdir(), 'motcua-restore-'));
  readonly path = join(this.dir, 'motcua.sqlite');

  private constructor() {
    this.store = new SqliteStore(this.path);
  }

  static async open(): Promise<Site> {
    const site = new Site();
    sites.push(site);
    site.server = await startTestServer({ store: site.store });
    return site;
  }

  async device(): Promise<NodeDevice> {
    const d = new NodeDevice(await addDevice(this.store), this.server.wsUrl);
    devices.push(d);
    return d;
  }

  /** Stops the server, copies the backup into place as an operator would, and starts a server on it. */
  async restore(backup: string): Promise<void> {
    await this.server.close();
    await this.store.close();
    // A clean close leaves no -wal behind; one left from another file must never meet the copy.
    for (const extra of ['-wal', '-shm']) expect(existsSync(this.path + extra)).toBe(false);
    copyFileSync(backup, this.path);
    this.store = new SqliteStore(this.path);
    this.server = await startTestServer({ store: this.store });
  }

  /** The same laptop (its IndexedDB) reconnecting to this server. */
  async again(d: NodeDevice): Promise<NodeDevice> {
    d.stop();
    const device = await this.store.getDevice(d.info.deviceId);
    if (device === null) throw new Error('device unknown to the store');
    const next = new NodeDevice({ device, token: d.info.token }, this.server.wsUrl, d.store);
    devices.push(next);
    return next;
  }

  async close(): Promise<void> {
    await this.server.close();
    await this.store.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const cursorOf = async (d: NodeDevice): Promise<number> => (await d.store.getMeta<number>(META.cursor)) ?? 0;

/** Nothing pending, no reconcile left, and every row of the store pulled (all devices share a unit). */
async function settled(d: NodeDevice, store: SyncStore): Promise<boolean> {
  return (await d.store.pendingCount()) === 0 && (await d.store.getMeta(META.reconcile)) === undefined && (await cursorOf(d)) === (await store.headSeq());
}

async function docsHeld(d: NodeDevice): Promise<string[]> {
  return (await d.store.db.updates.orderBy('doc').uniqueKeys()) as string[];
}

/** Every update of every doc the device holds is in the store's copy of the doc. */
async function missingOnServer(d: NodeDevice, store: SyncStore): Promise<string[]> {
  const missing: string[] = [];
  for (const doc of await docsHeld(d)) {
    const local = await d.store.loadDoc(doc);
    const server = docFromRows(await store.readDoc(doc));
    if (local === null || !Y.snapshotContainsUpdate(Y.snapshot(server), Y.encodeStateAsUpdate(local))) missing.push(doc);
    local?.destroy();
    server.destroy();
  }
  return missing;
}

/** Per event id of a dossier, the distinct server stamps (Yjs items of `st`) the store holds. */
async function stampsPerEvent(store: SyncStore, doc: string): Promise<Map<string, number>> {
  const rows = await store.readDoc(doc);
  const items = new Map<string, Set<string>>();
  for (const row of rows) {
    for (const s of Y.decodeUpdate(row).structs) {
      const parent: unknown = s instanceof Y.Item ? s.parent : null;
      if (!(s instanceof Y.Item) || parent !== 'st' || typeof s.parentSub !== 'string') continue;
      const set = items.get(s.parentSub) ?? new Set<string>();
      set.add(`${s.id.client}:${s.id.clock}`);
      items.set(s.parentSub, set);
    }
  }
  const server = docFromUpdates(rows);
  const out = new Map(eventsOf(server).toArray().map((e) => [e.id, items.get(e.id)?.size ?? 0]));
  server.destroy();
  return out;
}

const pushedDocs = (d: NodeDevice): string[] =>
  d.wire.sent.flatMap((m: Message) => (m.type === MsgType.Push ? m.items.map((it) => it.doc) : []));
const epochOf = (d: NodeDevice): MessageOf<typeof MsgType.Epoch> | undefined =>
  d.wire.received.find((m): m is MessageOf<typeof MsgType.Epoch> => m.type === MsgType.Epoch);

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
    const d = new NodeDevice(await addDevice(site.store, OTHER_UNIT), site.server.wsUrl);
    devices.push(d);
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
});
