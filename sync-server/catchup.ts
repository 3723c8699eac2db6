/**
 * The `/sync` channel: batched catch-up (src/protocol/messages.ts). One session per authenticated
 * device socket. The rules it keeps:
 * - S2: a PushAck is sent only after appendBatch resolved, i.e. the batch is on disk.
 * - S3: a repeated batch id is answered with the stored seqs and writes nothing.
 * - S8/S9: a whole batch is checked (scope, then Yjs decoding) before anything is written; a bad frame
 *   or a doc outside the device's scope closes this socket only.
 */
import type { WebSocket } from 'ws';
import { assertNever } from '../src/domain/errors.ts';
import { CloseCode, LIMITS, MsgType, PROTOCOL_VERSION } from '../src/protocol/constants.ts';
import { parseDocName } from '../src/protocol/doc-names.ts';
import { decodeMessage, encodeMessage, ProtocolError, type Message, type MessageOf } from '../src/protocol/messages.ts';
import { inScope, scopeOf } from './auth.ts';
import { serveFrames, type ChannelDeps, type FrameHandler } from './channel.ts';
import { CloseRequest, logEvent, type SerialQueue } from './conn.ts';
import type { Committed, CommittedItem } from './hub.ts';
import type { Device } from './store/types.ts';
import { buildPullPage, checkYjsUpdate } from './yupdates.ts';

export class CatchupChannel {
  private readonly sessions = new Set<CatchupSession>();

  constructor(private readonly deps: ChannelDeps) {
    deps.hub.onCommit((c) => this.notify(c));
  }

  accept(ws: WebSocket, device: Device): void {
    const session = new CatchupSession(ws, device, this.deps);
    this.sessions.add(session);
    ws.once('close', () => this.sessions.delete(session));
  }

  /** Tells the other sessions whose scope the commit touches that there is something to pull. */
  private notify(c: Committed): void {
    const units = new Set(c.items.map((it) => it.unit));
    for (const s of this.sessions) {
      if (s === c.origin) continue;
      if ([...units].some((u) => inScope(s.device, u))) s.send({ type: MsgType.Notify, headSeq: c.headSeq });
    }
  }

  /** Resolves when every session has finished what it was handling (used on shutdown). */
  async drained(): Promise<void> {
    await Promise.all([...this.sessions].map((s) => s.drained()));
  }
}

class CatchupSession implements FrameHandler<Message> {
  readonly channel = 'sync';
  private readonly queue: SerialQueue;
  private nonce = 0;

  constructor(
    private readonly ws: WebSocket,
    readonly device: Device,
    private readonly deps: ChannelDeps,
  ) {
    this.queue = serveFrames(ws, deps, this);
    ws.once('close', (code) => logEvent(deps.log, 'sync_close', { device: device.id, code }));
    logEvent(deps.log, 'sync_open', { device: device.id, unit: device.unit });
    this.queue.push(() => this.welcome());
  }

  parse(bytes: Uint8Array): Message {
    return decodeMessage(bytes);
  }

  appPing(): void {
    this.send({ type: MsgType.Ping, nonce: ++this.nonce });
  }

  send(msg: Message): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(encodeMessage(msg));
  }

  drained(): Promise<void> {
    return this.queue.drained();
  }

  private async welcome(): Promise<void> {
    const [headSeq, last] = await Promise.all([this.deps.store.headSeq(), this.deps.store.lastBatch(this.device.id)]);
    this.send({
      type: MsgType.Welcome,
      protocol: PROTOCOL_VERSION,
      deviceId: this.device.id,
      unit: this.device.unit,
      headSeq,
      serverTime: Date.now(),
      lastBatchId: last?.batchId ?? '',
      lastBatchSeqs: last?.seqs ?? [],
    });
  }

  async handle(msg: Message): Promise<void> {
    switch (msg.type) {
      case MsgType.Push:
        return this.push(msg);
      case MsgType.Pull:
        return this.pull(msg);
      case MsgType.Reserve: {
        const blocks = await this.deps.store.reserveBlocks(this.device.unit, msg.days, msg.size);
        return this.send({ type: MsgType.Reserved, reqId: msg.reqId, blocks });
      }
      case MsgType.Ping:
        return this.send({ type: MsgType.Pong, nonce: msg.nonce });
      case MsgType.Pong:
        return; // liveness only: the frame already touched the heartbeat
      case MsgType.Error:
        logEvent(this.deps.log, 'device_error', { device: this.device.id, code: msg.code });
        return;
      case MsgType.Welcome:
      case MsgType.PushAck:
      case MsgType.PullBatch:
      case MsgType.Notify:
      case MsgType.Reserved:
        throw new ProtocolError(`message type ${msg.type} only flows server to device`);
      default:
        return assertNever(msg, 'message');
    }
  }

  private async push(msg: MessageOf<typeof MsgType.Push>): Promise<void> {
    // Check the whole batch before writing any of it: a batch is stored entirely or not at all.
    const items: CommittedItem[] = msg.items.map((it) => {
      const name = parseDocName(it.doc);
      if (name === null) throw new ProtocolError('doc: malformed name');
      if (!inScope(this.device, name.unit)) throw new CloseRequest(CloseCode.Forbidden, 'doc outside scope');
      return { doc: it.doc, unit: name.unit, update: it.update };
    });
    for (const it of items) checkYjsUpdate(it.update);

    const stored = await this.deps.store.appendBatch(
      this.device.id,
      msg.batchId,
      items.map((it) => ({ doc: it.doc, unit: it.unit, data: it.update })),
    );
    // Only now, with the batch durable, may the device drop it from its outbox (S1, S2).
    this.send({ type: MsgType.PushAck, batchId: msg.batchId, seqs: stored.seqs, headSeq: stored.headSeq, serverTime: Date.now() });
    logEvent(this.deps.log, 'push_ack', {
      device: this.device.id,
      batchId: msg.batchId,
      first: stored.seqs[0] ?? 0,
      last: stored.seqs[stored.seqs.length - 1] ?? 0,
      count: stored.seqs.length,
      duplicate: stored.duplicate,
    });
    if (!stored.duplicate && items.length > 0) this.deps.hub.publish({ items, headSeq: stored.headSeq, origin: this });
  }

  private async pull(msg: MessageOf<typeof MsgType.Pull>): Promise<void> {
    const page = await this.deps.store.readSince({
      units: scopeOf(this.device),
      since: msg.since,
      limit: Math.min(msg.limit, LIMITS.maxPullRows),
      excludeDevice: this.device.id,
    });
    const { items, cursor, more } = buildPullPage(page);
    this.send({ type: MsgType.PullBatch, items, cursor, more });
  }
}
