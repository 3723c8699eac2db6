/**
 * S22 with S3: only a refusal, by the server, of a batch's last send counts against the batch. A send
 * that ended without an answer may have been stored, so the batch keeps its id. A scripted server
 * (the SyncSocket seam) chooses how each Push ends.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/schema.ts';
import { busyReason } from '../../src/protocol/busy.ts';
import { CloseCode, LIMITS, MsgType, PROTOCOL_VERSION } from '../../src/protocol/constants.ts';
import { decodeMessage, encodeMessage, type Message } from '../../src/protocol/messages.ts';
import { LocalStore } from '../../src/worker/local-store.ts';
import { REFUSALS_BEFORE_SPLIT } from '../../src/worker/refusals.ts';
import type { SyncSocket } from '../../src/worker/socket.ts';
import { SyncClient } from '../../src/worker/sync-client.ts';
import { dossierDoc, fieldsUpdate } from '../server/helpers.ts';
import { waitFor } from './support/device.ts';

const device = { deviceId: 'd1', token: 't', unit: '20209', unitName: 'Thanh Khê', ordinal: 0 };

/** How the server ends one Push: closes with a code, or sends a frame the device cannot decode. */
type Ending = { close: number; reason?: string } | 'junk frame';

class ScriptedServer {
  readonly pushes: string[] = [];
  readonly reports: Message[] = [];
  /** The encoded size of every Push. */
  readonly pushBytes: number[] = [];
  sockets = 0;

  constructor(private readonly endings: Ending[]) {}

  connect = (): SyncSocket => {
    const s: SyncSocket = { send: (data) => this.receive(s, decodeMessage(data), data.byteLength), close: () => undefined, onopen: null, onmessage: null, onclose: null };
    this.sockets++;
    setTimeout(() => {
      s.onmessage?.(encodeMessage({ type: MsgType.Welcome, protocol: PROTOCOL_VERSION, deviceId: 'd1', unit: '20209', headSeq: 0, serverTime: 1, lastBatchId: '', lastBatchSeqs: [] }));
      s.onmessage?.(encodeMessage({ type: MsgType.Epoch, epoch: 'e1', parentEpoch: '', forkSeq: 0 }));
    }, 0);
    return s;
  };

  private receive(s: SyncSocket, m: Message, bytes: number): void {
    const answer = (reply: Message): void => void setTimeout(() => s.onmessage?.(encodeMessage(reply)), 0);
    if (m.type === MsgType.Reserve) answer({ type: MsgType.Reserved, reqId: m.reqId, blocks: [] });
    if (m.type === MsgType.Pull) answer({ type: MsgType.PullBatch, items: [], cursor: 0, more: false });
    if (m.type === MsgType.Error) this.reports.push(m);
    if (m.type !== MsgType.Push) return;
    this.pushes.push(m.batchId);
    this.pushBytes.push(bytes);
    const ending = this.endings.shift();
    setTimeout(() => {
      if (ending === undefined) s.onmessage?.(encodeMessage({ type: MsgType.PushAck, batchId: m.batchId, seqs: m.items.map((_, i) => i + 1), headSeq: m.items.length, serverTime: 1 }));
      else if (ending === 'junk frame') s.onmessage?.(new Uint8Array([0xff, 0xff]));
      else s.onclose?.(ending.close, ending.reason ?? 'scripted');
    }, 0);
  }
}

async function outboxOf(docs: number): Promise<LocalStore> {
  const store = new LocalStore(openDb(`poison-lost-${process.pid}-${Math.random()}`));
  for (let i = 0; i < docs; i++) await store.db.outbox.add({ doc: dossierDoc(), data: fieldsUpdate({ n: i }), batchId: '' });
  return store;
}

function client(store: LocalStore, server: ScriptedServer): SyncClient {
  const c = new SyncClient({ store, baseUrl: 'ws://test', device, connect: server.connect, onStatus: () => undefined, backoff: { baseMs: 1, maxMs: 5 } });
  c.start();
  return c;
}

