/**
 * A device on loopback speaking the real /sync protocol (src/protocol/messages.ts), paced as the app's
 * SyncClient is: on connect a Reserve of number blocks, then its outbox pushed one batch at a time
 * (the next batch leaves only after the PushAck of the previous one, S1), then pulls of its scope in
 * pages until `more` is false, and again whenever a Notify came meanwhile. It answers pings, and on a
 * dropped link reconnects and resumes after the last confirmed batch (the Welcome names it, S6); a
 * node that refuses it with Busy in a reconnect storm is asked again after the hint it gave.
 * What a real device does with the data (IndexedDB, decoding) is left out: this measures the server.
 */
import WebSocket from 'ws';
import { addDaysKey, vnDayKey } from '../../src/domain/time.ts';
import { CloseCode, LIMITS, MsgType, PATHS, PROTOCOL_VERSION } from '../../src/protocol/constants.ts';
import { retryHint } from '../../src/protocol/busy.ts';
import { decodeMessage, encodeMessage, type Message, type MessageOf } from '../../src/protocol/messages.ts';
import type { DeviceBacklog } from './backlog.ts';

/** What the run learns from one device; times are ms since the outage ended (`t0`). */
export interface DeviceFigures {
  /** Push sent to its PushAck received, one per batch. */
  readonly ackMs: number[];
  /** When its last batch was confirmed. */
  confirmedAt: number | null;
  /** When it had pulled every doc of its scope. */
  convergedAt: number | null;
  pulls: number;
  pulledItems: number;
  reconnects: number;
  /** Why the links dropped: close code (and reason) → count. */
  readonly dropped: Map<string, number>;
  /** Connections a node refused with Busy before their Welcome. */
  busyRefusals: number;
  /** Batches whose ack did not carry one seq per item (the server lost or invented rows). */
  badAcks: number;
}

interface Waiter {
  readonly accept: (m: Message) => boolean;
  readonly resolve: (m: Message) => void;
  readonly reject: (e: Error) => void;
}

/** A refusal no reconnect can cure (another protocol version): the run stops with it. */
class Fatal extends Error {}

/** The link closed; Busy (a node shedding a reconnect storm) names when to come back in `reason`. */
class Closed extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
  ) {
    super(`closed ${code} ${reason}`);
  }
}

const BLOCK_SIZE = 100;
const RECONNECT_MS = 500;

export class BenchDevice {
  readonly figures: DeviceFigures = { ackMs: [], confirmedAt: null, convergedAt: null, pulls: 0, pulledItems: 0, reconnects: 0, dropped: new Map(), busyRefusals: 0, badAcks: 0 };
  /** Docs of its scope it has pulled at least one row of. */
  private readonly seen = new Set<string>();
  private ws: WebSocket | null = null;
  private waiter: Waiter | null = null;
  private wake: (() => void) | null = null;
  private needPull = true;
  private cursor = 0;
  private next = 0;
  private stopped = false;
  private t0 = 0;

  constructor(
    /** Its batches, written under its enrolled deviceId's writer id (S19). */
    readonly backlog: DeviceBacklog,
    private readonly token: string,
    private readonly wsUrl: string,
    /** Docs in its scope once everyone pushed: its commune's and those granted to it. */
    private readonly expectedDocs: number,
  ) {}

  /** Runs until stop(); resolves when the device has given up the link. */
  async run(t0: number): Promise<void> {
    this.t0 = t0;
    while (!this.stopped) {
      try {
        await this.session();
      } catch (e) {
        if (this.stopped) return;
        if (e instanceof Fatal) throw e;
        const hint = e instanceof Closed && e.code === CloseCode.Busy ? retryHint(e.reason) : null;
        if (hint !== null) {
          // Not a failure of the link: come back when the node said, spread as SyncClient.retryDelay does.
          this.figures.busyRefusals++;
          await new Promise((r) => setTimeout(r, Math.max(100, Math.floor(hint * (0.75 + 0.5 * Math.random())))));
          continue;
        }
        this.figures.reconnects++;
        const why = e instanceof Closed ? `${e.code}${e.reason === '' ? '' : ` ${e.reason}`}` : String(e);
        this.figures.dropped.set(why, (this.figures.dropped.get(why) ?? 0) + 1);
        if (this.figures.reconnects > 20) throw new Error(`device ${this.backlog.unit}-${this.backlog.index}: gave up after 20 reconnects: ${String(e)}`);
        await new Promise((r) => setTimeout(r, RECONNECT_MS));
      }
    }
  }

