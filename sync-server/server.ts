/**
 * One node:http server for everything: the PWA, the JSON API, and two WebSocket endpoints (`/sync`
 * catch-up, `/yjs/...` live docs) authenticated at the upgrade. `startServer` is what main.ts runs and
 * what the tests start in-process on port 0.
 */
import { serverProjector } from './doc-rows.ts';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { CloseCode, HEARTBEAT, LIMITS, PATHS } from '../src/protocol/constants.ts';
import { busyReason } from '../src/protocol/busy.ts';
import { Admission } from './admission.ts';
import { authenticate, selectProtocol } from './auth.ts';
import { CatchupChannel } from './catchup.ts';
import type { ChannelDeps } from './channel.ts';
import { Compactor, type CompactorOptions } from './compactor.ts';
import { closeCodeFor, closeWith, Heartbeat, logEvent, logRefusal, Refusal, type HeartbeatOptions, type LogFn } from './conn.ts';
import { resolveEpoch } from './epoch.ts';
import { createRequestHandler } from './http.ts';
import { Hub } from './hub.ts';
import { LiveChannel } from './live.ts';
import { DeviceBytes, socketRefusal } from './quota.ts';
import { restoreWindowMs } from './trust.ts';
import type { SyncStore } from './store/types.ts';

export interface ServerOptions {
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  readonly host?: string;
  /** Not closed by the server: whoever opened it closes it. */
  readonly store: SyncStore;
  readonly staticDir?: string;
  /**
   * Admin API bearer token, or `sha256:<hex>` of it (what a production store keeps: admin-token.ts);
   * empty or unset disables the admin API.
   */
  readonly adminToken?: string;
  /** Where JSON event lines go; stdout by default. */
  readonly log?: LogFn;
  /** Tests shorten these; production uses HEARTBEAT from the protocol constants. */
  readonly heartbeat?: HeartbeatOptions;
  /**
   * Joins this node to the others sharing its store: started before the server listens, it publishes
   * their commits on the hub (pg-fanout.ts); closed with the server.
   */
  readonly cluster?: ClusterHook;
  /** The log's background compactor (S16, compactor.ts): options over its defaults, or false for none. */
  readonly compaction?: Partial<CompactorOptions> | false;
  /** Busy catch-up sessions served at once (admission.ts); DEFAULT_MAX_BUSY by default. */
  readonly maxBusySessions?: number;
  /**
   * How long after a restore's new epoch devices may send back others' items and the server's stamps
   * (S19); from RESTORE_WINDOW_DAYS (30 days when unset) by default.
   */
  readonly restoreWindowMs?: number;
  /** Bytes a device may send per minute (S21); LIMITS.maxDeviceBytesPerMinute by default. */
  readonly deviceBytesPerMinute?: number;
}

/**
 * Sessions pushing or pulling at once on one node. Measured with `npm run bench:server` (94 communes x
 * 3 devices reconnecting together): about this many keeps a PushAck under a second on two cores.
 */
export const DEFAULT_MAX_BUSY = 16;

export type ClusterHook = (hub: Hub, log: LogFn) => Promise<{ close(): Promise<void> }>;

export interface RunningServer {
  readonly port: number;
  /** http://host:port, with 127.0.0.1 for a wildcard host. */
  readonly url: string;
  /** Closes every socket with GoingAway, waits for work in flight, and stops listening. */
  close(): Promise<void>;
}

/** Time given to sessions to finish the frame they are handling on shutdown. */
const SHUTDOWN_GRACE_MS = 3_000;

const stdoutLog: LogFn = (line) => {
  process.stdout.write(`${line}\n`);
};

