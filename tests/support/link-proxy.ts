/**
 * A TCP proxy that shapes one device's link to the server: latency, bandwidth caps, periodic drops and
 * half-open stalls. Used by the chaos runner (bad links) and the benchmarks (slow commune links).
 *
 * Bandwidth is one serialisation clock per direction shared by every connection of the proxy, because a
 * proxy stands for one device's link: two sockets of that device compete for the same wire.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';

export interface LinkShape {
  /** Added round-trip time in ms (half each direction). */
  rttMs?: number;
  /** Bandwidth caps in kbit/s; undefined = unlimited. down = server→client, up = client→server. */
  downKbps?: number;
  upKbps?: number;
  /** Drop (destroy both sockets of) every open connection every N ms; undefined = never. */
  dropEveryMs?: number;
}

type Dir = 'up' | 'down';

/** A TCP segment's worth of payload, so a cap releases bytes smoothly instead of one burst per read. */
const SEGMENT = 1460;
/**
 * Bytes a pipe may hold before it stops reading its source. A real bottleneck has a finite buffer; past it
 * the sender's TCP window closes, which is what makes a stalled or capped link visible to the sender
 * (ws bufferedAmount grows) instead of the proxy swallowing everything into memory.
 */
const HIGH_WATER = 64 * 1024;
const LOW_WATER = 16 * 1024;

interface Entry {
  /** null marks the source's FIN, forwarded once everything before it is delivered. */
  readonly chunk: Buffer | null;
  readonly at: number;
}

/** One direction of one connection. */
class Pipe {
  /** Arrived while stalled: not yet given a departure time, since time on a dead link is not transmission. */
  private inbox: (Buffer | null)[] = [];
  private scheduled: Entry[] = [];
  private queuedBytes = 0;
  private lastAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private blocked = false;
  private pausedSrc = false;

  constructor(
    private readonly proxy: LinkProxy,
    readonly dir: Dir,
    private readonly src: net.Socket,
    private readonly dst: net.Socket,
  ) {
    src.on('data', (data: Buffer) => this.push(data));
    src.on('end', () => this.push(null));
    dst.on('drain', () => {
      this.blocked = false;
      this.flush();
    });
  }

  private push(data: Buffer | null): void {
    if (data !== null) {
      this.queuedBytes += data.length;
      if (this.queuedBytes > HIGH_WATER && !this.pausedSrc) {
        this.pausedSrc = true;
        this.src.pause();
      }
    }
    this.inbox.push(data);
    this.schedule();
  }

  /** Gives departure times to what waits in the inbox (no-op while the link is stalled). */
  schedule(): void {
    if (this.proxy.isStalled) return;
    const items = this.inbox;
    this.inbox = [];
    for (const item of items) {
      if (item === null) {
        this.enqueue(null, 0);
        continue;
      }
      const rate = this.proxy.rateKbps(this.dir);
      if (rate === undefined) {
        this.enqueue(item, 0);
      } else {
        for (let off = 0; off < item.length; off += SEGMENT) this.enqueue(item.subarray(off, off + SEGMENT), rate);
      }
    }
    this.flush();
  }

  private enqueue(chunk: Buffer | null, rate: number): void {
    const now = performance.now();
    const departs = chunk === null || rate === 0 ? now : this.proxy.depart(this.dir, now, chunk.length, rate);
    // A latency lowered by setShape must not let a later chunk overtake an earlier one of this connection.
    const at = Math.max(departs + this.proxy.oneWayMs(), this.lastAt);
    this.lastAt = at;
    this.scheduled.push({ chunk, at });
  }

  /** Writes every chunk whose time has come, then waits for the next one (or the writer's drain). */
  flush(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.proxy.isStalled || this.blocked || this.dst.destroyed) return;
    const now = performance.now();
    while (this.scheduled.length > 0) {
      const head = this.scheduled[0]!;
      // setTimeout may fire a fraction of a millisecond early; anything due within 1 ms goes now.
      if (head.at > now + 1) {
        this.timer = setTimeout(() => this.flush(), head.at - now);
        return;
      }
      this.scheduled.shift();
      if (head.chunk === null) {
        this.dst.end();
        continue;
      }
      this.queuedBytes -= head.chunk.length;
      this.proxy.count(this.dir, head.chunk.length);
      if (this.pausedSrc && this.queuedBytes < LOW_WATER) {
        this.pausedSrc = false;
        this.src.resume();
      }
      if (!this.dst.write(head.chunk)) {
        this.blocked = true;
        return;
      }
    }
  }

  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.scheduled = [];
    this.inbox = [];
  }
}

class Connection {
  readonly up: Pipe;
  readonly down: Pipe;

  private resetPending = false;

