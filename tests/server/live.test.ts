/** The /yjs endpoint with the stock y-websocket client, as a browser tab would use it (S8, S9). */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { CloseCode, MsgType, PATHS, SUBPROTOCOL, TOKEN_PROTOCOL_PREFIX } from '../../src/protocol/constants.ts';
import { addDevice, dossierDoc, fieldsUpdate, OTHER_UNIT, startTestServer, SyncTestClient, UNIT, type TestDevice, type TestServer } from './helpers.ts';
import { liveWriterIdOf } from '../../src/worker/dossier-doc.ts';

const QUEUE_DOC = `${UNIT}/queue/2026-11-22`;

let t: TestServer | null = null;
const providers: WebsocketProvider[] = [];
afterEach(async () => {
  for (const p of providers.splice(0)) {
    p.destroy();
    p.awareness.destroy();
  }
  await t?.close();
  t = null;
});

/** ws's WebSocket with the device token in an Authorization header (Node clients may set headers). */
function headerWebSocket(token: string): typeof globalThis.WebSocket {
  class AuthorizedWebSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { headers: { authorization: `Bearer ${token}` } });
    }
  }
  return AuthorizedWebSocket as unknown as typeof globalThis.WebSocket;
}

/** How a test tab connects: as device `by` (its token, unless `token` forges one), live slot 1 (S19). */
interface Auth {
  readonly via: 'header' | 'protocol';
  readonly by: TestDevice;
  readonly token?: string;
}

/** A tab's doc, written with the device's live client id of `slot` (S19). */
function liveDoc(by: TestDevice, slot = 1): Y.Doc {
  const doc = new Y.Doc();
  doc.clientID = liveWriterIdOf(by.device.id, slot);
  return doc;
}