const refused = { close: CloseCode.Forbidden };

describe('[S22][S3] a batch whose answer was lost is not split', () => {
  it('[S22][S3] lost answers (dropped link, timeout, Busy, server error, quota, a bad frame from the server) keep the batch id and reset the count; refusals in a row split it', async () => {
    const lost: Ending[] = [
      { close: 1006 },
      { close: CloseCode.Timeout },
      { close: CloseCode.Busy, reason: busyReason(1) },
      { close: CloseCode.ServerError },
      { close: CloseCode.RateLimited },
      { close: CloseCode.ByteQuota },
      // The device closes this one itself (4400, S8): not the server's refusal of the batch.
      'junk frame',
    ];
    // Two refusals, then every kind of lost answer, each after another two refusals: never three in a row.
    const endings: Ending[] = lost.flatMap((l) => [refused, refused, l]);
    const server = new ScriptedServer([...endings, ...Array.from({ length: REFUSALS_BEFORE_SPLIT }, () => refused)]);
    const store = await outboxOf(4);
    const c = client(store, server);
    await waitFor('script played', () => server.pushes.length >= endings.length + REFUSALS_BEFORE_SPLIT + 1, 10_000);
    const firstId = server.pushes[0];
    // Every send up to the last three refusals in a row went under the first id...
    expect(server.pushes.slice(0, endings.length + REFUSALS_BEFORE_SPLIT).every((id) => id === firstId)).toBe(true);
    // ...and only those split it: the next push is a part under a new id.
    expect(server.pushes[endings.length + REFUSALS_BEFORE_SPLIT]).not.toBe(firstId);
    await waitFor('outbox empty', async () => (await store.pendingCount()) === 0);
    // Nothing was refused on its own once split (the server accepts the rest): nothing set aside.
    expect(await store.db.aside.count()).toBe(0);
    expect(server.reports).toHaveLength(0);
    c.stop();
  });

  it('[S22] a part of a split batch refused once is split again, down to the row the server refuses, which is set aside and reported', async () => {
    const server = new ScriptedServer([refused, refused, refused, refused, refused]);
    const store = await outboxOf(4);
    const c = client(store, server);
    await waitFor('outbox empty', async () => (await store.pendingCount()) === 0, 10_000);
    // 3 tries of the whole batch, then one refusal per halving: [4] -> [2] -> [1], set aside.
    expect(await store.db.aside.count()).toBe(1);
    const ids = server.pushes;
    expect(new Set(ids.slice(0, 3)).size).toBe(1);
    expect(new Set(ids.slice(3)).size).toBe(ids.length - 3);
    await waitFor('reported', () => server.reports.length > 0);
    c.stop();
  });
});

describe('[S22] nothing is sent to be refused for its size', () => {
  it('[S22] a batch over LIMITS.maxMessageBytes (one doc\'s many large rows) is split before it is sent, never sent whole', async () => {
    const store = new LocalStore(openDb(`poison-size-${process.pid}`));
    const doc = dossierDoc();
    const rows = 10;
    for (let i = 0; i < rows; i++) await store.db.outbox.add({ doc, data: fieldsUpdate({ [`k${i}`]: 'x'.repeat(LIMITS.maxUpdateBytes - 1000) }), batchId: '' });
    const server = new ScriptedServer([]);
    const c = client(store, server);
    await waitFor('outbox empty', async () => (await store.pendingCount()) === 0, 10_000);
    expect(server.pushes.length).toBeGreaterThan(1);
    expect(Math.max(...server.pushBytes)).toBeLessThanOrEqual(LIMITS.maxMessageBytes);
    expect(server.pushBytes.reduce((a, b) => a + b, 0)).toBeGreaterThan(rows * (LIMITS.maxUpdateBytes - 1000));
    expect(await store.db.aside.count()).toBe(0);
    c.stop();
  });
});
