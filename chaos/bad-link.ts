/**
 * Fault (c): bad links (S1, S3, S6, S14). The real server as a child process; every NodeDevice reaches
 * it through its own LinkProxy, whose shape changes on a seeded schedule: added latency, bandwidth caps,
 * connections dropped every few seconds, and half-open stalls where the sockets stay open but nothing
 * moves, some long enough that only the client's heartbeat can notice. Officers keep taking in dossiers
 * and workflow steps throughout. Then every link heals and all replicas must converge: every confirmed
 * batch is in the server's SQLite file, every update made arrived, each device's doc equals the server's.
 */
import { CloseCode, HEARTBEAT } from '../src/protocol/constants.ts';
import type { SocketFactory } from '../src/worker/socket.ts';
import { SyncClient } from '../src/worker/sync-client.ts';
import { LinkProxy, type LinkShape } from '../tests/support/link-proxy.ts';
import { wsFactory } from '../tests/worker/support/device.ts';
import type { ChaosDevice } from './devices.ts';
import { Rng } from './prng.ts';
import { count, emptyReport, type Report } from './report.ts';
import { check, converged } from './server-crash.ts';
import { enroll, sleep, startChild, storedDocs } from './server-proc.ts';

export interface BadLinkOptions {
  readonly seed: number;
  /** How long links misbehave; healing and converging come after. */
  readonly durationMs: number;
  readonly devices: number;
  /**
   * Whether a device may get a stall longer than the heartbeat's silence limit. The client's heartbeat
   * (HEARTBEAT in src/protocol/constants.ts) is not injectable, so such a stall costs over a minute.
   */
  readonly longStalls: boolean;
}

/**
 * A stall the client can only find by silence: pingTimeoutMs of silence is noticed at the next ping
 * tick (up to pingIntervalMs later); the margin covers a reconnect attempt on the dead link too.
 */
export const LONG_STALL_MS = HEARTBEAT.pingTimeoutMs + HEARTBEAT.pingIntervalMs + 5_000;

const BACKOFF = { baseMs: 100, maxMs: 2_000 };
/**
 * A client with no live socket for this long is not retrying: its backoff never waits more than
 * BACKOFF.maxMs, and the proxy accepts every TCP connection (even stalled), so an attempt always
 * leaves a socket open until the client itself gives up on it.
 */
const NO_RETRY_MS = BACKOFF.maxMs + 3_000;

interface Link {
  readonly device: ChaosDevice;
  readonly proxy: LinkProxy;
  readonly rng: Rng;
  /** Closes the client chose, with the code (4408: it found the link silent). */
  readonly closes: { code: number; at: number }[];
  /** Sockets neither closed by the client nor by the network. */
  live: number;
  /** Since when `live` is 0, or null. */
  idleSince: number | null;
  /** Times the client sat without a socket past NO_RETRY_MS (S14) and had to be restarted. */
  stuck: number;
}

/** A seeded link of a commune: anything from a good fibre line to a congested 3G modem. */
function randomShape(rng: Rng, faults: Record<string, number>): LinkShape {
  const shape: LinkShape = {};
  if (rng.chance(0.7)) {
    shape.rttMs = rng.pick([20, 80, 200, 400, 800, 1500]);
    count(faults, 'latency');
  }
  if (rng.chance(0.5)) {
    shape.downKbps = rng.pick([32, 64, 128, 256, 1000]);
    shape.upKbps = rng.pick([16, 32, 64, 128, 512]);
    count(faults, 'bandwidth_cap');
  }
  if (rng.chance(0.35)) {
    shape.dropEveryMs = rng.int(1_500, 6_000);
    count(faults, 'drop_every');
  }
  return shape;
}