function provider(server: TestServer, doc: string, auth: Auth, ydoc = liveDoc(auth.by)): WebsocketProvider {
  const token = auth.token ?? auth.by.token;
  const p = new WebsocketProvider(`${server.wsUrl}${PATHS.yjs}`, doc, ydoc, {
    disableBc: true,
    ...(auth.via === 'header'
      ? { WebSocketPolyfill: headerWebSocket(token) }
      : {
          WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
          // A browser offers our subprotocol and the token; the server selects the former.
          protocols: [SUBPROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${token}`],
        }),
  });
  providers.push(p);
  return p;
}

function synced(p: WebsocketProvider): Promise<void> {
  if (p.synced) return Promise.resolve();
  return new Promise((resolve) => p.on('sync', (s: boolean) => s && resolve()));
}

/** The close code the provider saw on its first closed connection. */
function closeCode(p: WebsocketProvider): Promise<number> {
  return new Promise((resolve) => p.on('connection-close', (event) => resolve(event?.code ?? -1)));
}

function valueArrives(doc: Y.Doc, mapName: string, key: string): Promise<unknown> {
  const map = doc.getMap(mapName);
  if (map.has(key)) return Promise.resolve(map.get(key));
  return new Promise((resolve) => map.observe(() => map.has(key) && resolve(map.get(key))));
}

async function stored(server: TestServer, doc: string): Promise<Y.Doc> {
  const y = new Y.Doc();
  for (const u of await server.store.readDoc(doc)) Y.applyUpdate(y, u);
  return y;
}

describe('/yjs live docs', () => {
  it('[S9] stock y-websocket WebsocketProvider syncs a doc of its commune, and gets 4403 for another commune’s doc', async () => {
    t = await startTestServer();
    const [a, b] = await Promise.all([addDevice(t.store), addDevice(t.store)]);
    const p1 = provider(t, QUEUE_DOC, { via: 'header', by: a });
    const p2 = provider(t, QUEUE_DOC, { via: 'protocol', by: b });
    await Promise.all([synced(p1), synced(p2)]);
    expect(p2.ws?.protocol).toBe(SUBPROTOCOL);

    p1.doc.getMap('queue').set('called', 42);
    expect(await valueArrives(p2.doc, 'queue', 'called')).toBe(42);
    // Broadcast happens only after the update is stored.
    expect((await stored(t, QUEUE_DOC)).getMap('queue').get('called')).toBe(42);

    const foreign = provider(t, `${OTHER_UNIT}/queue/2026-11-22`, { via: 'protocol', by: a });
    const closedEvent = new Promise<{ code: number }>((resolve) => foreign.on('closed', (e) => resolve(e)));
    expect(await closeCode(foreign)).toBe(CloseCode.Forbidden);
    expect((await closedEvent).code).toBe(CloseCode.Forbidden);
    expect(foreign.shouldConnect).toBe(false);
    expect(await t.store.readDoc(`${OTHER_UNIT}/queue/2026-11-22`)).toEqual([]);
  });

  it('refuses unknown docs with 4404, missing tokens with 4401 and revoked devices with 4402', async () => {
    t = await startTestServer();
    const a = await addDevice(t.store);
    expect(await closeCode(provider(t, `${UNIT}/scan/abc`, { via: 'header', by: a }))).toBe(CloseCode.UnknownDoc);
    expect(await closeCode(provider(t, `${UNIT}/queue/..%2f..`, { via: 'header', by: a }))).toBe(CloseCode.UnknownDoc);
    expect(await closeCode(provider(t, QUEUE_DOC, { via: 'header', by: a, token: 'forged' }))).toBe(CloseCode.Unauthorized);
    await t.store.revokeDevice(a.device.id, Date.now());
    expect(await closeCode(provider(t, QUEUE_DOC, { via: 'protocol', by: a }))).toBe(CloseCode.Revoked);
  });

  it('[S8] a bad frame closes only its own connection with 4400; the room keeps working', async () => {
    t = await startTestServer();
    const [a, b] = await Promise.all([addDevice(t.store), addDevice(t.store)]);
    const p1 = provider(t, QUEUE_DOC, { via: 'header', by: a });
    await synced(p1);
    const raw = new WebSocket(`${t.wsUrl}${PATHS.yjs}/${QUEUE_DOC}`, { headers: { authorization: `Bearer ${b.token}` } });
    const rawClosed = new Promise<number>((resolve) => raw.on('close', (code) => resolve(code)));
    await new Promise((resolve) => raw.once('open', resolve));
    raw.send(new Uint8Array([0, 2, 3, 0xff, 0xff, 0xff])); // an "update" that is not Yjs
    expect(await rawClosed).toBe(CloseCode.BadFrame);

    const p2 = provider(t, QUEUE_DOC, { via: 'header', by: b });
    await synced(p2);
    p2.doc.getMap('queue').set('next', 7);
    expect(await valueArrives(p1.doc, 'queue', 'next')).toBe(7);
  });

  it('a catch-up push reaches the open room, and a live edit is announced to /sync and pullable', async () => {
    t = await startTestServer();
    const [a, b] = await Promise.all([addDevice(t.store), addDevice(t.store)]);
    const doc = dossierDoc();
    const live = provider(t, doc, { via: 'header', by: a });
    await synced(live);

    const sync = await SyncTestClient.open(t, b.token);
    await sync.next(MsgType.Welcome);
    sync.send({ type: MsgType.Push, batchId: 'x', items: [{ doc, update: fieldsUpdate({ status: 'received' }, b) }] });
    await sync.next(MsgType.PushAck);
    expect(await valueArrives(live.doc, 'f', 'status')).toBe('received');

    live.doc.getMap('f').set('note', 'đã gọi');
    const notify = await sync.next(MsgType.Notify);
    sync.send({ type: MsgType.Pull, since: 1, limit: 10 });
    const page = await sync.next(MsgType.PullBatch);
    expect(page.cursor).toBe(notify.headSeq);
    const y = new Y.Doc();
    for (const it of page.items) Y.applyUpdate(y, it.update);
    expect(y.getMap('f').get('note')).toBe('đã gọi');
    sync.close();
  });

  it('a room emptied and reopened is loaded from the log', async () => {
    t = await startTestServer();
    const a = await addDevice(t.store);
    const first = provider(t, QUEUE_DOC, { via: 'header', by: a });
    await synced(first);
    first.doc.getMap('queue').set('served', 3);
    // Stored once the server has it: wait for the log rather than for time.
    await expect.poll(async () => (await stored(t as TestServer, QUEUE_DOC)).getMap('queue').get('served')).toBe(3);
    first.destroy();

    // Another slot: a fresh doc in the same slot would get its own items back and Yjs would rename it.
    const again = provider(t, QUEUE_DOC, { via: 'protocol', by: a }, liveDoc(a, 2));
    await synced(again);
    expect(again.doc.getMap('queue').get('served')).toBe(3);
  });
});
