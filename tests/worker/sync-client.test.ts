import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/schema.ts';
import { busyReason } from '../../src/protocol/busy.ts';
import { CloseCode, MsgType, PROTOCOL_VERSION } from '../../src/protocol/constants.ts';
import { encodeMessage } from '../../src/protocol/messages.ts';
import { LocalStore } from '../../src/worker/local-store.ts';
import type { SyncSocket } from '../../src/worker/socket.ts';
import { SyncClient, type SyncStatus } from '../../src/worker/sync-client.ts';
import { waitFor } from './support/device.ts';

const device = { deviceId: 'd1', token: 't', unit: '20209', unitName: 'Thanh Khê', ordinal: 0 };

function welcome(protocol: number): Uint8Array {
  return encodeMessage({ type: MsgType.Welcome, protocol, deviceId: 'd1', unit: '20209', headSeq: 0, serverTime: 1, lastBatchId: '', lastBatchSeqs: [] });
}

describe('SyncClient', () => {
  it('stops with reason "outdated" when the server speaks another protocol version, and does not retry', async () => {
    const sockets: SyncSocket[] = [];
    const statuses: SyncStatus[] = [];
    const client = new SyncClient({
      store: new LocalStore(openDb(`sync-client-${process.pid}-1`)),
      baseUrl: 'ws://test',
      device,
      connect: () => {
        const s: SyncSocket = { send: () => undefined, close: () => undefined, onopen: null, onmessage: null, onclose: null };
        sockets.push(s);
        return s;
      },
      onStatus: (s) => statuses.push(s),
      backoff: { baseMs: 1, maxMs: 5 },
    });
    client.start();
    await waitFor('socket', () => sockets.length === 1);
    sockets[0]?.onmessage?.(welcome(PROTOCOL_VERSION + 1));
    await waitFor('error status', () => client.getStatus().phase === 'error');
    expect(client.getStatus().reason).toBe('outdated');
    await new Promise((r) => setTimeout(r, 50));
    expect(sockets).toHaveLength(1);
    client.stop();
  });

  it('a node shedding a reconnect storm (Busy) is asked again after its hint, not after the growing backoff', async () => {
    const sockets: SyncSocket[] = [];
    const client = new SyncClient({
      store: new LocalStore(openDb(`sync-client-${process.pid}-3`)),
      baseUrl: 'ws://test',
      device,
      connect: () => {
        const s: SyncSocket = { send: () => undefined, close: () => undefined, onopen: null, onmessage: null, onclose: null };
        sockets.push(s);
        return s;
      },
      onStatus: () => undefined,
      // A backoff this long would fail the test: only the hint can bring the second socket in time.
      backoff: { baseMs: 60_000, maxMs: 60_000 },
    });
    client.start();
    await waitFor('first socket', () => sockets.length === 1);
    for (let i = 1; i <= 3; i++) {
      sockets[i - 1]?.onclose?.(CloseCode.Busy, busyReason(40));
      await waitFor(`socket ${i + 1}`, () => sockets.length === i + 1, 2_000);
    }
    expect(client.getStatus().phase).not.toBe('error');
    client.stop();
  });

  it('reconnects with backoff after the link drops, and goes online on a matching Welcome and epoch', async () => {
    const sockets: SyncSocket[] = [];
    const client = new SyncClient({
      store: new LocalStore(openDb(`sync-client-${process.pid}-2`)),
      baseUrl: 'ws://test',
      device,
      connect: () => {
        const s: SyncSocket = { send: () => undefined, close: () => undefined, onopen: null, onmessage: null, onclose: null };
        sockets.push(s);
        return s;
      },
      onStatus: () => undefined,
      backoff: { baseMs: 1, maxMs: 5 },
    });
    client.start();
    await waitFor('first socket', () => sockets.length === 1);
    sockets[0]?.onclose?.(1006, 'dropped');
    await waitFor('second socket', () => sockets.length === 2);
    // The store's epoch follows the Welcome (S17): the client goes online only with both.
    sockets[1]?.onmessage?.(welcome(PROTOCOL_VERSION));
    sockets[1]?.onmessage?.(encodeMessage({ type: MsgType.Epoch, epoch: 'e1', parentEpoch: '', forkSeq: 0 }));
    await waitFor('online', () => client.getStatus().phase === 'online');
    client.stop();
  });
});
