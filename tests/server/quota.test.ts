/** [S21] Per-device quotas: sockets, bytes per minute, doc size, number-block days. Each closes one socket; others are served. */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { vnDayKey } from '../../src/domain/time.ts';
import { CloseCode, LIMITS, MsgType, PATHS } from '../../src/protocol/constants.ts';
import { DeviceBytes } from '../../sync-server/quota.ts';
import { addDevice, dossierDoc, fieldsUpdate, refusals, startTestServer, SyncTestClient, UNIT, type TestDevice, type TestServer } from './helpers.ts';

let t: TestServer | null = null;
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  await t?.close();
  t = null;
});

const DAY = 86_400_000;

/** A /yjs socket of the device, open (or closed at once with a code). */
function liveSocket(server: TestServer, by: TestDevice): Promise<{ ws: WebSocket; closed: Promise<number> }> {
  const ws = new WebSocket(`${server.wsUrl}${PATHS.yjs}/${UNIT}/queue/2026-12-01`, { headers: { authorization: `Bearer ${by.token}` } });
  sockets.push(ws);
  ws.on('error', () => undefined);
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  return new Promise((resolve) => ws.once('open', () => resolve({ ws, closed })));
}

/** An honest device of another commune's unit is served meanwhile: its push is acknowledged. */
async function servesOthers(server: TestServer): Promise<void> {
  const other = await addDevice(server.store);
  const c = await SyncTestClient.welcomed(server, other.token);
  c.send({ type: MsgType.Push, batchId: 'honest', items: [{ doc: dossierDoc(), update: fieldsUpdate({ name: 'An' }, other) }] });
  expect((await c.next(MsgType.PushAck)).seqs).toHaveLength(1);
  c.close();
}

describe('[S21] per-device quotas', () => {
  it('[S21] a device past LIMITS.maxSocketsPerDevice open sockets gets 4431 on the newest; its others stay, and it gets in once one closes', async () => {
    t = await startTestServer();
    const a = await addDevice(t.store);
    const open = [];
    for (let i = 0; i < LIMITS.maxSocketsPerDevice; i++) open.push(await liveSocket(t, a));
    const extra = await SyncTestClient.open(t, a.token);
    expect((await extra.closed).code).toBe(CloseCode.TooManySockets);
    expect(open.every((s) => s.ws.readyState === WebSocket.OPEN)).toBe(true);
    await servesOthers(t);
    expect(refusals(t)).toEqual([expect.objectContaining({ device: a.device.id, code: CloseCode.TooManySockets, rule: 'S21' })]);
    const first = open[0];
    first?.ws.close();
    await first?.closed;
    const again = await SyncTestClient.welcomed(t, a.token);
    again.close();
  });

  it('[S21] more bytes in a minute than the quota, across two sockets, closes 4430 before the batch is stored; other devices are served', async () => {
    t = await startTestServer({ deviceBytesPerMinute: 100_000 });
    const a = await addDevice(t.store);
    const big = (): Uint8Array => fieldsUpdate({ note: 'x'.repeat(40_000) }, a);
    const c1 = await SyncTestClient.welcomed(t, a.token);
    c1.send({ type: MsgType.Push, batchId: 'one', items: [{ doc: dossierDoc(), update: big() }] });
    await c1.next(MsgType.PushAck);
    c1.close();
    // A new socket does not bring a fresh minute.
    const c2 = await SyncTestClient.welcomed(t, a.token);
    c2.send({ type: MsgType.Push, batchId: 'two', items: [{ doc: dossierDoc(), update: big() }] });
    await c2.next(MsgType.PushAck);
    c2.send({ type: MsgType.Push, batchId: 'three', items: [{ doc: dossierDoc(), update: big() }] });
    expect((await c2.closed).code).toBe(CloseCode.ByteQuota);
    expect(await t.store.headSeq()).toBe(2);
    await servesOthers(t);
    expect(refusals(t)).toEqual([expect.objectContaining({ code: CloseCode.ByteQuota, rule: 'S21' })]);
  });

  it('[S21] a push that would take a doc past LIMITS.maxDocBytes or LIMITS.maxDocUpdates closes 4413 and writes nothing of the batch', async () => {
    t = await startTestServer();
    const a = await addDevice(t.store);
    const heavy = dossierDoc();
    const chunk = LIMITS.maxDocBytes / 4;
    await t.store.appendBatch('another-device', 'heavy', Array.from({ length: 4 }, () => ({ doc: heavy, unit: UNIT, data: new Uint8Array(chunk) })));
    const many = dossierDoc();
    await t.store.appendBatch('another-device', 'many', Array.from({ length: LIMITS.maxDocUpdates }, () => ({ doc: many, unit: UNIT, data: new Uint8Array([0, 0]) })));
    const head = await t.store.headSeq();
    for (const doc of [heavy, many]) {
      const c = await SyncTestClient.welcomed(t, a.token);
      const fresh = dossierDoc();
      c.send({ type: MsgType.Push, batchId: doc, items: [{ doc: fresh, update: fieldsUpdate({ n: 1 }, a) }, { doc, update: fieldsUpdate({ n: 2 }, a) }] });
      expect((await c.closed).code).toBe(CloseCode.DocTooLarge);
      expect(await t.store.readDoc(fresh)).toEqual([]);
    }
    expect(await t.store.headSeq()).toBe(head);
    await servesOthers(t);
  });

  it('[S21] number blocks only from yesterday to LIMITS.maxReserveDays after today (Vietnam time); other days close 4416', async () => {
    t = await startTestServer();
    const a = await addDevice(t.store);
    const now = Date.now();
    const c = await SyncTestClient.welcomed(t, a.token);
    const edges = [vnDayKey(now - DAY), vnDayKey(now + LIMITS.maxReserveDays * DAY)];
    c.send({ type: MsgType.Reserve, reqId: 1, days: edges, size: 10 });
    expect((await c.next(MsgType.Reserved)).blocks.map((b) => b.day)).toEqual(edges);
    c.close();
    for (const day of [vnDayKey(now - 2 * DAY), vnDayKey(now + (LIMITS.maxReserveDays + 1) * DAY)]) {
      const far = await SyncTestClient.welcomed(t, a.token);
      far.send({ type: MsgType.Reserve, reqId: 2, days: [vnDayKey(now), day], size: 10 });
      expect((await far.closed).code).toBe(CloseCode.ReserveRange);
    }
    // Nothing was reserved for today by the refused requests.
    expect(await t.store.reserveBlocks(a.device.unit, [vnDayKey(now)], 1)).toEqual([{ day: vnDayKey(now), start: 1, end: 1 }]);
    await servesOthers(t);
  });

  it('[S21] a device\'s byte budget refills over a minute and is shared by all its sockets', () => {
    let now = 0;
    const bytes = new DeviceBytes(60_000, () => now);
    bytes.take('a', 50_000);
    expect(() => bytes.take('a', 20_000)).toThrow(expect.objectContaining({ closeCode: CloseCode.ByteQuota }));
    bytes.take('b', 60_000);
    now += 15_000; // a quarter of a minute: 15,000 bytes more
    bytes.take('a', 20_000);
    expect(() => bytes.take('a', 6_000)).toThrow(expect.objectContaining({ closeCode: CloseCode.ByteQuota }));
    now += 120_000;
    bytes.take('c', 1);
    // Refilled budgets are forgotten: memory follows the devices of the last minute.
    expect(bytes.tracked).toBe(1);
  });
});
