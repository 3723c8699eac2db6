/**
 * The `/yjs/{unit}/{kind}/{id}` endpoint: the y-websocket protocol, so a stock WebsocketProvider can
 * open a live doc (the queue day, a dossier being worked on). Same auth and scope as /sync (S9).
 * Every client update is checked, made durable with appendBatch, and only then applied to the room and
 * broadcast; a room is loaded from the log when its first client comes and dropped when the last leaves.
 */
import { randomBytes } from 'node:crypto';
import type { WebSocket } from 'ws';
import { assertNever } from '../src/domain/errors.ts';
import { CloseCode, PATHS } from '../src/protocol/constants.ts';
import { parseDocName, type DocName } from '../src/protocol/doc-names.ts';
import { ProtocolError } from '../src/protocol/messages.ts';
import { inScope } from './auth.ts';
import { serveFrames, type ChannelDeps, type FrameHandler } from './channel.ts';
import { closeWith, logEvent } from './conn.ts';
import type { Committed } from './hub.ts';
import { parseLiveFrame, type LiveFrame } from './live-protocol.ts';
import { Room } from './room.ts';
import type { Device } from './store/types.ts';

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
  }

  /** Called after auth. Checks the doc and its scope, then joins (or opens) its room. */
  accept(ws: WebSocket, device: Device, pathname: string): void {
    const name = docFromPath(pathname);
    if (name === null) return closeWith(ws, CloseCode.UnknownDoc, 'unknown doc');
    if (!inScope(device, name.unit)) return closeWith(ws, CloseCode.Forbidden, 'doc outside scope');
    const doc = `${name.unit}/${name.kind}/${name.id}`;
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

  constructor(
    private readonly ws: WebSocket,
    readonly device: Device,
    private readonly unit: string,
    private readonly loaded: LoadedRoom,
    private readonly deps: ChannelDeps,
  ) {
    // No appPing: stock clients have none; WebSocket pings are answered by every client.
    const queue = serveFrames(ws, deps, this);
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
        if (!frame.empty) await this.store(frame.update);
        return;
      case 'awareness':
        return room.applyAwareness(frame.update, this.ws);
      case 'queryAwareness':
        return this.send(room.awarenessOfAll());
      default:
        return assertNever(frame, 'live frame');
    }
  }

  /** Durable first, then applied and broadcast: a client never sees an update the server could lose. */
  private async store(update: Uint8Array): Promise<void> {
    const { room } = this.loaded;
    const batchId = `live-${randomBytes(12).toString('base64url')}`;
    const stored = await this.deps.store.appendBatch(this.device.id, batchId, [{ doc: room.name, unit: this.unit, data: update }]);
    try {
      room.apply(update, this.ws);
    } catch {
      // It decoded but Yjs would not integrate it: stored (harmless, skipped at load), sender cut off.
      throw new ProtocolError('update: does not apply');
    }
    this.deps.hub.publish({ items: [{ doc: room.name, unit: this.unit, update }], headSeq: stored.headSeq, origin: room });
  }
}
