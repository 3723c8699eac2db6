/**
 * The `/yjs/{unit}/{kind}/{id}` endpoint: the y-websocket protocol, so a stock WebsocketProvider can
 * open a live doc (the queue day, a dossier being worked on). Same auth and scope as /sync (S9, S12).
 * Every client update passes the checks a Push passes (trust.ts: decoding, a dossier's roots, the
 * device's own client ids and not the server's `st` (S19), the doc size limits (S21)), is made durable
 * with appendBatch, and only then applied to the room and broadcast; a room is loaded from the log
 * when its first client comes and dropped when the last leaves.
 */
import { randomBytes } from 'node:crypto';
import type { WebSocket } from 'ws';
import { assertNever } from '../src/domain/errors.ts';
import { CloseCode, PATHS } from '../src/protocol/constants.ts';
import { docName, parseDocName, type DocName } from '../src/protocol/doc-names.ts';
import { ProtocolError } from '../src/protocol/messages.ts';
import { inScope } from './auth.ts';
import { serveFrames, type ChannelDeps, type FrameHandler } from './channel.ts';
import { closeCodeFor, closeWith, logEvent, logRefusal, Refusal } from './conn.ts';
import { LiveWriter } from './live-writer.ts';
import { inRestoreWindow } from './epoch.ts';
import { eventIdsOf } from './events.ts';
import { liveProjection } from './projection.ts';
import type { Committed } from './hub.ts';
import { parseLiveFrame, type LiveFrame } from './live-protocol.ts';
import { Room } from './room.ts';
import type { Device } from './store/types.ts';
import { checkDocUpdates, logCarried, type CheckedDoc } from './trust.ts';
import { ownedWriterIds } from '../src/worker/dossier-doc.ts';
import { storeErrorEvent } from './disk-full.ts';

export type LiveAccess =
  | { readonly ok: true; readonly name: DocName }
  | { readonly ok: false; readonly code: typeof CloseCode.UnknownDoc | typeof CloseCode.Forbidden; readonly reason: string };

interface LoadedRoom {
  readonly room: Room;
  readonly ready: Promise<void>;
}

/** The doc named by an upgrade path, or null if the path names no valid doc. */
export function docFromPath(pathname: string): DocName | null {
  const prefix = `${PATHS.yjs}/`;
  if (!pathname.startsWith(prefix)) return null;
  let rest: string;
  try {
    rest = decodeURIComponent(pathname.slice(prefix.length));
  } catch {
    return null;
  }
  return parseDocName(rest);
}

export class LiveChannel {
  private readonly rooms = new Map<string, LoadedRoom>();

  constructor(private readonly deps: ChannelDeps) {
    deps.hub.onCommit((c) => this.onCommit(c));
    deps.hub.addInterest(() => this.rooms.keys());
  }

  /**
   * Called after auth, before the upgrade completes (so no frame can arrive while the store is asked):
   * the doc named by the path, if the device may open it: its commune's, or granted to it (S9, S12).
   */
  async authorize(device: Device, pathname: string): Promise<LiveAccess> {
    const name = docFromPath(pathname);
    if (name === null) return { ok: false, code: CloseCode.UnknownDoc, reason: 'unknown doc' };
    if (inScope(device, name.unit)) return { ok: true, name };
    const doc = docName(name.unit, name.kind, name.id);
    if ((await this.deps.store.grantedDocs(device.unit, [doc])).has(doc)) return { ok: true, name };
    return { ok: false, code: CloseCode.Forbidden, reason: 'doc outside scope' };
  }

  /** Joins (or opens) the room of a doc `authorize` allowed. */
  accept(ws: WebSocket, device: Device, name: DocName): void {
    const doc = docName(name.unit, name.kind, name.id);
    const loaded = this.open(doc);
    loaded.room.join(ws);
    ws.once('close', () => this.leave(doc, loaded, ws));
    new LiveSession(ws, device, name.unit, loaded, this.deps);
  }

  private open(doc: string): LoadedRoom {
    const existing = this.rooms.get(doc);
    if (existing !== undefined) return existing;
    const room = new Room(doc);
    const ready = this.deps.store.readDoc(doc).then((rows) => {
      room.load(rows);
      if (room.skippedAtLoad > 0) logEvent(this.deps.log, 'room_bad_rows', { doc, skipped: room.skippedAtLoad });
    });
    const loaded = { room, ready };
    this.rooms.set(doc, loaded);
    // A room that failed to load is forgotten: its sessions close with ServerError and the next
    // client tries a fresh load.
    ready.catch(() => this.drop(doc, loaded));
    return loaded;
  }

  private leave(doc: string, loaded: LoadedRoom, ws: WebSocket): void {
    if (loaded.room.leave(ws)) this.drop(doc, loaded);
  }

  private drop(doc: string, loaded: LoadedRoom): void {
    if (this.rooms.get(doc) === loaded) this.rooms.delete(doc);
    loaded.room.destroy();
  }

