/** What bad input gets: refused tokens, bad frames, oversized frames, floods, silent peers (S8). */
import { createConnection } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CloseCode, LIMITS, MsgType, PATHS } from '../../src/protocol/constants.ts';
import { newToken } from '../../sync-server/auth.ts';
import { addDevice, ADMIN_TOKEN, startTestServer, SyncTestClient, type TestServer } from './helpers.ts';

let t: TestServer | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

/** A client that stays usable proves one bad connection did not hurt the server. */
async function stillServes(server: TestServer, token: string): Promise<void> {
  const c = await SyncTestClient.open(server, token);
  await c.next(MsgType.Welcome);
  c.send({ type: MsgType.Ping, nonce: 1 });
  expect(await c.next(MsgType.Pong)).toEqual({ type: MsgType.Pong, nonce: 1 });
  c.close();
}

describe('/sync refuses', () => {
  it('a missing or forged token with 4401, a revoked device with 4402', async () => {
    t = await startTestServer();
    const a = await addDevice(t.store);
    expect((await (await SyncTestClient.open(t, null)).closed).code).toBe(CloseCode.Unauthorized);
    expect((await (await SyncTestClient.open(t, newToken())).closed).code).toBe(CloseCode.Unauthorized);
    expect((await (await SyncTestClient.open(t, 'not a token', 'header')).closed).code).toBe(CloseCode.Unauthorized);
    await t.store.revokeDevice(a.device.id, Date.now());
    expect((await (await SyncTestClient.open(t, a.token, 'protocol')).closed).code).toBe(CloseCode.Revoked);
  });

  it('revoking a connected device through the admin API closes its socket with 4402', async () => {
    t = await startTestServer();
    const a = await addDevice(t.store);
    const c = await SyncTestClient.open(t, a.token);
    await c.next(MsgType.Welcome);
    const res = await fetch(`${t.url}/api/admin/devices/${a.device.id}/revoke`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: a.device.id, closed: 1 });
    expect((await c.closed).code).toBe(CloseCode.Revoked);
  });

  it('[S8] a garbage frame closes that connection with 4400 and the server still serves another client', async () => {
    t = await startTestServer();
    const [a, b] = await Promise.all([addDevice(t.store), addDevice(t.store)]);
    for (const bad of [new Uint8Array([0xff, 0xff, 0xff]), new Uint8Array([MsgType.Ping, 5, 0]), 'text frame']) {
      const c = await SyncTestClient.open(t, a.token);
      await c.next(MsgType.Welcome);
      c.sendRaw(bad);
      expect((await c.closed).code).toBe(CloseCode.BadFrame);
    }
    await stillServes(t, b.token);
  });

  it('[S8] a message from the server’s side of the protocol is a bad frame', async () => {
    t = await startTestServer();
    const a = await addDevice(t.store);
    const c = await SyncTestClient.open(t, a.token);
    c.send({ type: MsgType.Notify, headSeq: 3 });
    expect((await c.closed).code).toBe(CloseCode.BadFrame);
  });

  it('[S8] an oversized message closes with 1009', async () => {
    t = await startTestServer();
    const a = await addDevice(t.store);
    const c = await SyncTestClient.open(t, a.token);
    await c.next(MsgType.Welcome);
    c.sendRaw(new Uint8Array(LIMITS.maxMessageBytes + 1));
    expect((await c.closed).code).toBe(CloseCode.MessageTooBig);
    await stillServes(t, a.token);
  });

  it('[S8] a frame with a reserved opcode or RSV bit does not take the server down', async () => {
    t = await startTestServer();
    const a = await addDevice(t.store);
    const c = await SyncTestClient.open(t, a.token);
    await c.next(MsgType.Welcome);
    // Write a raw, masked frame with opcode 0x3 (reserved) under the ws library.
    const socket = (c.ws as unknown as { _socket: import('node:net').Socket })._socket;
    socket.write(Buffer.from([0x83, 0x80, 1, 2, 3, 4]));
    expect((await c.closed).code).toBe(1002);
    await stillServes(t, a.token);
  });

  it('a flood of messages is cut with 4429', async () => {
    t = await startTestServer();
    const a = await addDevice(t.store);
    const c = await SyncTestClient.open(t, a.token);
    await c.next(MsgType.Welcome);
    for (let i = 0; i < LIMITS.maxMessagesPerSecond * 2; i++) c.send({ type: MsgType.Ping, nonce: i });
    expect((await c.closed).code).toBe(CloseCode.RateLimited);
  });

  it('pings devices, and closes a peer that stopped answering with 4408', async () => {
    t = await startTestServer({ heartbeat: { pingIntervalMs: 40, pingTimeoutMs: 100 } });
    const a = await addDevice(t.store);
    const ws = new WebSocket(`${t.wsUrl}${PATHS.sync}`, { headers: { authorization: `Bearer ${a.token}` }, autoPong: false });
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    let appPings = 0;
    ws.on('message', (data: Buffer) => {
      if (data[0] === MsgType.Ping) appPings++;
    });
    expect(await closed).toBe(CloseCode.Timeout);
    expect(appPings).toBeGreaterThan(0);
  });

  it('answers an upgrade to an unknown path with 404', async () => {
    t = await startTestServer();
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${t?.wsUrl ?? ''}/elsewhere`);
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => undefined);
    });
    expect(status).toBe(404);
  });

  it('survives a client that drops mid-handshake', async () => {
    t = await startTestServer();
    const a = await addDevice(t.store);
    const { port } = new URL(t.url);
    await new Promise<void>((resolve) => {
      const s = createConnection(Number(port), '127.0.0.1', () => {
        s.write(`GET ${PATHS.sync} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n`);
        s.destroy();
        resolve();
      });
    });
    await stillServes(t, a.token);
  });
});
