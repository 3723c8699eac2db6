/** [S13] Every event gets exactly one server time stamp, from the server's clock. */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { CloseCode, MsgType, PATHS } from '../../src/protocol/constants.ts';
import type { PullItem } from '../../src/protocol/messages.ts';
import { SERVER_DEVICE, STAMP_MAP } from '../../sync-server/store/server-rows.ts';
import {
  addDevice,
  deviceDoc,
  docOf,
  dossierDoc,
  dossierEvent,
  fieldsUpdate,
  OTHER_UNIT,
  pullAll,
  recordingDoc,
  startTestServer,
  SyncTestClient,
  type TestDevice,
  type TestServer,
} from './helpers.ts';
import { liveWriterIdOf } from '../../src/worker/dossier-doc.ts';

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

const connect = SyncTestClient.welcomed;

/** Every (event id, time) pair in the server rows of the log, once per row that sets it. */
async function stampsInLog(server: TestServer): Promise<[string, number][]> {
  const page = await server.store.readSince({ units: 'all', since: 0, limit: 10_000 });
  return page.rows
    .filter((r) => r.device === SERVER_DEVICE)
    .flatMap((r) => Object.entries(docOf([r.data]).getMap<number>(STAMP_MAP).toJSON()) as [string, number][]);
}

const stampsOf = (items: readonly PullItem[]): Record<string, unknown> => docOf(items.map((it) => it.update)).getMap(STAMP_MAP).toJSON();