  /** Commits from elsewhere (a catch-up push, another node) reach the clients of an open room. */
  private onCommit(c: Committed): void {
    for (const it of c.items) {
      const loaded = this.rooms.get(it.doc);
      if (loaded === undefined || loaded.room === c.origin) continue;
      // Applying before the load finished is fine: Yjs updates commute.
      loaded.room.apply(it.update, null);
    }
  }

  get openRooms(): number {
    return this.rooms.size;
  }
}

class LiveSession implements FrameHandler<LiveFrame> {
  readonly channel = 'live';
  private readonly writer: LiveWriter;
  private readonly owned: ReadonlySet<number>;

  constructor(
    private readonly ws: WebSocket,
    readonly device: Device,
    private readonly unit: string,
    private readonly loaded: LoadedRoom,
    private readonly deps: ChannelDeps,
  ) {
    this.owned = ownedWriterIds(device.id);
    // No appPing: stock clients have none; WebSocket pings are answered by every client.
    const queue = serveFrames(ws, deps, this);
    this.writer = new LiveWriter(
      (group) => this.store(group),
      (err) => {
        const { code, reason } = closeCodeFor(err);
        if (code === CloseCode.ServerError) logEvent(deps.log, storeErrorEvent(err, 'live_error'), { device: device.id, error: err instanceof Error ? err.message : String(err) });
        logRefusal(deps.log, device, err, 'live');
        closeWith(ws, code, reason);
      },
    );
    queue.push(async () => {
      await loaded.ready;
      for (const frame of loaded.room.greeting()) this.send(frame);
    });
  }

  parse(bytes: Uint8Array): LiveFrame {
    return parseLiveFrame(bytes);
  }

  private send(frame: Uint8Array): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(frame);
  }

  async handle(frame: LiveFrame): Promise<void> {
    const { room } = this.loaded;
    switch (frame.kind) {
      case 'step1':
        return this.send(room.answerStep1(frame.stateVector));
      case 'update':
        // Stored with whatever else this client sends meanwhile (live-writer.ts).
        if (!frame.empty) this.writer.add(frame.update);
        return;
      case 'awareness':
        return room.applyAwareness(frame.update, this.ws);
      case 'queryAwareness':
        return this.send(room.awarenessOfAll());
      default:
        return assertNever(frame, 'live frame');
    }
  }

  /**
   * The checks of a Push (trust.ts) against the room's doc, which holds everything stored. The room's
   * count of stored rows only grows while it is open; near the limit the store's count decides.
   */
  private async check(group: readonly Uint8Array[]): Promise<CheckedDoc> {
    const { room } = this.loaded;
    const writer = { owned: this.owned, restoreWindow: inRestoreWindow(this.deps.epoch, this.deps.restoreWindowMs, Date.now()) };
    const run = (): CheckedDoc => checkDocUpdates(room.name, group, { rows: room.storedRows, bytes: room.storedBytes, base: () => room.doc }, writer);
    let checked: CheckedDoc;
    try {
      checked = run();
    } catch (err) {
      if (!(err instanceof Refusal) || err.closeCode !== CloseCode.DocTooLarge) throw err;
      room.recount((await this.deps.store.readDocs([room.name])).get(room.name)?.rows ?? []);
      checked = run();
    }
    logCarried(this.deps.log, this.device, 'live', [checked]);
    return checked;
  }

  /**
   * Durable first, then applied and broadcast: a client never sees an update the server could lose.
   * Events the updates insert are stamped in the same transaction (S13), resolved against the room's
   * doc, which holds everything stored; the stamp reaches every client of the room, the sender too.
   */
  private async store(group: readonly Uint8Array[]): Promise<void> {
    const { room } = this.loaded;
    await this.loaded.ready;
    const batchId = `live-${randomBytes(12).toString('base64url')}`;
    const items = group.map((update) => ({ doc: room.name, unit: this.unit, update }));
    const checked = await this.check(group);
    const ids = checked.resolver === null ? [] : eventIdsOf(checked.resolver);
    const stamps = ids.length > 0 ? [{ doc: room.name, unit: this.unit, eventIds: ids }] : [];
    const projection = liveProjection(this.deps.projector, room.name);
    const stored = await this.deps.store.appendBatch(
      this.device.id,
      batchId,
      items.map((it) => ({ doc: it.doc, unit: it.unit, data: it.update })),
      { stamps, urgent: true, ...(projection === undefined ? {} : { projection }) },
    );
    const serverItems = stored.serverRows.map((r) => ({ doc: r.doc, unit: r.unit, update: r.data }));
    let bad = false;
    for (const update of group) {
      try {
        room.apply(update, this.ws);
      } catch {
        bad = true;
      }
    }
    for (const it of serverItems) room.apply(it.update, null);
    this.deps.hub.publish({ items: [...items, ...serverItems], headSeq: stored.headSeq, units: stored.units, origin: room, notifyOrigin: false });
    // It decoded but Yjs would not integrate it: stored (harmless, skipped at load), sender cut off.
    if (bad) throw new ProtocolError('update: does not apply');
  }
}
