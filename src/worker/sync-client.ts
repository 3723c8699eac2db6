/**
 * The device's sync loop (decision 5): connect, push the outbox in batches, pull the scope since the
 * cursor in pages, keep number blocks topped up, then wait for new local work or a server Notify.
 * Reconnects by itself with exponential backoff and full jitter. Catch-up of N docs costs about
 * N / batch size round trips. See docs/sync-rules.md for the rules (S1-S8, S17) this file keeps.
 */
import { daysNeedingBlocks, heldSpans, pruneBlocks, reserveWindow } from '../domain/dossier-code.ts';
import { vnDayKey } from '../domain/time.ts';
import {
  CloseCode,
  FATAL_CLOSE_CODES,
  LIMITS,
  MsgType,
  PATHS,
  PROTOCOL_VERSION,
  SUBPROTOCOL,
  TOKEN_PROTOCOL_PREFIX,
} from '../protocol/constants.ts';
import type { MessageOf } from '../protocol/messages.ts';
import { retryHint } from '../protocol/busy.ts';
import { Connection, ConnectionClosed } from './connection.ts';
import { META, type DeviceInfo, type LocalStore } from './local-store.ts';
import { noteEpoch, Reconciler } from './reconcile.ts';
import type { SocketFactory } from './socket.ts';
import { Pusher } from './push.ts';
import { asideStatus } from './refusals.ts';
import { acceptablePullItem } from './wire-items.ts';

export type SyncPhase = 'connecting' | 'online' | 'offline' | 'error';

export interface SyncStatus {
  phase: SyncPhase;
  /** Local changes not yet confirmed by the data center, and not set aside. */
  pending: number;
  /** Local changes the data center refused, set aside (S22): kept on the device, not sent again. */
  setAside: number;
  /** The close codes they were refused with (CloseCode.MessageTooBig: too large to send), ascending. */
  setAsideCodes: number[];
  lastSyncAt: number | null;
  /** For 'error': why the device stopped trying (revoked, unauthorized, outdated: reload the app). */
  reason: string | null;
}

export interface SyncOptions {
  store: LocalStore;
  /** Base URL of the sync server, e.g. ws://host:8080 */
  baseUrl: string;
  device: DeviceInfo;
  connect: SocketFactory;
  onStatus: (s: SyncStatus) => void;
  now?: () => number;
  random?: () => number;
  newBatchId?: () => string;
  batchItems?: number;
  batchBytes?: number;
  pullLimit?: number;
  /** Docs per AskStates of a reconcile (S17); LIMITS.maxStateDocs by default. */
  statesDocs?: number;
  backoff?: { baseMs: number; maxMs: number };
}

const BLOCK_DAYS_AHEAD = 7;
const BLOCK_MIN_FREE = 20;
const BLOCK_SIZE = 100;
const WELCOME_TIMEOUT_MS = 15_000;

export class SyncClient {
  private conn: Connection | null = null;
  private stopped = false;
  private attempt = 0;
  private wake: (() => void) | null = null;
  private dirty = true;
  private needPull = true;
  private outdated = false;
  private status: SyncStatus = { phase: 'connecting', pending: 0, setAside: 0, setAsideCodes: [], lastSyncAt: null, reason: null };
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly reconciler: Reconciler;
  private readonly pusher: Pusher;

  constructor(private readonly o: SyncOptions) {
    this.now = o.now ?? Date.now;
    this.random = o.random ?? Math.random;
    this.reconciler = new Reconciler(o.store, this.random, o.statesDocs);
    this.pusher = new Pusher(o.store, {
      batchItems: o.batchItems ?? 200,
      batchBytes: o.batchBytes ?? 512 * 1024,
      newBatchId: o.newBatchId ?? (() => crypto.randomUUID()),
      now: this.now,
    });
  }

  start(): void {
    void this.run();
  }

  stop(): void {
    this.stopped = true;
    this.conn?.close(CloseCode.Normal, 'stopped');
    this.wake?.();
  }

  /** New local work (an intake committed, maybe in another tab): push without waiting. */
  kick(): void {
    this.dirty = true;
    this.wake?.();
  }