export async function runBadLink(o: BadLinkOptions): Promise<Report> {
  const report = emptyReport(`bad-link seed=${o.seed}`);
  const rng = new Rng(o.seed);
  const child = await startChild();
  const links: Link[] = [];
  let intakes = 0;
  let steps = 0;
  let heartbeatNoticed = 0;
  let watchdog: NodeJS.Timeout | null = null;
  try {
    for (let i = 0; i < o.devices; i++) {
      const proxy = await LinkProxy.start({ host: '127.0.0.1', port: child.server.port });
      const [device] = await enroll(child, 1, `ws://127.0.0.1:${proxy.port}`);
      if (device === undefined) throw new Error('enrollment failed');
      links.push({ device, proxy, rng: rng.fork(), closes: [], live: 0, idleSince: null, stuck: 0 });
    }
    for (const l of links) startRecording(l);
    watchdog = setInterval(() => {
      for (const l of links) noRetryWatch(l);
    }, 250);

    const until = Date.now() + o.durationMs;
    let stopWork = false;
    const work = (async () => {
      const wrng = rng.fork();
      const devices = links.map((l) => l.device);
      while (!stopWork) {
        const d = wrng.pick(devices);
        if (d.docNames.length === 0 || wrng.chance(0.4)) {
          await d.intakeOne(wrng, `Trần Văn Đường Truyền ${++intakes}`, '079200004321');
        } else if (await d.step(wrng, wrng.pick(d.docNames))) steps++;
        await sleep(wrng.int(50, 400));
      }
    })();

    await Promise.all(
      links.map((l) =>
        misbehave(l, until, o.longStalls, report, () => {
          heartbeatNoticed++;
        }),
      ),
    );
    stopWork = true;
    await work;

    // The links heal: from now on only the sync protocol stands between the devices and convergence.
    const healStart = Date.now();
    for (const l of links) {
      l.proxy.setShape({});
      l.proxy.heal();
    }
    try {
      await converged(
        links.map((l) => l.device),
        180_000,
      );
    } catch {
      // Still compared below against the server's file, so the table says what differs.
      report.failures.push('replicas did not converge within 180 s of the links healing');
    }
    report.convergeMs = Date.now() - healStart;

    // S14 on purpose: every link drops once while its device is idle. The schedule above rarely catches
    // a device with nothing to do (officers keep working), and an idle device is the one that must
    // reconnect by itself: nothing else will make it.
    await quiet(links);
    for (const l of links) {
      l.proxy.dropAll();
      count(report.faults, 'idle_drop');
    }
    await sleep(NO_RETRY_MS + 1_000);
    await converged(
      links.map((l) => l.device),
      30_000,
    ).catch(() => report.failures.push('replicas did not converge after the idle drop'));
    clearInterval(watchdog);
    watchdog = null;

    for (const l of links) {
      count(report.faults, 'drop', l.proxy.stats.drops);
      l.device.stop();
      if (l.stuck > 0) {
        report.failures.push(
          `[S14] ${l.device.info.deviceId}: ${l.stuck} times without a connection and not retrying for ${NO_RETRY_MS / 1000} s, restarted (SyncClient.pump: an idle wait on a closed connection spins instead of returning to reconnect)`,
        );
      }
    }
    await child.server.stop();
    await check(
      report,
      links.map((l) => l.device),
      (names) => storedDocs(child.dataDir, names),
    );
    const kib = (n: number): string => (n / 1024).toFixed(0);
    const up = links.reduce((a, l) => a + l.proxy.bytes.up, 0);
    const down = links.reduce((a, l) => a + l.proxy.bytes.down, 0);
    const conns = links.reduce((a, l) => a + l.proxy.stats.connections, 0);
    report.notes.push(`${o.devices} devices, each behind its own proxy; ${intakes} intakes and ${steps} workflow steps during ${Math.round(o.durationMs / 1000)} s of bad links`);
    report.notes.push(`${conns} TCP connections through the proxies, ${kib(up)} KiB up and ${kib(down)} KiB down`);
    if (o.longStalls) {
      report.notes.push(`${heartbeatNoticed} stalls of ${Math.round(LONG_STALL_MS / 1000)} s found by the client's heartbeat (close ${CloseCode.Timeout}) before the link came back`);
    } else {
      report.notes.push(`stalls shorter than the heartbeat's ${HEARTBEAT.pingTimeoutMs / 1000} s silence limit only (long stalls need a longer run)`);
    }
    return report;
  } finally {
    if (watchdog !== null) clearInterval(watchdog);
    for (const l of links) l.device.stop();
    for (const l of links) await l.proxy.close();
    await child.dispose();
  }
}

/** Until no device has sent or received a message for 300 ms (acks, stamp notifies and pulls done). */
async function quiet(links: readonly Link[]): Promise<void> {
  const traffic = (): number => links.reduce((a, l) => a + l.device.wire.sent.length + l.device.wire.received.length, 0);
  const until = Date.now() + 30_000;
  let last = traffic();
  while (Date.now() < until) {
    await sleep(300);
    const now = traffic();
    if (now === last) return;
    last = now;
  }
}