  constructor(
    private readonly proxy: LinkProxy,
    readonly client: net.Socket,
    readonly upstream: net.Socket,
    private readonly onGone: (c: Connection) => void,
  ) {
    this.up = new Pipe(proxy, 'up', client, upstream);
    this.down = new Pipe(proxy, 'down', upstream, client);
    // An error on one side (a reset) resets the other: nothing more can be delivered on this connection.
    client.on('error', () => this.reset());
    upstream.on('error', () => this.reset());
    client.on('close', () => this.closed());
    upstream.on('close', () => this.closed());
  }

  private closed(): void {
    // A side that closed cleanly has sent its FIN through its pipe; the other side closes when that FIN
    // reaches it. Only when both are gone is the connection forgotten.
    if (this.client.destroyed && this.upstream.destroyed) {
      this.up.stop();
      this.down.stop();
      this.onGone(this);
    }
  }

  /**
   * On a half-open link the reset does not get through either: the surviving side keeps its socket
   * until the link heals (then it learns at once) or its own liveness check gives up.
   */
  private reset(): void {
    if (this.proxy.isStalled) this.resetPending = true;
    else this.destroy();
  }

  destroy(): void {
    this.up.stop();
    this.down.stop();
    this.client.destroy();
    this.upstream.destroy();
  }

  schedule(): void {
    if (this.resetPending) {
      this.destroy();
      return;
    }
    this.up.schedule();
    this.down.schedule();
  }
}

export class LinkProxy {
  private shape: LinkShape;
  private readonly conns = new Set<Connection>();
  private readonly lastDeparture: Record<Dir, number> = { up: 0, down: 0 };
  private stalled = false;
  private dropTimer: NodeJS.Timeout | null = null;
  private closing = false;

  /** Bytes forwarded so far, as they crossed the proxy (TCP payload incl. HTTP upgrade + WS framing). */
  readonly bytes = { up: 0, down: 0 };
  readonly stats = { connections: 0, drops: 0, stalls: 0 };

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
    shape: LinkShape,
  ) {
    this.shape = { ...shape };
    this.armDrops();
  }

  static async start(target: { host: string; port: number }, shape: LinkShape = {}): Promise<LinkProxy> {
    let proxy: LinkProxy | null = null;
    const pending: net.Socket[] = [];
    const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (client) => {
      if (proxy === null) pending.push(client);
      else proxy.accept(client, target);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('link proxy: no TCP address');
    const created = new LinkProxy(server, address.port, shape);
    proxy = created;
    for (const c of pending) created.accept(c, target);
    return created;
  }

  private accept(client: net.Socket, target: { host: string; port: number }): void {
    if (this.closing) {
      client.destroy();
      return;
    }
    this.stats.connections += 1;
    const upstream = net.connect({ host: target.host, port: target.port, allowHalfOpen: true, noDelay: true });
    const conn = new Connection(this, client, upstream, (c) => this.conns.delete(c));
    this.conns.add(conn);
  }

  /** @internal */
  get isStalled(): boolean {
    return this.stalled;
  }

  /** @internal */
  rateKbps(dir: Dir): number | undefined {
    const rate = dir === 'up' ? this.shape.upKbps : this.shape.downKbps;
    return rate === undefined || rate <= 0 ? undefined : rate;
  }

  /** @internal */
  oneWayMs(): number {
    return Math.max(0, this.shape.rttMs ?? 0) / 2;
  }

  /** @internal Advances the direction's serialisation clock by one chunk; returns when it has left. */
  depart(dir: Dir, now: number, size: number, kbps: number): number {
    const at = Math.max(now, this.lastDeparture[dir]) + (size * 8) / kbps;
    this.lastDeparture[dir] = at;
    return at;
  }

  /** @internal */
  count(dir: Dir, n: number): void {
    this.bytes[dir] += n;
  }

  setShape(shape: LinkShape): void {
    this.shape = { ...shape };
    this.armDrops();
  }

  private armDrops(): void {
    if (this.dropTimer !== null) clearInterval(this.dropTimer);
    this.dropTimer = null;
    const every = this.shape.dropEveryMs;
    if (every === undefined || every <= 0 || this.closing) return;
    this.dropTimer = setInterval(() => this.dropAll(), every);
  }

  resetCounters(): void {
    this.bytes.up = 0;
    this.bytes.down = 0;
    this.stats.connections = 0;
    this.stats.drops = 0;
    this.stats.stalls = 0;
  }

  dropAll(): void {
    for (const c of [...this.conns]) {
      this.stats.drops += 1;
      this.conns.delete(c);
      c.destroy();
    }
  }

  stall(): void {
    if (this.stalled) return;
    this.stalled = true;
    this.stats.stalls += 1;
  }

  heal(): void {
    if (!this.stalled) return;
    this.stalled = false;
    for (const c of this.conns) c.schedule();
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.dropTimer !== null) clearInterval(this.dropTimer);
    this.dropTimer = null;
    for (const c of [...this.conns]) c.destroy();
    this.conns.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
