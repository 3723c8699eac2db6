/**
 * A sync server on a SQLite file that can be restored from a backup, with the devices that use it,
 * and what the restore tests (S17) look at: what a store lacks of a device's docs, stamps per event.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Y from 'yjs';
import { MsgType } from '../../../src/protocol/constants.ts';
import type { Message, MessageOf } from '../../../src/protocol/messages.ts';
import { docFromUpdates, eventsOf } from '../../../src/worker/dossier-doc.ts';
import { META } from '../../../src/worker/local-store.ts';
import { docFromRows } from '../../../sync-server/events.ts';
import { SqliteStore } from '../../../sync-server/store/sqlite.ts';
import type { SyncStore } from '../../../sync-server/store/types.ts';
import { addDevice, startTestServer, type TestServer } from '../../server/helpers.ts';
import { NodeDevice } from './device.ts';

const open: Site[] = [];

/** Stops every device and server the sites opened, and removes their files. */
export async function closeSites(): Promise<void> {
  for (const site of open.splice(0)) await site.close();
}

/** A store on a file and a server on it. */
export class Site {
  store: SqliteStore;
  server!: TestServer;
  readonly dir = mkdtempSync(join(tmpdir(), 'motcua-restore-'));
  readonly path = join(this.dir, 'motcua.sqlite');
  private readonly devices: NodeDevice[] = [];

  private constructor() {
    this.store = new SqliteStore(this.path);
  }

  static async open(): Promise<Site> {
    const site = new Site();
    open.push(site);
    site.server = await startTestServer({ store: site.store });
    return site;
  }

  async device(unit?: string): Promise<NodeDevice> {
    return this.track(new NodeDevice(await addDevice(this.store, unit), this.server.wsUrl));
  }

  /** Stops the server, copies the backup into place as an operator would, and starts a server on it. */
  async restore(backup: string): Promise<void> {
    await this.server.close();
    await this.store.close();
    // A clean close leaves no -wal behind; one left from another file must never meet the copy.
    for (const extra of ['-wal', '-shm']) if (existsSync(this.path + extra)) throw new Error(`${extra} left beside the store`);
    copyFileSync(backup, this.path);
    this.store = new SqliteStore(this.path);
    this.server = await startTestServer({ store: this.store });
  }

  /** The same laptop (its IndexedDB) reconnecting to this server. */
  async again(d: NodeDevice): Promise<NodeDevice> {
    d.stop();
    const device = await this.store.getDevice(d.info.deviceId);
    if (device === null) throw new Error('device unknown to the store');
    return this.track(new NodeDevice({ device, token: d.info.token }, this.server.wsUrl, d.store));
  }

  async close(): Promise<void> {
    for (const d of this.devices) d.stop();
    await this.server.close();
    await this.store.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private track(d: NodeDevice): NodeDevice {
    this.devices.push(d);
    return d;
  }
}

export const cursorOf = async (d: NodeDevice): Promise<number> => (await d.store.getMeta<number>(META.cursor)) ?? 0;

/** Nothing pending, no reconcile left, and every row of the store pulled (all devices share a unit). */
export async function settled(d: NodeDevice, store: SyncStore): Promise<boolean> {
  return (await d.store.pendingCount()) === 0 && (await d.store.getMeta(META.reconcile)) === undefined && (await cursorOf(d)) === (await store.headSeq());
}

export async function docsHeld(d: NodeDevice): Promise<string[]> {
  return (await d.store.db.updates.orderBy('doc').uniqueKeys()) as string[];
}

/** The docs the device holds something of that the store's copy of the doc lacks. */
export async function missingOnServer(d: NodeDevice, store: SyncStore): Promise<string[]> {
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
export async function stampsPerEvent(store: SyncStore, doc: string): Promise<Map<string, number>> {
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

export const pushedDocs = (d: NodeDevice): string[] =>
  d.wire.sent.flatMap((m: Message) => (m.type === MsgType.Push ? m.items.map((it) => it.doc) : []));

export const epochOf = (d: NodeDevice): MessageOf<typeof MsgType.Epoch> | undefined =>
  d.wire.received.find((m): m is MessageOf<typeof MsgType.Epoch> => m.type === MsgType.Epoch);
