/**
 * Fan-out between server nodes sharing one PostgreSQL (rule S15). Every append NOTIFYs (unit, seq)
 * pairs on the store's channel in its transaction, so a notification exists only for a commit. Each
 * node LISTENs on a connection of its own and, when told, reads the rows after the last seq it has
 * seen from the table (never from the payload, which is capped at 8,000 bytes) and publishes them on
 * its hub as if they were committed here: the catch-up channel Notifies the devices of those units,
 * and open live rooms apply the updates of their docs.
 *
 * Nothing is missed when notifications are: the node remembers the last seq it published, reads from
 * there after reconnecting its listener, and polls the head every `pollMs` anyway (a half-open
 * listening connection hears nothing and says nothing). Rows this process wrote itself were published
 * locally at commit and are skipped here.
 */
import pg from 'pg';
import { logEvent, type LogFn } from './conn.ts';
import type { CommittedItem, Hub } from './hub.ts';
import { COMPACTED_BATCH } from './store/compact-plan.ts';
import { poolConfig } from './store/pg-pool.ts';
import type { PgStore } from './store/pg.ts';

export interface FanoutOptions {
  /** Head checked this often even without notifications. */
  readonly pollMs?: number;
  /** First delay before reconnecting the listener; doubles up to 5 s. */
  readonly reconnectMs?: number;
  /** Rows read per query while catching up. */
  readonly pageRows?: number;
}

interface Row {
  seq: number;
  doc: string;
  unit: string;
  batch_id: string;
  data: Buffer | null;
}

/** Runs a task now, or once more right after the run in progress: any number of asks, at most two runs. */
class Coalesced {
  private running: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly task: () => Promise<void>,
    private readonly failed: (err: unknown) => void,
  ) {}

  run(): void {
    if (this.running !== null) {
      this.again = true;
      return;
    }
    this.running = this.task()
      .catch(this.failed)
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.run();
        }
      });
  }

  async idle(): Promise<void> {
    await this.running;
  }
}

/** The updates of rows read with their data (rows of docs no live room has open carry none). */
function toItems(rows: readonly Row[]): CommittedItem[] {
  const items: CommittedItem[] = [];
  for (const r of rows) {
    if (r.data !== null) items.push({ doc: r.doc, unit: r.unit, update: new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength) });
  }
  return items;
}

export class PgFanout {
  private listener: pg.Client | null = null;
  private lastSeen = 0;
  /** Seq ranges this process wrote: [first, last], pruned once lastSeen passes them. */
  private own: [number, number][] = [];
  private readonly scan = new Coalesced(() => this.readNew(), (err) => this.readFailed(err));
  /** Per unit, the highest seq its devices were told of: the scan does not tell them twice. */
  private readonly toldUnits = new Map<string, number>();
  /** Rows of open live docs are published up to here (they may run ahead of lastSeen). */
  private liveSeen = 0;
  private readonly live = new Coalesced(() => this.readLive(), (err) => this.readFailed(err));
  private closed = false;
  private reconnectDelay: number;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly unsubscribe: () => void;

  private constructor(
    private readonly store: PgStore,
    private readonly hub: Hub,
    private readonly log: LogFn,
    private readonly opts: Required<FanoutOptions>,
  ) {
    this.reconnectDelay = opts.reconnectMs;
    this.unsubscribe = store.onRanges({
      written: (first, last) => this.own.push([first, last]),
      failed: (first, last) => {
        this.own = this.own.filter(([f, l]) => f !== first || l !== last);
        // Its outcome is unknown and its seqs may be another node's now: read them again.
        this.lastSeen = Math.min(this.lastSeen, first - 1);
        this.kick();
      },
    });
  }

  /** Listens, then starts from the head: everything committed before is in the table for pulls. */
  static async start(store: PgStore, hub: Hub, log: LogFn, options: FanoutOptions = {}): Promise<PgFanout> {
    const fanout = new PgFanout(store, hub, log, {
      pollMs: options.pollMs ?? 2_000,
      reconnectMs: options.reconnectMs ?? 250,
      pageRows: options.pageRows ?? 2_000,
    });
    await fanout.listen();
    fanout.lastSeen = await store.headSeq();
    fanout.liveSeen = fanout.lastSeen;
    fanout.schedulePoll();
    return fanout;
  }

  /** The last seq this node has published (for tests and the admin API). */
  get seen(): number {
    return this.lastSeen;
  }

  /** The listening connection's backend pid (tests cut it with pg_terminate_backend). */
  get listenerPid(): number | null {
    return (this.listener as unknown as { processID?: number } | null)?.processID ?? null;
  }