/**
 * Like NodeDevice.start, also recording the close codes the client chose and which sockets are live.
 * The SyncSocket's onclose is read by the ws wrapper at close time, so an accessor sees every close
 * even after the Connection has let go of the socket.
 */
function startRecording(l: Link): void {
  const d = l.device;
  const inner = wsFactory(d.wire);
  const connect: SocketFactory = (url, protocols) => {
    const sock = inner(url, protocols);
    let live = true;
    const gone = (): void => {
      if (!live) return;
      live = false;
      l.live -= 1;
    };
    l.live += 1;
    const close = sock.close.bind(sock);
    sock.close = (code, reason) => {
      l.closes.push({ code: code ?? 1000, at: Date.now() });
      gone();
      close(code, reason);
    };
    let handler: ((code: number, reason: string) => void) | null = null;
    Object.defineProperty(sock, 'onclose', {
      get: () => (code: number, reason: string) => {
        gone();
        handler?.(code, reason);
      },
      set: (fn: ((code: number, reason: string) => void) | null) => {
        handler = fn;
      },
    });
    return sock;
  };
  d.client = new SyncClient({
    store: d.store,
    baseUrl: d.wsUrl,
    device: d.info,
    connect,
    onStatus: (s) => (d.status = s),
    // A commune laptop retrying within seconds, not the production 20 s cap, so a run sees many retries.
    backoff: BACKOFF,
    batchItems: 3,
  });
  d.client.start();
}

/**
 * S14: a device whose link dropped reconnects by itself. One that sits without a socket past
 * NO_RETRY_MS is counted, then restarted, so the run can still measure convergence.
 */
function noRetryWatch(l: Link): void {
  const now = Date.now();
  if (l.live > 0) {
    l.idleSince = null;
    return;
  }
  l.idleSince ??= now;
  if (now - l.idleSince < NO_RETRY_MS) return;
  l.stuck += 1;
  l.idleSince = null;
  // kick() does not get it out (with nothing to push the loop never touches the dead connection):
  // a new client on the same store, as reloading the app would.
  l.device.client?.stop();
  startRecording(l);
}

/** One device's link schedule until `until`: shapes, drops now and then, short and long stalls. */
async function misbehave(l: Link, until: number, longStalls: boolean, report: Report, noticed: () => void): Promise<void> {
  const { proxy, rng, device } = l;
  // At most one long stall per device, at a seeded moment, if it fits.
  const room = until - Date.now() - LONG_STALL_MS - 2_000;
  let longAt = longStalls && room > 0 ? Date.now() + rng.int(0, room) : Infinity;
  while (Date.now() < until) {
    if (Date.now() >= longAt) {
      longAt = Infinity;
      await stall(l, LONG_STALL_MS, report, 'long_stall');
      // The client must have given up on the silent link by itself, before the link came back.
      const since = Date.now() - LONG_STALL_MS;
      if (l.closes.some((c) => c.code === CloseCode.Timeout && c.at >= since)) noticed();
      else report.failures.push(`${device.info.deviceId}: a ${LONG_STALL_MS} ms half-open stall went unnoticed by the heartbeat`);
      continue;
    }
    const left = Math.min(until, longAt) - Date.now();
    if (left <= 0) continue;
    const r = rng.next();
    if (r < 0.6) {
      proxy.setShape(randomShape(rng, report.faults));
      await sleep(Math.min(left, rng.int(1_000, 5_000)));
    } else if (r < 0.75) {
      proxy.dropAll();
      await sleep(Math.min(left, rng.int(200, 1_500)));
    } else {
      await stall(l, Math.min(left, rng.int(500, 6_000)), report, 'stall');
    }
  }
}

async function stall(l: Link, ms: number, report: Report, kind: string): Promise<void> {
  // A half-open link resets nothing: periodic drops would tell the client at once.
  l.proxy.setShape({});
  l.proxy.stall();
  count(report.faults, kind);
  await sleep(ms);
  const dropped = await l.device.droppedUnconfirmed();
  if (dropped > 0) report.failures.push(`[S1] ${l.device.info.deviceId} dropped ${dropped} unconfirmed updates`);
  l.proxy.heal();
}
