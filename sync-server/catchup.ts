/**
 * The `/sync` channel: batched catch-up (src/protocol/messages.ts). One session per authenticated
 * device socket. The rules it keeps:
 * - S2: a PushAck is sent only after appendBatch resolved, i.e. the batch is on disk.
 * - S3: a repeated batch id is answered with the stored seqs and writes nothing.
 * - S8/S9: a whole batch is checked (scope, then Yjs decoding) before anything is written; a bad frame
 *   or a doc outside the device's scope closes this socket only.
 * - S12: a device's scope is its commune's docs plus the docs granted to its commune; a Push's grants
 *   are written with its batch.
 * - S19/S20/S21: a Push's updates pass the checks of trust.ts (the device's own client ids, not the
 *   server's `st`, a grant only with its transfer event, the doc size limits) before anything is
 *   written; number blocks only for the coming days (quota.ts).
 * - S13: the events a batch inserts are stamped with server time in the batch's transaction.
 * - S18: the dossiers' records and events (the relational projection) are written in that transaction.
 * - S17: the Welcome is followed by the store's epoch; AskStates is answered with docs' states.
 */
import { withRows } from './doc-rows.ts';
import { noteDeviceError } from './device-reports.ts';
import { docStates } from './doc-states.ts';
import type { WebSocket } from 'ws';
import { assertNever } from '../src/domain/errors.ts';
import { CloseCode, LIMITS, MsgType, PROTOCOL_VERSION } from '../src/protocol/constants.ts';
import { parseDocName } from '../src/protocol/doc-names.ts';
import { decodeMessage, encodeMessage, ProtocolError, type Grant, type Message, type MessageOf } from '../src/protocol/messages.ts';
import { inScope, scopeOf } from './auth.ts';
import { serveFrames, type ChannelDeps, type FrameHandler } from './channel.ts';
import { logEvent, Refusal, type SerialQueue } from './conn.ts';
import type { Committed, CommittedItem } from './hub.ts';
import { SERVER_NUMBER_MAX, type Device } from './store/types.ts';
import { inRestoreWindow } from './epoch.ts';
import { cacheListRows } from './projection.ts';
import { preparePush } from './push-checks.ts';
import { checkReserveDays } from './quota.ts';
import { buildPullPage } from './yupdates.ts';
import { ownedWriterIds } from '../src/worker/dossier-doc.ts';
import { storeErrorEvent } from './disk-full.ts';

export class CatchupChannel {
  private readonly sessions = new Set<CatchupSession>();

  constructor(private readonly deps: ChannelDeps) {
    deps.hub.onCommit((c) => this.notify(c));
  }

  /** Serves the socket; the returned probe tells whether its session is handling frames now. */
  accept(ws: WebSocket, device: Device): () => boolean {
    const session = new CatchupSession(ws, device, this.deps);
    this.sessions.add(session);
    ws.once('close', () => this.sessions.delete(session));
    return () => session.busy;
  }