  /** Try now instead of waiting out the backoff (the browser says it is online again). */
  retryNow(): void {
    this.attempt = 0;
    this.wake?.();
  }

  getStatus(): SyncStatus {
    return this.status;
  }

  private async emit(patch: Partial<SyncStatus>): Promise<void> {
    const [pending, aside] = await Promise.all([this.o.store.pendingCount(), asideStatus(this.o.store.db)]);
    this.status = { ...this.status, ...patch, pending, ...aside };
    this.o.onStatus(this.status);
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      await this.emit({ phase: 'connecting' });
      const closed = await this.session();
      if (this.stopped) break;
      if (this.outdated) {
        await this.emit({ phase: 'error', reason: 'outdated' });
        return;
      }
      if (FATAL_CLOSE_CODES.has(closed.code)) {
        await this.emit({ phase: 'error', reason: closed.code === CloseCode.Revoked ? 'revoked' : 'unauthorized' });
        return;
      }
      await this.emit({ phase: 'offline' });
      await this.sleep(this.retryDelay(closed));
    }
  }

  /**
   * A node shedding a reconnect storm (Busy) says when to come back: that, spread by jitter, and not
   * counted as a failure. Any other close waits out the growing backoff.
   */
  private retryDelay(closed: { code: number; reason: string }): number {
    const hint = closed.code === CloseCode.Busy ? retryHint(closed.reason) : null;
    if (hint === null) return this.backoffDelay();
    return Math.max(100, Math.floor(hint * (0.75 + 0.5 * this.random())));
  }

  /** Full jitter (AWS architecture blog): spreads a city's devices reconnecting after an outage. */
  private backoffDelay(): number {
    const { baseMs, maxMs } = this.o.backoff ?? { baseMs: 500, maxMs: 20_000 };
    const cap = Math.min(maxMs, baseMs * 2 ** Math.min(this.attempt, 16));
    this.attempt++;
    return Math.max(100, Math.floor(this.random() * cap));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done(): void {
        clearTimeout(t);
        resolve();
      }
      this.wake = () => {
        this.wake = null;
        done();
      };
    });
  }

  private async session(): Promise<{ code: number; reason: string }> {
    const { device } = this.o;
    const url = `${this.o.baseUrl}${PATHS.sync}`;
    let sock;
    try {
      sock = this.o.connect(url, [SUBPROTOCOL, TOKEN_PROTOCOL_PREFIX + device.token]);
    } catch {
      return { code: 1006, reason: 'connect failed' };
    }
    const conn = new Connection(sock, this.now);
    this.conn = conn;
    const timer = setTimeout(() => conn.close(CloseCode.Timeout, 'no welcome'), WELCOME_TIMEOUT_MS);
    try {
      const welcome = await conn.expect(MsgType.Welcome);
      if (welcome.protocol !== PROTOCOL_VERSION) {
        // An app older (or newer) than the server cannot push: stop, and let the officer reload into
        // the version the service worker offers. Local work is kept and goes up after the reload.
        this.outdated = true;
        conn.close(CloseCode.Normal, 'protocol version');
        return await conn.closed;
      }
      if (welcome.deviceId !== device.deviceId || welcome.unit !== device.unit) {
        conn.close(CloseCode.Unauthorized, 'identity mismatch');
        return await conn.closed;
      }
      // A store that is not the one we synced with (restored from a backup): cursor back, and a
      // reconcile recorded, before anything is pulled (S17).
      await noteEpoch(this.o.store, await conn.expect(MsgType.Epoch));
      clearTimeout(timer);
      this.reconciler.retryDeferred();
      this.attempt = 0;
      conn.startHeartbeat();
      conn.onNotify = () => {
        this.needPull = true;
        this.wake?.();
      };
      // A batch the server stored just before the link dropped is confirmed by the Welcome (S6).
      if (welcome.lastBatchId !== '') await this.o.store.confirmBatch(welcome.lastBatchId);
      await this.pusher.report(conn);
      this.needPull = true;
      await this.emit({ phase: 'online', lastSyncAt: this.now() });
      await this.pump(conn, welcome.serverTime);
    } catch (e) {
      clearTimeout(timer);
      if (!(e instanceof ConnectionClosed)) conn.close(CloseCode.ServerError, e instanceof Error ? e.message : 'error');
    }
    return conn.closed;
  }

  private async pump(conn: Connection, serverTime: number): Promise<void> {
    await this.reserveBlocks(conn, serverTime);
    for (;;) {
      if (this.stopped) return;
      // Cleared before looking, so a kick() during the awaits below is never lost.
      this.dirty = false;
      if (await this.pusher.pushOne(conn)) {
        await this.emit({ lastSyncAt: this.now() });
        continue;
      }
      // After the outbox is empty, so the states asked for include every batch of ours (S17).
      if (await this.reconciler.due()) {
        await this.reconciler.run(conn);
        continue;
      }
      if (this.needPull) {
        this.needPull = false;
        await this.pullAll(conn);
        continue;
      }
      if (this.dirty) continue;
      const closed = await Promise.race([new Promise<boolean>((r) => (this.wake = () => r(false))), conn.closed.then(() => true)]);
      this.wake = null;
      // A link that drops while idle ends the session, so run() reconnects (S14). Looping on here
      // would spin: the settled `closed` wins every race after it.
      if (closed) return;
    }
  }

  private async pullAll(conn: Connection): Promise<void> {
    const limit = this.o.pullLimit ?? LIMITS.maxPullRows;
    const ask = (since: number): Promise<MessageOf<typeof MsgType.PullBatch>> => conn.request({ type: MsgType.Pull, since, limit }, MsgType.PullBatch);
    const first = (await this.o.store.getMeta<number>(META.cursor)) ?? 0;
    let next = ask(first);
    let since = first;
    for (;;) {
      const page = await next;
      const bad = page.items.find((it) => !acceptablePullItem(it));
      if (bad !== undefined) {
        // Never advance the cursor past data we could not take: retry on a new connection.
        conn.close(CloseCode.BadFrame, 'update outside scope or undecodable');
        throw new ConnectionClosed(CloseCode.BadFrame, 'bad pull item');
      }
      // The next page is asked for before this one is stored, so the server and the link work while
      // the device writes (a new device's year: issue 4). Pages are still stored one after another, in
      // order, each with its own cursor (S5). If storing fails, the early answer is dropped with the link.
      if (page.more) {
        next = ask(page.cursor);
        next.catch(() => undefined);
      }
      if (page.items.length > 0 || page.cursor !== since) await this.o.store.applyRemote(page.items, page.cursor, this.now());
      // A grant may have come back (S17): docs the server refused to compare are asked about again.
      if (page.items.length > 0) this.reconciler.retryDeferred();
      since = page.cursor;
      await this.emit({ lastSyncAt: this.now() });
      if (!page.more) return;
    }
  }

  /**
   * Tops up the number blocks, telling the server the ones held. After a new store epoch it asks even
   * with nothing to top up: the restored server must learn the numbers it handed out and forgot (S17).
   * Only days the server accepts at its own time are asked for (S21): a device whose clock is off
   * must not be cut off for it.
   */
  private async reserveBlocks(conn: Connection, serverTime: number): Promise<void> {
    const today = vnDayKey(this.now());
    const pruned = await this.o.store.updateNumberPool((pool) => pruneBlocks(pool, today));
    const { first, last } = reserveWindow(serverTime, LIMITS.maxReserveDays);
    const days = daysNeedingBlocks(pruned, today, BLOCK_DAYS_AHEAD, BLOCK_MIN_FREE).filter((d) => d >= first && d <= last);
    const claim = (await this.o.store.getMeta(META.claimBlocks)) !== undefined;
    if (days.length === 0 && !claim) return;
    const reqId = Math.floor(this.random() * 1e9);
    const held = heldSpans(pruned).slice(0, LIMITS.maxReserveDays);
    const answer = await conn.request({ type: MsgType.Reserve, reqId, days, size: BLOCK_SIZE, held }, MsgType.Reserved, (r) => r.reqId === reqId);
    await this.o.store.mergeNumberBlocks(answer.blocks);
    if (claim) await this.o.store.db.meta.delete(META.claimBlocks);
  }
}
