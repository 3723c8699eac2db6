/** The /sync catch-up channel against a real server on port 0. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { CloseCode, MsgType, SUBPROTOCOL } from '../../src/protocol/constants.ts';
import { vnDayKey } from '../../src/domain/time.ts';
import { SqliteStore } from '../../sync-server/store/sqlite.ts';
import type { SyncStore } from '../../sync-server/store/types.ts';
import {
  addDevice,
  dossierDoc,
  fieldsUpdate,
  OTHER_UNIT,
  readFields,
  startTestServer,
  SyncTestClient,
  type TestServer,
} from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'motcua-catchup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let t: TestServer | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

const connect = SyncTestClient.welcomed;

describe('/sync push', () => {
  it('[S2] acknowledges a batch only once it is durable: the rows are in the SQLite file when the ack arrives', async () => {
    const path = join(dir, 'ack.sqlite');
    const store = new SqliteStore(path);
    t = await startTestServer({ store });
    const a = await addDevice(store);
    const c = await connect(t, a.token);
    const doc = dossierDoc();
    c.send({ type: MsgType.Push, batchId: 'b-1', items: [{ doc, update: fieldsUpdate({ name: 'x' }, a) }] });
    const ack = await c.next(MsgType.PushAck);

    // A second connection to the file (another process would see the same) already has the rows.
    const reader = new SqliteStore(path);
    expect(readFields(await reader.readDoc(doc))).toEqual({ name: 'x' });
    expect(ack).toMatchObject({ batchId: 'b-1', seqs: [1], headSeq: 1 });
    await reader.close();

    c.close();
    await t.close();
    t = null;
    await store.close();
    const reopened = new SqliteStore(path);
    expect(await reopened.readDoc(doc)).toHaveLength(1);
    await reopened.close();
  });

  it('[S2] never acknowledges a batch the store failed to write: the connection closes with 4500', async () => {
    const failing = new SqliteStore(':memory:');
    const store = new Proxy(failing, {
      get(target, prop, receiver) {
        if (prop === 'appendBatch') return () => Promise.reject(new Error('disk full'));
        return Reflect.get(target, prop, receiver) as unknown;
      },
    }) as SyncStore;
    t = await startTestServer({ store });
    const a = await addDevice(store);
    const c = await connect(t, a.token);
    c.send({ type: MsgType.Push, batchId: 'b-1', items: [{ doc: dossierDoc(), update: fieldsUpdate({ a: 1 }, a) }] });
    expect((await c.closed).code).toBe(CloseCode.ServerError);
    expect(c.unread(MsgType.PushAck)).toEqual([]);
  });

  it('[S3] the same batch pushed twice gets the same seqs and is stored once; [S6] Welcome names it', async () => {
    t = await startTestServer();
    const a = await addDevice(t.store);
    const c = await connect(t, a.token);
    const doc = dossierDoc();
    const push = { type: MsgType.Push, batchId: 'b-7', items: [{ doc, update: fieldsUpdate({ n: 1 }, a) }] } as const;
    c.send(push);
    const first = await c.next(MsgType.PushAck);
    c.send(push);
    const second = await c.next(MsgType.PushAck);
    expect(second.seqs).toEqual(first.seqs);
    expect(await t.store.readDoc(doc)).toHaveLength(1);
    const acks = t.logs.map((l) => JSON.parse(l) as { ev: string; duplicate?: boolean }).filter((e) => e.ev === 'push_ack');
    expect(acks.map((e) => e.duplicate)).toEqual([false, true]);
    expect(t.logs.find((l) => l.includes('push_ack'))).toBe(
      JSON.stringify({ ev: 'push_ack', device: a.device.id, batchId: 'b-7', first: 1, last: 1, count: 1, duplicate: false }),
    );
    c.close();

    const again = await SyncTestClient.open(t, a.token);
    const welcome = await again.next(MsgType.Welcome);
    expect(welcome).toMatchObject({ deviceId: a.device.id, unit: a.device.unit, headSeq: 1, lastBatchId: 'b-7', lastBatchSeqs: first.seqs });
    again.close();
  });

  it('[S9] a batch with a doc of another commune closes with 4403 and writes nothing, not even its own docs', async () => {
    t = await startTestServer();
    const a = await addDevice(t.store);
    const c = await connect(t, a.token);
    const own = dossierDoc();
    c.send({
      type: MsgType.Push,
      batchId: 'mixed',
      items: [
        { doc: own, update: fieldsUpdate({ a: 1 }, a) },
        { doc: dossierDoc(OTHER_UNIT), update: fieldsUpdate({ b: 2 }, a) },
      ],
    });
    expect((await c.closed).code).toBe(CloseCode.Forbidden);
    expect(await t.store.headSeq()).toBe(0);
    expect(await t.store.readDoc(own)).toEqual([]);
  });

  it('[S9] a department device may write any commune’s docs', async () => {
    t = await startTestServer();
    const dept = await addDevice(t.store, OTHER_UNIT, 'department');
    const c = await connect(t, dept.token);
    c.send({ type: MsgType.Push, batchId: 'd', items: [{ doc: dossierDoc(), update: fieldsUpdate({ a: 1 }, dept) }] });
    expect((await c.next(MsgType.PushAck)).seqs).toEqual([1]);
    c.close();
  });

  it('[S8] an update that is not Yjs closes with 4400 and writes nothing', async () => {
    t = await startTestServer();
    const a = await addDevice(t.store);
    const c = await connect(t, a.token);
    c.send({
      type: MsgType.Push,
      batchId: 'bad',
      items: [
        { doc: dossierDoc(), update: fieldsUpdate({ a: 1 }, a) },
        { doc: dossierDoc(), update: new Uint8Array([200, 1, 2, 3]) },
      ],
    });
    expect((await c.closed).code).toBe(CloseCode.BadFrame);
    expect(await t.store.headSeq()).toBe(0);
  });
});

describe('/sync ordering and shutdown', () => {
  it('commits and acknowledges pipelined batches in the order they were sent', async () => {
    t = await startTestServer();
    const a = await addDevice(t.store);
    const c = await connect(t, a.token);
    const n = 20;
    for (let i = 0; i < n; i++) {
      c.send({ type: MsgType.Push, batchId: `b-${i}`, items: [{ doc: dossierDoc(), update: fieldsUpdate({ i }, a) }] });
    }
    const acks = [];
    for (let i = 0; i < n; i++) acks.push(await c.next(MsgType.PushAck));
    expect(acks.map((ack) => ack.batchId)).toEqual(Array.from({ length: n }, (_, i) => `b-${i}`));
    expect(acks.map((ack) => ack.seqs[0])).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    c.close();
  });

  it('says GoingAway (1001) to connected devices when the server stops', async () => {
    t = await startTestServer();
    const a = await addDevice(t.store);
    const c = await connect(t, a.token);
    await t.close();
    t = null;
    expect((await c.closed).code).toBe(CloseCode.GoingAway);
  });
});

describe('/sync notify, reserve, ping', () => {
  it('tells the other devices of the commune (not other communes) that there is something to pull', async () => {
    t = await startTestServer();
    const [a, b, other] = await Promise.all([addDevice(t.store), addDevice(t.store), addDevice(t.store, OTHER_UNIT)]);
    const ca = await connect(t, a.token);
    const cb = await connect(t, b.token);
    const co = await connect(t, other.token);
    ca.send({ type: MsgType.Push, batchId: 'n', items: [{ doc: dossierDoc(), update: fieldsUpdate({ a: 1 }, a) }] });
    const ack = await ca.next(MsgType.PushAck);
    expect(await cb.next(MsgType.Notify)).toEqual({ type: MsgType.Notify, headSeq: ack.headSeq });
    // A Notify to `co` would have been sent before this Pong, on the same socket.
    co.send({ type: MsgType.Ping, nonce: 9 });
    expect(await co.next(MsgType.Pong)).toEqual({ type: MsgType.Pong, nonce: 9 });
    expect(co.unread(MsgType.Notify)).toEqual([]);
    expect(ca.unread(MsgType.Notify)).toEqual([]);
    for (const c of [ca, cb, co]) c.close();
  });

  it('reserves dossier-number blocks for the device’s commune', async () => {
    t = await startTestServer();
    const a = await addDevice(t.store);
    const c = await connect(t, a.token);
    // Days in the coming LIMITS.maxReserveDays, Vietnam time (S21).
    const [d1, d2] = [vnDayKey(Date.now()), vnDayKey(Date.now() + 86_400_000)];
    c.send({ type: MsgType.Reserve, reqId: 4, days: [d1, d2], size: 50 });
    expect(await c.next(MsgType.Reserved)).toEqual({
      type: MsgType.Reserved,
      reqId: 4,
      blocks: [
        { day: d1, start: 1, end: 50 },
        { day: d2, start: 1, end: 50 },
      ],
    });
    expect(await t.store.reserveBlocks(a.device.unit, [d1], 1)).toEqual([{ day: d1, start: 51, end: 51 }]);
    c.close();
  });

  it('selects the motcua subprotocol and never echoes the bearer token', async () => {
    t = await startTestServer();
    const a = await addDevice(t.store);
    const c = await SyncTestClient.open(t, a.token, 'protocol');
    expect(c.ws.protocol).toBe(SUBPROTOCOL);
    expect((await c.next(MsgType.Welcome)).deviceId).toBe(a.device.id);
    c.close();
  });
});