  /**
   * Tells the sessions whose scope the commit touches that there is something to pull: the units that
   * got rows include those a doc was granted to (S12). The pusher is told only when the server added
   * rows it lacks (S13).
   */
  private notify(c: Committed): void {
    for (const s of this.sessions) {
      if (s === c.origin && !c.notifyOrigin) continue;
      if (c.units.some((u) => inScope(s.device, u))) s.send({ type: MsgType.Notify, headSeq: c.headSeq });
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
  private readonly owned: ReadonlySet<number>;

  constructor(
    private readonly ws: WebSocket,
    readonly device: Device,
    private readonly deps: ChannelDeps,
  ) {
    this.owned = ownedWriterIds(device.id);
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

  /**
   * Only pages of pulled rows are compressed: ws (de)compresses every socket's frames through one
   * queue, and an ack or a Notify of a few bytes must not wait there behind megabyte pages.
   */
  send(msg: Message): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(encodeMessage(msg), { compress: msg.type === MsgType.PullBatch });
  }

  drained(): Promise<void> {
    return this.queue.drained();
  }

  get busy(): boolean {
    return this.queue.busy;
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
    // Its own message, so the Welcome keeps the layout an older app decodes to learn it is outdated.
    const { epoch, parentEpoch, forkSeq } = this.deps.epoch;
    this.send({ type: MsgType.Epoch, epoch, parentEpoch, forkSeq });
  }

  async handle(msg: Message): Promise<void> {
    switch (msg.type) {
      case MsgType.Push:
        return this.push(msg);
      case MsgType.Pull:
        return this.pull(msg);
      case MsgType.Reserve: {
        const held = msg.held ?? [];
        if (held.some((b) => b.start < 1 || b.end > SERVER_NUMBER_MAX)) throw new ProtocolError('reserve: a held block the server cannot have given');
        checkReserveDays(msg.days, Date.now());
        const blocks = await this.deps.store.reserveBlocks(this.device.unit, msg.days, msg.size, held);
        return this.send({ type: MsgType.Reserved, reqId: msg.reqId, blocks });
      }
      case MsgType.AskStates: {
        const states = await docStates(this.deps.store, this.device, msg.docs);
        return this.send({ type: MsgType.States, reqId: msg.reqId, states });
      }
      case MsgType.Ping:
        return this.send({ type: MsgType.Pong, nonce: msg.nonce });
      case MsgType.Pong:
        return; // liveness only: the frame already touched the heartbeat
      case MsgType.Error:
        // A device's report (S22: what it set aside) is kept for the admins; it never closes the link.
        return noteDeviceError(this.deps, this.device, msg.code, msg.message);
      case MsgType.Welcome:
      case MsgType.PushAck:
      case MsgType.PullBatch:
      case MsgType.Notify:
      case MsgType.Reserved:
      case MsgType.Epoch:
      case MsgType.States:
        throw new ProtocolError(`message type ${msg.type} only flows server to device`);
      default:
        return assertNever(msg, 'message');
    }
  }

  private async push(msg: MessageOf<typeof MsgType.Push>): Promise<void> {
    // Check the whole batch before writing any of it: a batch is stored entirely or not at all.
    const items: CommittedItem[] = msg.items.map((it) => ({ doc: it.doc, unit: homeOf(it.doc), update: it.update }));
    const grants = uniqueGrants(msg.grants ?? []);
    await this.checkScope([...items.map((it) => it.doc), ...grants.map((g) => g.doc)]);
    for (const g of grants) {
      if ((await this.deps.store.getUnit(g.unit)) === null) throw new ProtocolError('grant: unknown unit');
    }
    const now = Date.now();
    const writer = { owned: this.owned, restoreWindow: inRestoreWindow(this.deps.epoch, this.deps.restoreWindowMs, now) };
    const { stamps, projection } = await preparePush(this.deps, this.device, writer, items, grants, now);

    const stored = await this.deps.store.appendBatch(
      this.device.id,
      msg.batchId,
      items.map((it) => ({ doc: it.doc, unit: it.unit, data: it.update })),
      { stamps, grants, now, projection },
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
    if (stored.units.length === 0) return;
    // Before the Notify, so the pulls it starts find the list rows ready (doc-rows.ts); a cache, so
    // after the ack and never an error for the device.
    await cacheListRows(this.deps.store, projection, stored.headSeq).catch((err: unknown) =>
      logEvent(this.deps.log, storeErrorEvent(err, 'doc_rows_error'), { error: err instanceof Error ? err.message : String(err) }),
    );
    const serverItems = stored.serverRows.map((r) => ({ doc: r.doc, unit: r.unit, update: r.data }));
    this.deps.hub.publish({
      items: [...items, ...serverItems],
      headSeq: stored.headSeq,
      units: stored.units,
      origin: this,
      notifyOrigin: serverItems.length > 0,
    });
  }

  /**
   * S9/S12: every doc must be of the device's scope, or granted to its unit. A grant may name only
   * such a doc, so a unit can pass on (transfer again) a dossier it was given, never a stranger's.
   */
  private async checkScope(docs: readonly string[]): Promise<void> {
    const foreign = [...new Set(docs.filter((doc) => !inScope(this.device, homeOf(doc))))];
    if (foreign.length === 0) return;
    const granted = await this.deps.store.grantedDocs(this.device.unit, foreign);
    if (foreign.some((doc) => !granted.has(doc))) throw new Refusal(CloseCode.Forbidden, 'S9', 'doc outside scope');
  }

  private async pull(msg: MessageOf<typeof MsgType.Pull>): Promise<void> {
    const page = await this.deps.store.readSince({
      units: scopeOf(this.device),
      since: msg.since,
      limit: Math.min(msg.limit, LIMITS.maxPullRows),
      excludeDevice: this.device.id,
    });
    const { items, cursor, more } = buildPullPage(page);
    this.send({ type: MsgType.PullBatch, items: await withRows(this.deps.store, this.deps.projector, items, Date.now()), cursor, more });
  }
}

/** The home unit of a doc name the codec already checked. */
function homeOf(doc: string): string {
  const name = parseDocName(doc);
  if (name === null) throw new ProtocolError('doc: malformed name');
  return name.unit;
}

/** Grants are idempotent: the same pair twice in one batch is one grant. */
function uniqueGrants(grants: readonly Grant[]): Grant[] {
  const seen = new Set<string>();
  return grants.filter((g) => {
    const key = `${g.doc} ${g.unit}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