  stop(): void {
    this.stopped = true;
    this.ws?.close(1000, 'bench over');
    this.wake?.();
  }

  private since(): number {
    return performance.now() - this.t0;
  }

  private async session(): Promise<void> {
    const ws = new WebSocket(`${this.wsUrl}${PATHS.sync}`, { headers: { authorization: `Bearer ${this.token}` } });
    this.ws = ws;
    const closed = new Promise<never>((_, reject) => {
      ws.on('close', (code, reason) => {
        const err = new Closed(code, reason.toString());
        this.waiter?.reject(err);
        this.waiter = null;
        this.wake?.();
        reject(err);
      });
    });
    closed.catch(() => undefined);
    ws.on('error', () => undefined);
    ws.on('message', (data: Buffer) => this.receive(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)));
    const welcome = await Promise.race([this.expect(MsgType.Welcome), closed]);
    if (welcome.protocol !== PROTOCOL_VERSION) {
      throw new Fatal(`the server speaks protocol ${welcome.protocol}, this bench ${PROTOCOL_VERSION}: restart it on one version of src/protocol`);
    }
    // A batch stored just before a drop is confirmed by the Welcome, not sent again (S6).
    const done = this.backlog.batches.findIndex((b) => b.batchId === welcome.lastBatchId);
    if (done >= this.next) this.next = done + 1;
    const today = vnDayKey(Date.now());
    const reqId = this.backlog.index + 1;
    await Promise.race([this.request({ type: MsgType.Reserve, reqId, days: [today, addDaysKey(today, 7)], size: BLOCK_SIZE }, MsgType.Reserved), closed]);
    await Promise.race([this.pump(ws), closed]);
  }

  /** Runs while `ws` is the device's link: a pump of a dropped link stops at its next step. */
  private async pump(ws: WebSocket): Promise<void> {
    while (this.ws === ws) {
      const batch = this.backlog.batches[this.next];
      if (batch !== undefined) {
        const sent = performance.now();
        this.send(batch.frame);
        const ack = await this.expect(MsgType.PushAck, (a) => a.batchId === batch.batchId);
        this.figures.ackMs.push(performance.now() - sent);
        if (ack.seqs.length !== batch.items) this.figures.badAcks++;
        this.next++;
        if (this.next === this.backlog.batches.length) this.figures.confirmedAt = this.since();
        continue;
      }
      if (this.needPull) {
        this.needPull = false;
        await this.pullAll();
        continue;
      }
      if (this.stopped) return;
      await new Promise<void>((r) => (this.wake = r));
      this.wake = null;
      if (this.stopped) return;
    }
  }

  private async pullAll(): Promise<void> {
    for (;;) {
      const page = await this.request({ type: MsgType.Pull, since: this.cursor, limit: LIMITS.maxPullRows }, MsgType.PullBatch);
      this.figures.pulls++;
      this.figures.pulledItems += page.items.length;
      for (const it of page.items) this.seen.add(it.doc);
      this.cursor = page.cursor;
      if (this.figures.convergedAt === null && this.seen.size >= this.expectedDocs) this.figures.convergedAt = this.since();
      if (!page.more) return;
    }
  }

  private receive(frame: Uint8Array): void {
    let msg: Message;
    try {
      msg = decodeMessage(frame);
    } catch (e) {
      // Validated on arrival (S8): a bad frame ends the link, which the device then opens again.
      this.ws?.close(CloseCode.BadFrame, e instanceof Error ? e.message.slice(0, 100) : 'bad frame');
      return;
    }
    if (msg.type === MsgType.Ping) return this.send(encodeMessage({ type: MsgType.Pong, nonce: msg.nonce }));
    if (msg.type === MsgType.Notify) {
      this.needPull = true;
      this.wake?.();
      return;
    }
    const w = this.waiter;
    if (w !== null && w.accept(msg)) {
      this.waiter = null;
      w.resolve(msg);
    }
  }

  private send(frame: Uint8Array): void {
    this.ws?.send(frame);
  }

  private expect<T extends MsgType>(type: T, accept: (m: MessageOf<T>) => boolean = () => true): Promise<MessageOf<T>> {
    return new Promise((resolve, reject) => {
      this.waiter = {
        accept: (m) => m.type === type && accept(m as MessageOf<T>),
        resolve: (m) => resolve(m as MessageOf<T>),
        reject,
      };
    });
  }

  private request<T extends MsgType>(msg: Message, type: T): Promise<MessageOf<T>> {
    const answer = this.expect(type);
    this.send(encodeMessage(msg));
    return answer;
  }
}
