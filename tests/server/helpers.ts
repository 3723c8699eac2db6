/** Test servers on port 0, devices, and a small /sync client that queues what the server sends. */
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { MsgType, PATHS, SUBPROTOCOL, TOKEN_PROTOCOL_PREFIX } from '../../src/protocol/constants.ts';
import { decodeMessage, encodeMessage, type Message, type MessageOf, type PullItem } from '../../src/protocol/messages.ts';
import { hashToken, newToken } from '../../sync-server/auth.ts';
import type { HeartbeatOptions } from '../../sync-server/conn.ts';
import { startServer, type ClusterHook, type RunningServer } from '../../sync-server/server.ts';
import { writerIdOf } from '../../src/worker/dossier-doc.ts';
import { MemoryStore } from '../../sync-server/store/memory.ts';
import type { Device, DeviceRole, SyncStore } from '../../sync-server/store/types.ts';

export const UNIT = '20209';
export const OTHER_UNIT = '20194';
/** A third commune, for tests that need one nobody granted anything to. */
export const THIRD_UNIT = '20212';
export const ADMIN_TOKEN = 'test-admin-token';

export interface TestServer {
  readonly server: RunningServer;
  readonly store: SyncStore;
  readonly url: string;
  readonly wsUrl: string;
  /** Every JSON line the server logged. */
  readonly logs: string[];
  close(): Promise<void>;
}

export async function startTestServer(
  opts: {
    store?: SyncStore;
    staticDir?: string;
    heartbeat?: HeartbeatOptions;
    cluster?: ClusterHook;
    maxBusySessions?: number;
    restoreWindowMs?: number;
    deviceBytesPerMinute?: number;
  } = {},
): Promise<TestServer> {
  const store = opts.store ?? new MemoryStore();
  await store.putUnits([
    { code: UNIT, name: 'Phường Thanh Khê' },
    { code: OTHER_UNIT, name: 'Phường Hải Vân' },
    { code: THIRD_UNIT, name: 'Phường Hòa Khánh' },
  ]);
  const logs: string[] = [];
  const server = await startServer({
    port: 0,
    host: '127.0.0.1',
    store,
    adminToken: ADMIN_TOKEN,
    log: (line) => logs.push(line),
    ...(opts.staticDir === undefined ? {} : { staticDir: opts.staticDir }),
    ...(opts.heartbeat === undefined ? {} : { heartbeat: opts.heartbeat }),
    ...(opts.cluster === undefined ? {} : { cluster: opts.cluster }),
    ...(opts.maxBusySessions === undefined ? {} : { maxBusySessions: opts.maxBusySessions }),
    ...(opts.restoreWindowMs === undefined ? {} : { restoreWindowMs: opts.restoreWindowMs }),
    ...(opts.deviceBytesPerMinute === undefined ? {} : { deviceBytesPerMinute: opts.deviceBytesPerMinute }),
  });
  return {
    server,
    store,
    url: server.url,
    wsUrl: server.url.replace(/^http/, 'ws'),
    logs,
    close: () => server.close(),
  };
}

/** The `refused` lines the server logged (S9, S19-S21). */
export function refusals(server: TestServer): { code: number; rule: string; device: string; unit: string }[] {
  return server.logs
    .map((l) => JSON.parse(l) as { ev: string; code: number; rule: string; device: string; unit: string })
    .filter((l) => l.ev === 'refused');
}

export interface TestDevice {
  readonly device: Device;
  readonly token: string;
}

export async function addDevice(store: SyncStore, unit = UNIT, role: DeviceRole = 'counter'): Promise<TestDevice> {
  const token = newToken();
  const device = await store.createDevice(unit, role, {
    id: randomUUID(),
    label: 'test',
    tokenHash: hashToken(token),
    createdAt: Date.now(),
  });
  return { device, token };
}

export const dossierDoc = (unit = UNIT): string => `${unit}/dossier/${randomUUID()}`;

/** The Yjs client id a test device writes with (S19: the server refuses new items of any other). */
export const writerOf = (by: TestDevice | number): number => (typeof by === 'number' ? by : writerIdOf(by.device.id));

/**
 * A Yjs update setting `fields` on the doc's 'f' (fields) map, from a fresh doc written by `by` (a
 * device's writer id, else a random client: refused by the server, S19). A second update of one doc
 * by one device needs the device's doc (recordingDoc), or its clock would repeat.
 */
export function fieldsUpdate(fields: Record<string, string | number>, by?: TestDevice | number): Uint8Array {
  const doc = new Y.Doc();
  if (by !== undefined) doc.clientID = writerOf(by);
  const map = doc.getMap('f');
  for (const [k, v] of Object.entries(fields)) map.set(k, v);
  return Y.encodeStateAsUpdate(doc);
}

/** A dossier event as the domain writes it into the doc's 'events' array. */
export const dossierEvent = (id: string, at = 1): Record<string, string | number> => ({ id, type: 'received', at, officer: 'o1', device: 'd1' });

