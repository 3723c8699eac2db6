/** Admission of catch-up sessions in a reconnect storm (admission.ts, CloseCode.Busy). */
import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { busyReason, retryHint } from '../../src/protocol/busy.ts';
import { CloseCode, MsgType } from '../../src/protocol/constants.ts';
import { Admission } from '../../sync-server/admission.ts';
import { addDevice, startTestServer, SyncTestClient, type TestServer } from './helpers.ts';

const fakeSocket = (): WebSocket & EventEmitter => new EventEmitter() as unknown as WebSocket & EventEmitter;

let t: TestServer | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

describe('admission of catch-up sessions', () => {
  it('serves at most maxActive busy sessions; a quiet or closed one frees its place', () => {
    let now = 0;
    const a = new Admission({ maxActive: 2, idleMs: 1_000 }, () => now);
    const [s1, s2, s3] = [fakeSocket(), fakeSocket(), fakeSocket()];
    expect(a.admit(s1)).toBe(true);
    expect(a.admit(s2)).toBe(true);
    expect(a.admit(s3)).toBe(false);
    expect(a.refused).toBe(1);
    // s1 keeps talking, s2 falls quiet: after the idle window s2 no longer counts.
    now = 900;
    s1.emit('message');
    now = 1_500;
    expect(a.busy()).toBe(1);
    expect(a.admit(s3)).toBe(true);
    expect(a.admit(fakeSocket())).toBe(false);
    s1.emit('close');
    expect(a.admit(fakeSocket())).toBe(true);
  });

  it('a session handling frames counts as busy however long it takes; a quiet one does not', () => {
    let now = 0;
    const a = new Admission({ maxActive: 1, idleMs: 100 }, () => now);
    const s1 = fakeSocket();
    let working = true;
    expect(a.admit(s1)).toBe(true);
    a.track(s1, () => working);
    now = 10_000;
    expect(a.busy()).toBe(1);
    expect(a.admit(fakeSocket())).toBe(false);
    working = false;
    expect(a.busy()).toBe(0);
    expect(a.admit(fakeSocket())).toBe(true);
  });

  it('the retry hint grows with the crowd and is spread by jitter', () => {
    const a = new Admission({ maxActive: 2 }, () => 0);
    const low = a.retryAfterMs(() => 0);
    for (let i = 0; i < 50; i++) a.admit(fakeSocket());
    expect(a.retryAfterMs(() => 0)).toBeGreaterThanOrEqual(low);
    expect(a.retryAfterMs(() => 0.999)).toBeGreaterThan(a.retryAfterMs(() => 0));
    expect(retryHint(busyReason(1234))).toBe(1234);
    expect(retryHint('server error')).toBeNull();
  });

  it('a device arriving while the node is full is closed with Busy and a hint before its Welcome, and gets in once a place is free', async () => {
    t = await startTestServer({ maxBusySessions: 1 });
    const a = await addDevice(t.store);
    const b = await addDevice(t.store);
    const first = await SyncTestClient.welcomed(t, a.token);
    // The first device keeps talking, so it stays busy however slow this machine is.
    let nonce = 0;
    const talking = setInterval(() => first.send({ type: MsgType.Ping, nonce: ++nonce }), 20);
    const refused = await SyncTestClient.open(t, b.token);
    const closed = await refused.closed;
    clearInterval(talking);
    expect(closed.code).toBe(CloseCode.Busy);
    expect(retryHint(closed.reason)).toBeGreaterThan(0);
    expect(refused.unread(MsgType.Welcome)).toEqual([]);
    first.close();
    await first.closed;
    const second = await SyncTestClient.welcomed(t, b.token);
    second.close();
  });
});
