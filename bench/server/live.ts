/**
 * Delivery latency of a live edit: the stock y-websocket client on one node calls the next ticket
 * of a commune's queue doc (`/yjs/{unit}/queue/{day}`), another client (the hall's display) on a
 * node sees it. With two nodes they are on different nodes, so the edit crosses them; with one,
 * both are on the same node. Edits go at a steady pace whether or not earlier ones arrived, so a
 * slow delivery does not thin the sample. The counter writes under one of its device's live ids
 * (S19: liveWriterIdOf), else the server closes its socket with 4421 and the edit is lost.
 */
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { vnIsoDay } from '../../src/domain/time.ts';
import { PATHS, SUBPROTOCOL, TOKEN_PROTOCOL_PREFIX } from '../../src/protocol/constants.ts';
import { docName } from '../../src/protocol/doc-names.ts';
import { liveWriterIdOf } from '../../src/worker/dossier-doc.ts';
import type { ProbeDevice } from './enroll.ts';

export interface LiveResult {
  readonly latenciesMs: number[];
  readonly sent: number;
  readonly lost: number;
  /** Times either client's link dropped during the sample (it then resyncs in one update). */
  readonly reconnects: number;
}

interface Call {
  readonly ticket: number;
  readonly counter: number;
}

/** The counter's live slot: the only tab of its device that opens the queue. */
const WRITER_SLOT = 1;

/**
 * A client of live doc `doc`; `clientId` is set on the fresh doc before anything is synced into it.
 * The provider keeps that doc across reconnects, and a reconnect's sync step 2 brings only what the
 * doc lacks, never its own items: Yjs would give the doc a random id if a remote update brought items
 * under its id ("another client seems to be using it"). Every configuration opens a new probe.
 */
function provider(httpUrl: string, doc: string, token: string, clientId?: number): WebsocketProvider {
  const ydoc = new Y.Doc();
  if (clientId !== undefined) ydoc.clientID = clientId;
  return new WebsocketProvider(`${httpUrl.replace(/^http/, 'ws')}${PATHS.yjs}`, doc, ydoc, {
    disableBc: true,
    // ws stands in for the browser's WebSocket; the token rides in the subprotocol list, as the PWA sends it.
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    protocols: [SUBPROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${token}`],
  });
}

function synced(p: WebsocketProvider, timeoutMs: number): Promise<void> {
  if (p.synced) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`live doc not synced within ${timeoutMs} ms`)), timeoutMs);
    p.on('sync', (s: boolean) => {
      if (!s) return;
      clearTimeout(timer);
      resolve();
    });
  });
}

export class LiveProbe {
  private readonly sentAt = new Map<number, number>();
  private latencies: number[] = [];
  private timer: ReturnType<typeof setInterval> | null = null;
  /** Tickets keep counting across samples, so a late arrival of one is never taken for another's. */
  private ticket = 0;
  private planned = 0;
  private drops = 0;
  private allArrived: (() => void) | null = null;

  private constructor(
    private readonly writer: WebsocketProvider,
    private readonly reader: WebsocketProvider,
    /** The writer's owned client id (S19). */
    private readonly owned: number,
  ) {
    for (const p of [writer, reader]) p.on('connection-close', () => void this.drops++);
    reader.doc.getArray<Call>('calls').observe((event) => {
      const now = performance.now();
      for (const item of event.changes.added) {
        for (const call of item.content.getContent() as Call[]) {
          const at = this.sentAt.get(call.ticket);
          if (at === undefined) continue;
          this.sentAt.delete(call.ticket);
          this.latencies.push(now - at);
        }
      }
      if (this.sentAt.size === 0) this.allArrived?.();
    });
  }

  /**
   * Both clients connected and synced: the counter on `writerUrl`, writing as `writer`'s live slot,
   * and the display on `readerUrl` (it only reads, so its doc's random id writes nothing).
   */
  static async open(unit: string, writerUrl: string, writer: ProbeDevice, readerUrl: string, readerToken: string): Promise<LiveProbe> {
    const doc = docName(unit, 'queue', vnIsoDay(Date.now()));
    const owned = liveWriterIdOf(writer.deviceId, WRITER_SLOT);
    const counter = provider(writerUrl, doc, writer.token, owned);
    const display = provider(readerUrl, doc, readerToken);
    await Promise.all([synced(counter, 30_000), synced(display, 30_000)]);
    return new LiveProbe(counter, display, owned);
  }

  /** Starts a sample of `count` edits, one every `everyMs`. */
  start(count: number, everyMs: number): void {
    this.latencies = [];
    this.sentAt.clear();
    this.drops = 0;
    this.planned = count;
    let sent = 0;
    const calls = this.writer.doc.getArray<Call>('calls');
    this.timer = setInterval(() => {
      // A call under any other id would be refused (4421): the sample fails instead (finish).
      if (this.writer.doc.clientID !== this.owned) return;
      const ticket = ++this.ticket;
      this.sentAt.set(ticket, performance.now());
      calls.push([{ ticket, counter: 1 + (ticket % 3) }]);
      if (++sent >= count && this.timer !== null) clearInterval(this.timer);
    }, everyMs);
  }

  /** Waits for the sample's edits still on their way, up to `timeoutMs`; what has not arrived then is lost. */
  async finish(timeoutMs: number): Promise<LiveResult> {
    const deadline = performance.now() + timeoutMs;
    while (this.latencies.length + this.sentAt.size < this.planned && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    if (this.sentAt.size > 0) {
      await Promise.race([new Promise<void>((r) => (this.allArrived = r)), new Promise((r) => setTimeout(r, Math.max(0, deadline - performance.now())))]);
    }
    this.allArrived = null;
    if (this.timer !== null) clearInterval(this.timer);
    if (this.writer.doc.clientID !== this.owned) throw new Error(`live probe: Yjs changed the writer's client id from ${this.owned} to ${this.writer.doc.clientID}, which it does not own (S19)`);
    const sent = this.latencies.length + this.sentAt.size;
    const result = { latenciesMs: [...this.latencies], sent, lost: this.sentAt.size, reconnects: this.drops };
    this.sentAt.clear();
    return result;
  }

  close(): void {
    for (const p of [this.writer, this.reader]) {
      p.destroy();
      p.awareness.destroy();
    }
  }
}
