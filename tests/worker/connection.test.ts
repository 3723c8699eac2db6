import { describe, expect, it } from 'vitest';
import { CloseCode, MsgType } from '../../src/protocol/constants.ts';
import { encodeMessage } from '../../src/protocol/messages.ts';
import { Connection, ConnectionClosed } from '../../src/worker/connection.ts';
import type { SyncSocket } from '../../src/worker/socket.ts';

/** An in-memory socket: what the client sends is recorded, what the "server" says is delivered by hand. */
function fakeSocket(): SyncSocket & { sent: Uint8Array[]; closedWith: number | null } {
  const s = {
    sent: [] as Uint8Array[],
    closedWith: null as number | null,
    send(data: Uint8Array) {
      if (s.closedWith !== null) throw new Error('socket closed');
      s.sent.push(data);
    },
    close(code?: number) {
      s.closedWith = code ?? 1000;
    },
    onopen: null,
    onmessage: null as ((d: Uint8Array) => void) | null,
    onclose: null as ((code: number, reason: string) => void) | null,
  };
  return s;
}

describe('Connection', () => {
  it('[S8] a bad frame from the server closes the connection with BadFrame and rejects the waiting request', async () => {
    const sock = fakeSocket();
    const conn = new Connection(sock, Date.now);
    const pending = conn.request({ type: MsgType.Pull, since: 0, limit: 10 }, MsgType.PullBatch);
    sock.onmessage?.(new Uint8Array([5, 0xff, 0xff]));
    await expect(pending).rejects.toBeInstanceOf(ConnectionClosed);
    expect(sock.closedWith).toBe(CloseCode.BadFrame);
    expect((await conn.closed).code).toBe(CloseCode.BadFrame);
  });

  it('matches a push answer by batch id and answers pings', async () => {
    const sock = fakeSocket();
    const conn = new Connection(sock, Date.now);
    const pending = conn.request({ type: MsgType.Push, batchId: 'b2', items: [] }, MsgType.PushAck, (a) => a.batchId === 'b2');
    sock.onmessage?.(encodeMessage({ type: MsgType.Ping, nonce: 7 }));
    sock.onmessage?.(encodeMessage({ type: MsgType.PushAck, batchId: 'b2', seqs: [4], headSeq: 4, serverTime: 1 }));
    expect((await pending).seqs).toEqual([4]);
    expect(sock.sent).toHaveLength(2);
    expect(sock.sent[1]).toEqual(encodeMessage({ type: MsgType.Pong, nonce: 7 }));
  });

  it('a request on a closed connection rejects once, and nothing is sent', async () => {
    const sock = fakeSocket();
    const conn = new Connection(sock, Date.now);
    sock.onclose?.(1006, 'gone');
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown): void => void unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    await expect(conn.request({ type: MsgType.Pull, since: 0, limit: 1 }, MsgType.PullBatch)).rejects.toBeInstanceOf(ConnectionClosed);
    await new Promise((r) => setTimeout(r, 10));
    process.off('unhandledRejection', onUnhandled);
    expect(unhandled).toEqual([]);
    expect(sock.sent).toHaveLength(0);
  });
});
