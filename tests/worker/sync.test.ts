import { afterEach, describe, expect, it } from 'vitest';
import { reserveWindow } from '../../src/domain/dossier-code.ts';
import { LIMITS, MsgType } from '../../src/protocol/constants.ts';
import { addDevice, OTHER_UNIT, startTestServer, UNIT, type TestServer } from '../server/helpers.ts';
import { NodeDevice, waitFor } from './support/device.ts';

let server: TestServer | null = null;
const devices: NodeDevice[] = [];

afterEach(async () => {
  for (const d of devices.splice(0)) d.stop();
  await server?.close();
  server = null;
});

async function setup(): Promise<TestServer> {
  server = await startTestServer();
  return server;
}

async function device(s: TestServer, unit = UNIT): Promise<NodeDevice> {
  const d = new NodeDevice(await addDevice(s.store, unit), s.wsUrl);
  devices.push(d);
  return d;
}

describe('sync client against a real server', () => {
  it('[S7] catch-up of 50 offline dossiers costs a few round trips, and a second device of the commune gets all of them', async () => {
    const s = await setup();
    const a = await device(s);
    for (let i = 0; i < 50; i++) await a.intake(`Nguyễn Văn ${i}`);
    expect(await a.store.pendingCount()).toBe(50);
    a.start({ batchItems: 20 });
    await waitFor('A pending 0', async () => (await a.store.pendingCount()) === 0);
    expect(a.sentOfType(MsgType.Push)).toHaveLength(3);
    expect((await s.store.docStats(UNIT, 1000)).length).toBe(50);

    const b = await device(s);
    b.start({ pullLimit: 20 });
    await waitFor('B has 50', async () => (await b.store.db.dossiers.count()) === 50);
    // 50 updates plus 50 server time stamps (S13) in pages of 20: 5 pulls, plus one when a Notify
    // asks again at most.
    const rows = (await s.store.stats()).rows;
    expect(rows).toBe(100);
    expect(b.sentOfType(MsgType.Pull).length).toBeLessThanOrEqual(Math.ceil(rows / 20) + 1);
    const codes = new Set((await b.store.db.dossiers.toArray()).map((r) => r.code));
    expect(codes.size).toBe(50);

    const c = await device(s, OTHER_UNIT);
    c.start();
    await waitFor('C online', () => c.status?.phase === 'online');
    await waitFor('C pulled', () => c.sentOfType(MsgType.Pull).length > 0 && c.wire.received.some((m) => m.type === MsgType.PullBatch));
    expect(await c.store.db.dossiers.count()).toBe(0);
  });

  it('[S21] a device whose clock is days behind asks number blocks only for days the server accepts, and is never cut off for it', async () => {
    const s = await setup();
    const a = await device(s);
    const behind = 5 * 86_400_000;
    const now = (): number => Date.now() - behind;
    for (let i = 0; i < 3; i++) await a.intake(`Trần Văn ${i}`, now());
    a.start({ now });
    await waitFor('A pending 0', async () => (await a.store.pendingCount()) === 0);
    const { first, last } = reserveWindow(Date.now(), LIMITS.maxReserveDays);
    const asked = a.sentOfType(MsgType.Reserve).flatMap((m) => (m.type === MsgType.Reserve ? m.days : []));
    expect(asked.length).toBeGreaterThan(0);
    expect(asked.every((d) => d >= first && d <= last)).toBe(true);
    expect(a.wire.received.some((m) => m.type === MsgType.Reserved)).toBe(true);
    expect(a.status?.phase).toBe('online');
  });

  it('[S1][S6] a batch whose answer was lost is confirmed by the next Welcome, not sent again', async () => {
    const s = await setup();
    const a = await device(s);
    for (let i = 0; i < 5; i++) await a.intake(`Lê Thị ${i}`);
    let dropped = false;
    // The server stores the batch, then the link drops before its answer arrives.
    a.wire.filter = (m) => {
      if (m.type === MsgType.PushAck && !dropped) {
        dropped = true;
        return false;
      }
      return true;
    };
    a.start();
    await waitFor('dropped once', () => dropped);
    await waitFor('A pending 0', async () => (await a.store.pendingCount()) === 0);
    const pushes = a.sentOfType(MsgType.Push);
    expect(pushes).toHaveLength(1);
    expect(a.wire.received.filter((m) => m.type === MsgType.Welcome).length).toBeGreaterThanOrEqual(2);
    // Each update stored once (plus its one server time stamp), though the batch went out twice.
    const docs = await s.store.docStats(UNIT, 100);
    expect(docs).toHaveLength(5);
    expect(docs.every((d) => d.rows === 2)).toBe(true);
  });

  it('[S1] nothing leaves the outbox while the server is down, and everything arrives when it is back', async () => {
    const s = await setup();
    const a = await device(s);
    await s.close();
    a.start();
    for (let i = 0; i < 3; i++) await a.intake(`Phạm Văn ${i}`);
    await waitFor('A offline', () => a.status?.phase === 'offline');
    expect(await a.store.pendingCount()).toBe(3);
    // Same store, new server on another port: the device keeps retrying its own URL, so point it there.
    const again = await startTestServer({ store: s.store });
    server = again;
    a.stop();
    const registered = await s.store.getDevice(a.info.deviceId);
    if (registered === null) throw new Error('device lost');
    const a2 = new NodeDevice({ device: registered, token: a.info.token }, again.wsUrl, a.store);
    devices.push(a2);
    a2.start();
    await waitFor('A pending 0', async () => (await a2.store.pendingCount()) === 0);
    expect((await again.store.docStats(UNIT, 100)).length).toBe(3);
  });

  it('[S3] the same dossier pulled twice changes nothing', async () => {
    const s = await setup();
    const a = await device(s);
    await a.intake('Hoàng Văn Em');
    a.start();
    await waitFor('A pending 0', async () => (await a.store.pendingCount()) === 0);
    const b = await device(s);
    b.start();
    await waitFor('B has 1', async () => (await b.store.db.dossiers.count()) === 1);
    const before = await b.store.db.dossiers.toArray();
    const page = b.wire.received.find((m) => m.type === MsgType.PullBatch);
    if (page?.type !== MsgType.PullBatch) throw new Error('no page');
    await b.store.applyRemote(page.items, page.cursor, before[0]?.updatedAt ?? 0);
    const after = await b.store.db.dossiers.toArray();
    expect(after).toEqual(before);
  });
});
