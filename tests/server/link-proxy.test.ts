/** The link-shaping TCP proxy of the chaos runner and the benchmarks, on real loopback sockets. */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { LinkProxy, type LinkShape } from '../support/link-proxy.ts';

interface Peer {
  readonly socket: net.Socket;
  received: Buffer;
  closed: boolean;
  /** Resolves once `n` bytes in total have arrived. */
  waitFor(n: number, timeoutMs?: number): Promise<void>;
}

function peer(socket: net.Socket): Peer {
  const waiters: { n: number; resolve: () => void }[] = [];
  const p: Peer = {
    socket,
    received: Buffer.alloc(0),
    closed: false,
    waitFor(n, timeoutMs = 5000) {
      if (p.received.length >= n) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`got ${p.received.length} of ${n} bytes`)), timeoutMs);
        waiters.push({
          n,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
  };
  socket.on('data', (d: Buffer) => {
    p.received = Buffer.concat([p.received, d]);
    for (const w of waiters.filter((x) => p.received.length >= x.n)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  });
  socket.on('error', () => undefined);
  socket.on('close', () => {
    p.closed = true;
  });
  return p;
}

/** A TCP server that keeps every accepted socket as a Peer. */
async function target(): Promise<{ port: number; peers: Peer[]; next(): Promise<Peer>; close(): Promise<void> }> {
  const peers: Peer[] = [];
  const waiting: ((p: Peer) => void)[] = [];
  const server = net.createServer((s) => {
    const p = peer(s);
    peers.push(p);
    waiting.shift()?.(p);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  let taken = 0;
  return {
    port,
    peers,
    next: () =>
      new Promise((resolve) => {
        const p = peers[taken];
        taken += 1;
        if (p !== undefined) resolve(p);
        else waiting.push(resolve);
      }),
    close: () =>
      new Promise((r) => {
        for (const p of peers) p.socket.destroy();
        server.close(() => r());
      }),
  };
}

async function connect(port: number): Promise<Peer> {
  const s = net.connect({ host: '127.0.0.1', port });
  await new Promise<void>((r) => s.once('connect', () => r()));
  return peer(s);
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(shape?: LinkShape) {
  const t = await target();
  cleanups.push(() => t.close());
  const proxy = await LinkProxy.start({ host: '127.0.0.1', port: t.port }, shape);
  cleanups.push(() => proxy.close());
  return { t, proxy };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, timeoutMs = 3000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(10);
  }
}

describe('LinkProxy', () => {
  it('forwards every byte intact both ways and counts exactly what crossed', async () => {
    const { t, proxy } = await setup();
    const c = await connect(proxy.port);
    const s = await t.next();
    const up = randomBytes(300_000);
    const down = randomBytes(123_457);
    c.socket.write(up);
    s.socket.write(down);
    await Promise.all([s.waitFor(up.length), c.waitFor(down.length)]);
    expect(s.received.equals(up)).toBe(true);
    expect(c.received.equals(down)).toBe(true);
    expect(proxy.bytes).toEqual({ up: up.length, down: down.length });
    expect(proxy.stats.connections).toBe(1);
    proxy.resetCounters();
    expect(proxy.bytes).toEqual({ up: 0, down: 0 });
    expect(proxy.stats.connections).toBe(0);
  });

  it('a bandwidth cap paces a transfer at the capped rate', async () => {
    // 25 KB at 400 kbit/s is 512 ms: the same shape as 25 KB at 50 kbit/s in 4 s, eight times faster.
    const { t, proxy } = await setup({ downKbps: 400 });
    const c = await connect(proxy.port);
    const s = await t.next();
    const payload = randomBytes(25 * 1024);
    const t0 = performance.now();
    s.socket.write(payload);
    await c.waitFor(payload.length);
    const ms = performance.now() - t0;
    expect(ms).toBeGreaterThan(512 * 0.9);
    expect(ms).toBeLessThan(512 * 1.5);
    // The cap is per direction: the upload is not slowed.
    const t1 = performance.now();
    c.socket.write(payload);
    await s.waitFor(payload.length);
    expect(performance.now() - t1).toBeLessThan(200);
  });

  it('the cap is shared by every connection of the proxy (one device, one link)', async () => {
    const { t, proxy } = await setup({ upKbps: 800 });
    const a = await connect(proxy.port);
    const sa = await t.next();
    const b = await connect(proxy.port);
    const sb = await t.next();
    const payload = randomBytes(25 * 1024);
    const t0 = performance.now();
    a.socket.write(payload);
    b.socket.write(payload);
    await Promise.all([sa.waitFor(payload.length), sb.waitFor(payload.length)]);
    // 50 KB at 800 kbit/s: 512 ms in total, not 256 ms each in parallel.
    const ms = performance.now() - t0;
    expect(ms).toBeGreaterThan(512 * 0.9);
    expect(ms).toBeLessThan(512 * 1.5);
  });

  it('adds the round-trip time, half each way', async () => {
    const { t, proxy } = await setup({ rttMs: 200 });
    const c = await connect(proxy.port);
    const s = await t.next();
    s.socket.on('data', (d: Buffer) => s.socket.write(d));
    const t0 = performance.now();
    c.socket.write('ping');
    await c.waitFor(4);
    const ms = performance.now() - t0;
    expect(ms).toBeGreaterThanOrEqual(195);
    expect(ms).toBeLessThan(350);
    proxy.setShape({});
    const t1 = performance.now();
    c.socket.write('ping');
    await c.waitFor(8);
    expect(performance.now() - t1).toBeLessThan(100);
  });

  it('dropAll destroys both ends of every connection and counts them', async () => {
    const { t, proxy } = await setup();
    const a = await connect(proxy.port);
    const sa = await t.next();
    const b = await connect(proxy.port);
    const sb = await t.next();
    proxy.dropAll();
    await until(() => a.closed && sa.closed && b.closed && sb.closed);
    expect(proxy.stats.drops).toBe(2);
    // The proxy keeps accepting after a drop.
    const c = await connect(proxy.port);
    const sc = await t.next();
    c.socket.write('again');
    await sc.waitFor(5);
  });

  it('dropEveryMs drops open connections periodically', async () => {
    const { t, proxy } = await setup({ dropEveryMs: 100 });
    const a = await connect(proxy.port);
    const sa = await t.next();
    await until(() => a.closed && sa.closed, 1000);
    expect(proxy.stats.drops).toBe(1);
  });

  it('stall holds everything both ways, new connections too, and heal delivers it all in order', async () => {
    const { t, proxy } = await setup({ rttMs: 20 });
    const a = await connect(proxy.port);
    const sa = await t.next();
    proxy.stall();
    const up = randomBytes(200_000);
    const down = randomBytes(50_000);
    a.socket.write(up);
    sa.socket.write(down);
    const b = await connect(proxy.port);
    const sb = await t.next();
    b.socket.write('late');
    await sleep(250);
    expect(sa.received.length).toBe(0);
    expect(a.received.length).toBe(0);
    expect(sb.received.length).toBe(0);
    expect(a.closed || sa.closed || b.closed).toBe(false);
    expect(proxy.stats.stalls).toBe(1);
    proxy.heal();
    await Promise.all([sa.waitFor(up.length), a.waitFor(down.length), sb.waitFor(4)]);
    expect(sa.received.equals(up)).toBe(true);
    expect(a.received.equals(down)).toBe(true);
    expect(sb.received.toString()).toBe('late');
    expect(proxy.bytes).toEqual({ up: up.length + 4, down: down.length });
  });

  it('on a stalled link a reset does not get through until heal', async () => {
    const { t, proxy } = await setup();
    const c = await connect(proxy.port);
    const s = await t.next();
    proxy.stall();
    s.socket.resetAndDestroy();
    await sleep(200);
    expect(c.closed).toBe(false);
    proxy.heal();
    await until(() => c.closed);
  });

  it('a clean close passes through as a FIN after the queued bytes', async () => {
    const { t, proxy } = await setup({ rttMs: 50 });
    const c = await connect(proxy.port);
    const s = await t.next();
    c.socket.end('bye');
    await until(() => s.received.toString() === 'bye');
    s.socket.end();
    await until(() => c.closed && s.closed);
    expect(proxy.stats.drops).toBe(0);
  });

  it('close() ends every connection', async () => {
    const t = await target();
    cleanups.push(() => t.close());
    const proxy = await LinkProxy.start({ host: '127.0.0.1', port: t.port });
    const c = await connect(proxy.port);
    const s = await t.next();
    await proxy.close();
    await until(() => c.closed && s.closed);
  });
});
