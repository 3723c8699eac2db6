/** What the WebSocket channels (/sync and /yjs) share: their dependencies and how frames come in. */
import type { Projector } from '../src/worker/projector.ts';
import type { RawData, WebSocket } from 'ws';
import { CloseCode, LIMITS } from '../src/protocol/constants.ts';
import { ProtocolError } from '../src/protocol/messages.ts';
import { CloseRequest, closeCodeFor, closeWith, logEvent, logRefusal, SerialQueue, TokenBucket, type Heartbeat, type LogFn } from './conn.ts';
import type { EpochInfo } from './epoch.ts';
import type { Hub } from './hub.ts';
import type { DeviceBytes } from './quota.ts';
import type { Device, SyncStore } from './store/types.ts';
import { storeErrorEvent } from './disk-full.ts';

export interface ChannelDeps {
  readonly store: SyncStore;
  readonly hub: Hub;
  readonly heartbeat: Heartbeat;
  readonly log: LogFn;
  /** Projects dossier docs to list rows sent with pulls (see doc-rows.ts). */
  readonly projector: Projector;
  /** The store's identity, settled before the server serves anything (S17). */
  readonly epoch: EpochInfo;
  /** How long after a restore devices may send back others' items and the server's stamps (S19). */
  readonly restoreWindowMs: number;
  /** The bytes each device sent in the last minute, across its sockets (S21). */
  readonly bytes: DeviceBytes;
}

/** ws hands over a Buffer for binary frames ('nodebuffer'); the other shapes are normalised anyway. */
export function frameBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}

export interface FrameHandler<F> {
  readonly channel: 'sync' | 'live';
  readonly device: Device;
  /** Decodes and checks a frame completely, synchronously; throws ProtocolError. */
  parse(bytes: Uint8Array): F;
  /** Acts on a parsed frame; frames are handled one at a time, in arrival order. */
  handle(frame: F): Promise<void>;
  /** The protocol's own ping, sent with every heartbeat, if it has one. */
  appPing?(): void;
}

/**
 * Wires a socket's frames to a handler: each frame marks the peer alive, passes the rate limit and the
 * device's byte quota (S21), must be binary and must parse on arrival; then it is handled in order. Any error closes this socket only,
 * with the close code the error names (S8). Returns the queue, for a first task and for draining.
 */
export function serveFrames<F>(ws: WebSocket, deps: ChannelDeps, handler: FrameHandler<F>): SerialQueue {
  const touch = deps.heartbeat.add(ws, handler.appPing?.bind(handler));
  const bucket = new TokenBucket(LIMITS.maxMessagesPerSecond);
  const fail = (err: unknown): void => {
    const { code, reason } = closeCodeFor(err);
    if (code === CloseCode.ServerError) {
      const error = err instanceof Error ? err.message : String(err);
      logEvent(deps.log, storeErrorEvent(err, `${handler.channel}_error`), { device: handler.device.id, error });
    }
    logRefusal(deps.log, handler.device, err, handler.channel);
    closeWith(ws, code, reason);
  };
  const queue = new SerialQueue(ws, fail);
  ws.on('message', (data, isBinary) => {
    // Frames that follow a refusal are dropped (and not refused, nor logged, again).
    if (ws.readyState !== ws.OPEN) return;
    try {
      touch();
      if (!bucket.take()) throw new CloseRequest(CloseCode.RateLimited, 'rate limited');
      const bytes = frameBytes(data);
      deps.bytes.take(handler.device.id, bytes.byteLength);
      if (!isBinary) throw new ProtocolError('text frame');
      const frame = handler.parse(bytes);
      queue.push(() => handler.handle(frame));
    } catch (err) {
      fail(err);
    }
  });
  return queue;
}
