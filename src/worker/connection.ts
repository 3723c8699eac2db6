/**
 * One live connection of the catch-up channel: request/answer matching, liveness, and a single
 * `closed` promise. The sync client keeps at most one request in flight, so matching is by type
 * (and batch id for pushes).
 */
import { AppError } from '../domain/errors.ts';
import { CloseCode, HEARTBEAT, MsgType } from '../protocol/constants.ts';
import { decodeMessage, encodeMessage, ProtocolError, type Message, type MessageOf } from '../protocol/messages.ts';
import type { SyncSocket } from './socket.ts';

export class ConnectionClosed extends AppError {
  /**
   * `byPeer`: the close came from the server, not from this side (a silent peer, a bad frame it sent).
   * Only the server's own close can be a refusal of what the device sent (S22).
   */
  constructor(
    readonly closeCode: number,
    reason: string,
    readonly byPeer = false,
  ) {
    super('connection_closed', `connection closed (${closeCode}) ${reason}`);
  }
}

/**
 * Sent by the server right behind another message (the Epoch behind the Welcome): kept when it
 * arrives before it is awaited, as `ws` may hand both over in one tick.
 */
const KEPT: ReadonlySet<number> = new Set([MsgType.Epoch]);

type Waiter = {
  accept: (m: Message) => boolean;
  resolve: (m: Message) => void;
  reject: (e: Error) => void;
};

export class Connection {
  readonly closed: Promise<{ code: number; reason: string }>;
  private resolveClosed!: (v: { code: number; reason: string }) => void;
  private waiter: Waiter | null = null;
  private isClosed = false;
  private lastHeard: number;
  private timer: ReturnType<typeof setInterval> | null = null;
  private nonce = 0;
  private readonly kept = new Map<number, Message>();
  onNotify: (() => void) | null = null;

  constructor(
    private readonly sock: SyncSocket,
    private readonly now: () => number,
  ) {
    this.lastHeard = now();
    this.closed = new Promise((r) => (this.resolveClosed = r));
    sock.onmessage = (data) => this.receive(data);
    sock.onclose = (code, reason) => this.finish(code, reason, true);
  }

  /** Starts liveness checks: browsers hide WebSocket pings, so a half-open link is found by silence. */
  startHeartbeat(): void {
    this.timer = setInterval(() => {
      if (this.now() - this.lastHeard > HEARTBEAT.pingTimeoutMs) this.close(CloseCode.Timeout, 'peer silent');
      else this.send({ type: MsgType.Ping, nonce: ++this.nonce });
    }, HEARTBEAT.pingIntervalMs);
  }

  send(msg: Message): void {
    if (this.isClosed) throw new ConnectionClosed(0, 'already closed');
    this.sock.send(encodeMessage(msg));
  }

  /** Waits for the next message that `accept` takes (e.g. the Welcome). */
  expect<T extends Message['type']>(type: T, accept: (m: MessageOf<T>) => boolean = () => true): Promise<MessageOf<T>> {
    if (this.isClosed) return Promise.reject(new ConnectionClosed(0, 'already closed'));
    const early = this.kept.get(type);
    if (early !== undefined && accept(early as MessageOf<T>)) {
      this.kept.delete(type);
      return Promise.resolve(early as MessageOf<T>);
    }
    return new Promise<MessageOf<T>>((resolve, reject) => {
      this.waiter = {
        accept: (m) => m.type === type && accept(m as MessageOf<T>),
        resolve: (m) => resolve(m as MessageOf<T>),
        reject,
      };
    });
  }

  request<T extends Message['type']>(msg: Message, type: T, accept?: (m: MessageOf<T>) => boolean): Promise<MessageOf<T>> {
    // Checked first: a closed connection must give one rejection the caller awaits, not a second,
    // unobserved one from expect() while send() throws.
    if (this.isClosed) return Promise.reject(new ConnectionClosed(0, 'already closed'));
    const answer = this.expect(type, accept);
    this.send(msg);
    return answer;
  }

  /** Closes locally and settles at once: a half-open link may never deliver the close event. */
  close(code: number, reason: string): void {
    if (this.isClosed) return;
    try {
      this.sock.close(code >= 4000 || code === 1000 ? code : 1000, reason);
    } catch {
      // The socket may already be gone; the connection is over either way.
    }
    this.finish(code, reason, false);
  }

  private receive(data: Uint8Array): void {
    this.lastHeard = this.now();
    let msg: Message;
    try {
      msg = decodeMessage(data);
    } catch (e) {
      // Validated on arrival (S8): a bad frame from the server ends this connection, never the data.
      this.close(CloseCode.BadFrame, e instanceof ProtocolError ? e.message : 'bad frame');
      return;
    }
    if (msg.type === MsgType.Ping) {
      this.send({ type: MsgType.Pong, nonce: msg.nonce });
      return;
    }
    if (msg.type === MsgType.Pong) return;
    if (msg.type === MsgType.Notify) {
      this.onNotify?.();
      return;
    }
    const w = this.waiter;
    if (w !== null && w.accept(msg)) {
      this.waiter = null;
      w.resolve(msg);
      return;
    }
    if (KEPT.has(msg.type)) {
      this.kept.set(msg.type, msg);
      return;
    }
    if (msg.type === MsgType.Error) {
      this.waiter = null;
      w?.reject(new AppError('server_error', `server error ${msg.code}: ${msg.message}`));
    }
    // Anything else unexpected (a late answer after a timeout) is ignored.
  }

  private finish(code: number, reason: string, byPeer: boolean): void {
    if (this.isClosed) return;
    this.isClosed = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.sock.onmessage = null;
    this.sock.onclose = null;
    const w = this.waiter;
    this.waiter = null;
    w?.reject(new ConnectionClosed(code, reason, byPeer));
    this.resolveClosed({ code, reason });
  }
}