  private async listen(): Promise<void> {
    const client = new pg.Client(poolConfig(this.store.options));
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('listener connection ended')));
    client.on('notification', (n) => {
      if (n.channel === this.store.revokeChannel) this.revoked(n.payload ?? '');
      else this.notified(n.payload ?? '');
    });
    await client.connect();
    await client.query(`LISTEN ${this.store.channel}`);
    await client.query(`LISTEN ${this.store.revokeChannel}`);
    this.listener = client;
    this.reconnectDelay = this.opts.reconnectMs;
  }

  private lost(client: pg.Client, err: Error): void {
    if (this.listener !== client) return;
    this.listener = null;
    client.end().catch(() => undefined);
    if (this.closed) return;
    logEvent(this.log, 'fanout_listener_lost', { error: err.message });
    this.reconnect();
  }

  private reconnect(): void {
    const delay = this.reconnectDelay;
    this.reconnectDelay = Math.min(this.reconnectDelay * 2, 5_000);
    this.later(delay, () => {
      this.listen()
        .then(() => {
          logEvent(this.log, 'fanout_listener_back', { from: this.lastSeen });
          // Whatever was committed while nobody listened is read now.
          this.kick();
        })
        .catch(() => this.reconnect());
    });
  }

  private schedulePoll(): void {
    this.later(this.opts.pollMs, () => {
      this.kick();
      this.schedulePoll();
    });
  }

  private later(ms: number, fn: () => void): void {
    if (this.closed) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.closed) fn();
    }, ms);
    t.unref();
    this.timers.add(t);
  }

  /** Scans new rows now, or right after the scan in progress (notifications coalesce). */
  private kick(): void {
    if (!this.closed) this.scan.run();
  }

  private readFailed(err: unknown): void {
    logEvent(this.log, 'fanout_read_error', { error: err instanceof Error ? err.message : String(err) });
  }

  private isOwn(seq: number): boolean {
    return this.own.some(([f, l]) => seq >= f && seq <= l);
  }

  /**
   * A commit's (unit, seq): its devices here are told at once, from the payload alone, and open live
   * rooms get their docs' new rows by an index read of those docs only: neither waits for the scan
   * of everything committed, which in a reconnect storm runs thousands of rows behind.
   */
  private notified(payload: string): void {
    const at = payload.lastIndexOf(':');
    const unit = payload.slice(0, at);
    const seq = Number(payload.slice(at + 1));
    if (at <= 0 || !Number.isSafeInteger(seq)) return this.kick();
    if (!this.isOwn(seq) && seq > (this.toldUnits.get(unit) ?? 0)) {
      this.toldUnits.set(unit, seq);
      this.hub.publish({ items: [], headSeq: seq, units: [unit], origin: this, notifyOrigin: false });
    }
    this.kickLive();
  }

  private kickLive(): void {
    if (!this.closed) this.live.run();
  }

  private async readLive(): Promise<void> {
    const open = this.hub.interestingDocs();
    if (open.length === 0) return;
    const { rows } = await this.store.urgentPool.query<Row>(
      `SELECT seq, doc, unit, batch_id, data FROM updates WHERE doc = ANY($1::text[]) AND seq > $2 ORDER BY seq`,
      [open, this.liveSeen],
    );
    if (this.closed || rows.length === 0) return;
    this.liveSeen = Math.max(this.liveSeen, rows[rows.length - 1]?.seq ?? 0);
    const items = toItems(rows.filter((r) => r.batch_id === COMPACTED_BATCH || !this.isOwn(r.seq)));
    if (items.length > 0) this.hub.publish({ items, headSeq: this.liveSeen, units: [], origin: this, notifyOrigin: false });
  }

  private async readNew(): Promise<void> {
    for (;;) {
      const open = this.hub.interestingDocs();
      // Data only for docs a live room has open; the rest are Notified by unit.
      // The urgent pool: a live room on this node waits for these rows (PgStore.urgentPool).
      const { rows } = await this.store.urgentPool.query<Row>(
        `SELECT seq, doc, unit, batch_id, CASE WHEN doc = ANY($2::text[]) THEN data END AS data
         FROM updates WHERE seq > $1 ORDER BY seq LIMIT $3`,
        [this.lastSeen, open, this.opts.pageRows],
      );
      if (this.closed || rows.length === 0) return;
      this.publish(rows);
      if (rows.length < this.opts.pageRows) return;
    }
  }

  /** The scan's page: units not told of these rows yet, and open docs' rows the live read missed. */
  private publish(rows: readonly Row[]): void {
    // A compacted row keeps the seq of a row it replaced, maybe one of ours, but holds other rows too.
    const foreign = rows.filter((r) => r.batch_id === COMPACTED_BATCH || !this.isOwn(r.seq));
    const last = rows[rows.length - 1]?.seq ?? this.lastSeen;
    this.lastSeen = Math.max(this.lastSeen, last);
    const items = toItems(foreign.filter((r) => r.seq > this.liveSeen));
    this.liveSeen = Math.max(this.liveSeen, this.lastSeen);
    this.own = this.own.filter(([, l]) => l > this.lastSeen);
    const units: string[] = [];
    for (const r of foreign) {
      if (r.seq <= (this.toldUnits.get(r.unit) ?? 0)) continue;
      this.toldUnits.set(r.unit, r.seq);
      if (!units.includes(r.unit)) units.push(r.unit);
    }
    if (items.length === 0 && units.length === 0) return;
    this.hub.publish({ items, headSeq: last, units, origin: this, notifyOrigin: false });
  }

  /** Another node revoked a device: close its sockets here too. */
  private revoked(deviceId: string): void {
    if (deviceId === '') return;
    const closed = this.hub.revoke(deviceId);
    if (closed > 0) logEvent(this.log, 'device_revoked_remote', { device: deviceId, closed });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribe();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const client = this.listener;
    this.listener = null;
    await Promise.all([this.scan.idle(), this.live.idle()]);
    await client?.end().catch(() => undefined);
  }
}