function refuseUpgrade(socket: Duplex, status: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const log = opts.log ?? stdoutLog;
  const hub = new Hub(log);
  // Settled before anything is served: a restored copy's epoch records its head before any write (S17).
  const epoch = await resolveEpoch(opts.store);
  // Only a store that had an epoch: a restored copy, whose devices are about to send back what it lacks.
  if (epoch.rotated && epoch.parentEpoch !== '') logEvent(log, 'epoch_new', { epoch: epoch.epoch, parent: epoch.parentEpoch, forkSeq: epoch.forkSeq });
  const heartbeat = new Heartbeat(opts.heartbeat ?? HEARTBEAT);
  const deps: ChannelDeps = {
    store: opts.store,
    hub,
    heartbeat,
    log,
    projector: serverProjector(),
    epoch,
    restoreWindowMs: opts.restoreWindowMs ?? restoreWindowMs(),
    bytes: new DeviceBytes(opts.deviceBytesPerMinute),
  };
  const catchup = new CatchupChannel(deps);
  const live = new LiveChannel(deps);
  const cluster = opts.cluster === undefined ? null : await opts.cluster(hub, log);
  const admission = new Admission({ maxActive: opts.maxBusySessions ?? DEFAULT_MAX_BUSY });
  const wsOptions = {
    noServer: true,
    // ws closes with 1009 when a message (after inflating) passes this, before buffering all of it.
    maxPayload: LIMITS.maxMessageBytes,
    perMessageDeflate: { threshold: 256 },
    handleProtocols: selectProtocol,
  };
  const syncWss = new WebSocketServer(wsOptions);
  // Live frames are a few bytes, and ws runs every socket's (de)compression through one queue: a
  // catch-up page of megabytes ahead in it would hold a call shown on the board for seconds.
  const liveWss = new WebSocketServer({ ...wsOptions, perMessageDeflate: false });

  const server = createServer(
    createRequestHandler({
      store: opts.store,
      hub,
      adminToken: opts.adminToken ?? '',
      staticDir: opts.staticDir ?? 'dist',
      log,
    }),
  );

  /** Auth runs before the handshake completes; a refusal is still a completed handshake and a close
   * code, because a browser cannot read the HTTP status of a failed upgrade. */
  const upgrade = async (req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> => {
    socket.on('error', () => socket.destroy());
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    const isSync = pathname === PATHS.sync;
    if (!isSync && !pathname.startsWith(`${PATHS.yjs}/`)) return refuseUpgrade(socket, '404 Not Found');
    const wss = isSync ? syncWss : liveWss;
    const unavailable = (what: string) => (err: unknown) => {
      logEvent(log, what, { error: err instanceof Error ? err.message : String(err) });
      return null;
    };
    const auth = await authenticate(opts.store, req).catch(unavailable('auth_error'));
    // A live doc's access is settled before the handshake completes, so no frame arrives meanwhile.
    const access = auth?.ok === true && !isSync ? await live.authorize(auth.device, pathname).catch(unavailable('auth_error')) : null;
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      // Without an 'error' listener a malformed frame (bad RSV bit, opcode, oversized) would throw.
      ws.on('error', (err) => logEvent(log, 'ws_error', { path: isSync ? 'sync' : 'yjs', error: err.message }));
      try {
        if (auth === null) return closeWith(ws, CloseCode.ServerError, 'auth unavailable');
        if (!auth.ok) return closeWith(ws, auth.code, auth.code === CloseCode.Revoked ? 'revoked' : 'unauthorized');
        const refuse = (err: Refusal): void => {
          logRefusal(log, auth.device, err, isSync ? 'sync' : 'live');
          const { code, reason } = closeCodeFor(err);
          closeWith(ws, code, reason);
        };
        // S21: counted before admission, so a device's flood of sockets takes no admission slot.
        const crowded = socketRefusal(hub.socketCount(auth.device.id));
        if (crowded !== null) return refuse(crowded);
        if (isSync) {
          // Before the Welcome, so a refused device has sent nothing and loses nothing.
          if (!admission.admit(ws)) return closeWith(ws, CloseCode.Busy, busyReason(admission.retryAfterMs()));
          hub.attach(auth.device.id, ws);
          admission.track(ws, catchup.accept(ws, auth.device));
          return;
        }
        if (access === null) return closeWith(ws, CloseCode.ServerError, 'auth unavailable');
        if (!access.ok) return refuse(new Refusal(access.code, access.code === CloseCode.Forbidden ? 'S9' : 'S8', access.reason));
        hub.attach(auth.device.id, ws);
        live.accept(ws, auth.device, access.name);
      } catch (err) {
        logEvent(log, 'accept_error', { error: err instanceof Error ? err.message : String(err) });
        closeWith(ws, CloseCode.ServerError, 'server error');
      }
    });
  };
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    upgrade(req, socket, head).catch(() => socket.destroy());
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', (err) => {
      heartbeat.stop();
      void cluster?.close();
      reject(err);
    });
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.removeAllListeners('error');
      server.on('error', (err) => logEvent(log, 'http_server_error', { error: err.message }));
      resolveListen();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.address === '0.0.0.0' || address.address === '::' ? '127.0.0.1' : address.address;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  const compactor = opts.compaction === false ? null : new Compactor(opts.store, log, opts.compaction);
  compactor?.start();

  let closing: Promise<void> | null = null;
  const close = async (): Promise<void> => {
    heartbeat.stop();
    // Stops between two docs: the doc being compacted finishes (one transaction), no other starts.
    const compactorStopped = compactor?.close();
    const stopped = new Promise<void>((done) => server.close(() => done()));
    const sockets = [...syncWss.clients, ...liveWss.clients];
    const grace = new Promise<void>((done) => setTimeout(done, SHUTDOWN_GRACE_MS).unref());
    // Stop reading, let the frames already taken in finish (a batch being written is acknowledged
    // rather than cut off), then say goodbye.
    for (const ws of sockets) ws.pause();
    await Promise.race([catchup.drained(), grace]);
    for (const ws of sockets) {
      closeWith(ws, CloseCode.GoingAway, 'server shutting down');
      // Reading again lets the peer's close frame in; frames after ours are dropped by the queues.
      ws.resume();
    }
    const allClosed = Promise.all(
      sockets.map((ws) => (ws.readyState === ws.CLOSED ? undefined : new Promise((done) => ws.once('close', done)))),
    );
    await Promise.race([allClosed, grace]);
    for (const ws of sockets) ws.terminate();
    syncWss.close();
    liveWss.close();
    server.closeAllConnections();
    await cluster?.close();
    await compactorStopped;
    await stopped;
  };

  return {
    port: address.port,
    url: `http://${urlHost}:${address.port}`,
    close: () => (closing ??= close()),
  };
}