describe('[S13] every event gets exactly one server time stamp, from the server’s clock', () => {
  it('a pushed event gets exactly one stamp, which the pushing device and another device both pull', async () => {
    t = await startTestServer();
    const [a, b] = await Promise.all([addDevice(t.store), addDevice(t.store)]);
    const ca = await connect(t, a.token);
    const doc = dossierDoc();
    const device = recordingDoc(a);
    device.doc.transact(() => {
      device.doc.getMap('f').set('name', 'Nguyễn Văn An');
      device.doc.getArray('events').push([dossierEvent('e1', 1_000)]);
    });
    const push = { type: MsgType.Push, batchId: 'intake', items: [{ doc, update: device.updates[0] ?? new Uint8Array() }] } as const;
    const before = Date.now();
    ca.send(push);
    const ack = await ca.next(MsgType.PushAck);
    const after = Date.now();
    expect(ack.seqs).toEqual([1]);
    expect(ack.headSeq).toBe(2);
    // The pusher is told there is something for it: the stamp it does not have.
    expect((await ca.next(MsgType.Notify)).headSeq).toBe(2);
    const own = await pullAll(ca, 100);
    expect(own.items.map((it) => it.seq)).toEqual([2]);
    const stamp = stampsOf(own.items).e1;
    expect(typeof stamp).toBe('number');
    expect(stamp).toBeGreaterThanOrEqual(before);
    expect(stamp).toBeLessThanOrEqual(after);

    const cb = await connect(t, b.token);
    const atB = await pullAll(cb, 100);
    const merged = docOf(atB.items.map((it) => it.update));
    expect(merged.getArray('events').toJSON()).toEqual([dossierEvent('e1', 1_000)]);
    expect(merged.getMap(STAMP_MAP).toJSON()).toEqual({ e1: stamp });

    // The same batch again, and the same update in another batch: nothing more is stamped.
    ca.send(push);
    expect(await ca.next(MsgType.PushAck)).toMatchObject({ seqs: [1], headSeq: 2 });
    ca.send({ ...push, batchId: 'resent' });
    expect(await ca.next(MsgType.PushAck)).toMatchObject({ seqs: [3], headSeq: 3 });
    expect(await stampsInLog(t)).toEqual([['e1', stamp]]);

    // A later event, appended after the first (its update names no parent), is stamped once too.
    device.doc.getArray('events').push([dossierEvent('e2', 2_000)]);
    ca.send({ type: MsgType.Push, batchId: 'accept', items: [{ doc, update: device.updates[1] ?? new Uint8Array() }] });
    expect(await ca.next(MsgType.PushAck)).toMatchObject({ seqs: [4], headSeq: 5 });
    const stamps = await stampsInLog(t);
    expect(stamps.map(([id]) => id)).toEqual(['e1', 'e2']);
    await cb.next(MsgType.Notify);
    const later = await pullAll(cb, 100, atB.cursor);
    expect(Object.keys(stampsOf(later.items))).toEqual(['e2']);
    for (const c of [ca, cb]) c.close();
  });

  it('a bad or odd update (no events array, junk in it, events as a map) gets no stamp and no crash', async () => {
    t = await startTestServer();
    const a = await addDevice(t.store);
    const ca = await connect(t, a.token);
    const odd = recordingDoc(a);
    odd.doc.getArray('events').push(['text', 42, null, { type: 'no id' }, { id: 7 }, [dossierEvent('nested')]]);
    const asMap = deviceDoc(a);
    asMap.getMap('events').set('e1', dossierEvent('e1'));
    const elsewhere = deviceDoc(a);
    elsewhere.getArray('notes').push([dossierEvent('n1')]);
    const updates = [fieldsUpdate({ name: 'x' }, a), odd.updates[0] ?? new Uint8Array(), Y.encodeStateAsUpdate(asMap), new Uint8Array([0, 0])];
    ca.send({ type: MsgType.Push, batchId: 'odd', items: updates.map((update) => ({ doc: dossierDoc(), update })) });
    expect(await ca.next(MsgType.PushAck)).toMatchObject({ seqs: [1, 2, 3, 4], headSeq: 4 });
    // An event in a queue doc is not a dossier event.
    const queue = deviceDoc(a);
    queue.getArray('events').push([dossierEvent('q1')]);
    ca.send({ type: MsgType.Push, batchId: 'queue', items: [{ doc: `${a.device.unit}/queue/2026-11-22`, update: Y.encodeStateAsUpdate(queue) }] });
    expect(await ca.next(MsgType.PushAck)).toMatchObject({ headSeq: 5 });
    expect(await stampsInLog(t)).toEqual([]);
    ca.send({ type: MsgType.Ping, nonce: 3 });
    expect(await ca.next(MsgType.Pong)).toEqual({ type: MsgType.Pong, nonce: 3 });
    expect(ca.unread(MsgType.Notify)).toEqual([]);
    ca.close();
    // A dossier update that writes a root type dossiers do not have is refused, nothing stored (S8).
    const cb = await connect(t, a.token);
    cb.send({ type: MsgType.Push, batchId: 'notes', items: [{ doc: dossierDoc(), update: Y.encodeStateAsUpdate(elsewhere) }] });
    expect((await cb.closed).code).toBe(CloseCode.BadFrame);
    expect((await t.store.stats()).headSeq).toBe(5);
  });

  it('a live /yjs edit that adds an event is stamped: every client of the room, the sender too, and /sync devices get it', async () => {
    t = await startTestServer();
    const [a, b, c] = await Promise.all([addDevice(t.store), addDevice(t.store), addDevice(t.store)]);
    const doc = dossierDoc();
    const open = ({ token, device }: TestDevice): WebsocketProvider => {
      class Authorized extends WebSocket {
        constructor(url: string, protocols?: string | string[]) {
          super(url, protocols, { headers: { authorization: `Bearer ${token}` } });
        }
      }
      const ydoc = new Y.Doc();
      ydoc.clientID = liveWriterIdOf(device.id, 1);
      const p = new WebsocketProvider(`${t?.wsUrl ?? ''}${PATHS.yjs}`, doc, ydoc, {
        disableBc: true,
        WebSocketPolyfill: Authorized as unknown as typeof globalThis.WebSocket,
      });
      providers.push(p);
      return p;
    };
    const synced = (p: WebsocketProvider): Promise<void> =>
      p.synced ? Promise.resolve() : new Promise((resolve) => p.on('sync', (s: boolean) => s && resolve()));
    const stampArrives = (p: WebsocketProvider, id: string): Promise<unknown> => {
      const st = p.doc.getMap(STAMP_MAP);
      return st.has(id) ? Promise.resolve(st.get(id)) : new Promise((resolve) => st.observe(() => st.has(id) && resolve(st.get(id))));
    };
    const p1 = open(a);
    const p2 = open(b);
    await Promise.all([synced(p1), synced(p2)]);
    const sync = await connect(t, c.token);

    p1.doc.getArray('events').push([dossierEvent('live-1')]);
    const [s1, s2] = await Promise.all([stampArrives(p1, 'live-1'), stampArrives(p2, 'live-1')]);
    expect(typeof s1).toBe('number');
    expect(s2).toBe(s1);
    p1.doc.getArray('events').push([dossierEvent('live-2')]);
    await stampArrives(p2, 'live-2');

    await sync.next(MsgType.Notify);
    await expect.poll(async () => (await stampsInLog(t as TestServer)).map(([id]) => id)).toEqual(['live-1', 'live-2']);
    const pulled = await pullAll(sync, 100);
    expect(Object.keys(stampsOf(pulled.items)).sort()).toEqual(['live-1', 'live-2']);
    sync.close();
  });

  it('a granted unit gets the stamps of the dossier it was given', async () => {
    t = await startTestServer();
    const [a, b] = await Promise.all([addDevice(t.store), addDevice(t.store, OTHER_UNIT)]);
    const ca = await connect(t, a.token);
    const doc = dossierDoc();
    const device = recordingDoc(a);
    device.doc.getArray('events').push([dossierEvent('e1')]);
    // The transfer's event goes with its grant (S20).
    const data = { kind: 'other_commune', name: 'UBND', unit: OTHER_UNIT };
    device.doc.getArray('events').push([{ ...dossierEvent('transfer'), type: 'transferred', data }]);
    ca.send({ type: MsgType.Push, batchId: 'one', items: [{ doc, update: device.updates[0] ?? new Uint8Array() }] });
    await ca.next(MsgType.PushAck);
    ca.send({ type: MsgType.Push, batchId: 'two', items: [{ doc, update: device.updates[1] ?? new Uint8Array() }], grants: [{ doc, unit: OTHER_UNIT }] });
    await ca.next(MsgType.PushAck);
    const cb = await connect(t, b.token);
    const atB = await pullAll(cb, 100);
    expect(Object.keys(stampsOf(atB.items)).sort()).toEqual(['e1', 'transfer']);
    expect(await stampsInLog(t)).toHaveLength(2);
    for (const x of [ca, cb]) x.close();
  });
});