/** A doc that records its updates one by one, as a device's outbox holds them; written by `by`, if given. */
export function recordingDoc(by?: TestDevice | number): { doc: Y.Doc; updates: Uint8Array[] } {
  const doc = new Y.Doc();
  if (by !== undefined) doc.clientID = writerOf(by);
  const updates: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => updates.push(u));
  return { doc, updates };
}

/** A doc a device writes with its own client id (S19). */
export function deviceDoc(by: TestDevice | number): Y.Doc {
  const doc = new Y.Doc();
  doc.clientID = writerOf(by);
  return doc;
}

/** What `edit` changes in `doc`, as one update. */
export function change(doc: Y.Doc, edit: (doc: Y.Doc) => void): Uint8Array {
  const before = Y.encodeStateVector(doc);
  doc.transact(() => edit(doc));
  return Y.encodeStateAsUpdate(doc, before);
}

/** Appends the event a transfer to another commune records (src/domain/workflow.ts): a grant needs it (S20). */
export function addTransfer(doc: Y.Doc, unit: string): void {
  const data = { kind: 'other_commune', name: 'UBND', unit };
  doc.getArray('events').push([{ ...dossierEvent(randomUUID()), type: 'transferred', data }]);
}

export function docOf(updates: readonly Uint8Array[]): Y.Doc {
  const doc = new Y.Doc();
  for (const u of updates) Y.applyUpdate(doc, u);
  return doc;
}

export function readFields(updates: readonly Uint8Array[]): Record<string, unknown> {
  const doc = new Y.Doc();
  for (const u of updates) Y.applyUpdate(doc, u);
  return doc.getMap('f').toJSON();
}

export interface Closed {
  readonly code: number;
  readonly reason: string;
}

/** A /sync connection that queues decoded messages so tests can await them by type. */
export class SyncTestClient {
  private readonly inbox: Message[] = [];
  private waiters: { type: number; resolve: (m: Message) => void; reject: (e: Error) => void }[] = [];
  readonly closed: Promise<Closed>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const msg = decodeMessage(new Uint8Array(data));
      const i = this.waiters.findIndex((w) => w.type === msg.type);
      const waiter = this.waiters[i];
      if (waiter !== undefined) {
        this.waiters.splice(i, 1);
        waiter.resolve(msg);
      } else this.inbox.push(msg);
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => {
        for (const w of this.waiters) w.reject(new Error(`closed with ${code} while waiting for message ${w.type}`));
        this.waiters = [];
        resolve({ code, reason: reason.toString() });
      }),
    );
  }

  /** Opens /sync with the token in the Authorization header (Node) or the subprotocol list (browser). */
  static async open(t: TestServer, token: string | null, via: 'header' | 'protocol' = 'header'): Promise<SyncTestClient> {
    const url = `${t.wsUrl}${PATHS.sync}`;
    const ws =
      token === null
        ? new WebSocket(url)
        : via === 'header'
          ? new WebSocket(url, { headers: { authorization: `Bearer ${token}` } })
          : new WebSocket(url, [SUBPROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${token}`]);
    ws.on('error', () => undefined);
    const client = new SyncTestClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    });
    return client;
  }

  /** Opens /sync and waits for the Welcome. */
  static async welcomed(t: TestServer, token: string): Promise<SyncTestClient> {
    const c = await SyncTestClient.open(t, token);
    await c.next(MsgType.Welcome);
    return c;
  }

  /** The oldest unread message of this type, waiting for it if none arrived yet. */
  next<T extends MsgType>(type: T): Promise<MessageOf<T>> {
    const i = this.inbox.findIndex((m) => m.type === type);
    const queued = this.inbox[i];
    if (queued !== undefined) {
      this.inbox.splice(i, 1);
      return Promise.resolve(queued as MessageOf<T>);
    }
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.reject(new Error('connection closed'));
    return new Promise((resolve, reject) => this.waiters.push({ type, resolve: (m) => resolve(m as MessageOf<T>), reject }));
  }

  /** Messages of this type received and not yet read. */
  unread(type: MsgType): Message[] {
    return this.inbox.filter((m) => m.type === type);
  }

  send(msg: Message): void {
    this.ws.send(encodeMessage(msg));
  }

  sendRaw(bytes: Uint8Array | string): void {
    this.ws.send(bytes);
  }

  close(): void {
    this.ws.close();
  }
}

/** Pulls until `more` is false; returns every item, the final cursor and the number of round trips. */
export async function pullAll(c: SyncTestClient, limit: number, since = 0): Promise<{ items: PullItem[]; cursor: number; trips: number }> {
  const items: PullItem[] = [];
  let cursor = since;
  let trips = 0;
  for (;;) {
    c.send({ type: MsgType.Pull, since: cursor, limit });
    const page = await c.next(MsgType.PullBatch);
    trips++;
    items.push(...page.items);
    cursor = page.cursor;
    if (!page.more) return { items, cursor, trips };
  }
}
