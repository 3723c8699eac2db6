/**
 * A minimal raw Chrome DevTools Protocol client over `ws`, beside Playwright's own connection.
 *
 * Why: Playwright's CDPSession reaches the page, but not the page's dedicated worker, and the worker is
 * where this app does its work (Y.Docs, Dexie, sync). With flat sessions (Target.setAutoAttach
 * flatten: true) one socket to the browser carries commands to the page and to each of its workers,
 * each addressed by sessionId. waitForDebuggerOnStart holds a new worker (after a reload, say) until
 * its settings (CPU throttling) are applied, so no line of it runs at the wrong speed.
 *
 * Measured on Chromium 156: Emulation.setCPUThrottlingRate on the page does NOT slow its dedicated
 * worker (a fixed loop in the worker: 84 ms at rate 1, 83-140 ms at page rate 4, while the same loop
 * on the page went 89 -> 299-366 ms), and the worker's own session refuses it ("Operation is only
 * supported for pages, not workers"). The worker's thread is slowed by bench/worker-cpu.ts instead,
 * from a `beforeRun` hook here, before its first line runs.
 */
import WebSocket from 'ws';

type Params = Record<string, unknown>;
type Handler = (params: Params, sessionId: string | undefined) => void;

interface Reply {
  id?: number;
  method?: string;
  params?: Params;
  result?: unknown;
  error?: { code: number; message: string; data?: string };
  sessionId?: string;
}

export class CdpConnection {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; method: string }>();
  private readonly handlers = new Map<string, Set<Handler>>();
  private closed = false;

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: WebSocket.RawData) => this.onMessage(data));
    ws.on('close', () => this.onClose());
    // A browser killed under us (power cut) closes the socket; errors are reported through pending calls.
    ws.on('error', () => this.onClose());
  }

  static connect(endpoint: string, timeoutMs = 10_000): Promise<CdpConnection> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(endpoint, { perMessageDeflate: false, maxPayload: 512 * 1024 * 1024 });
      const timer = setTimeout(() => {
        ws.terminate();
        reject(new Error(`CDP: no connection to ${endpoint} within ${timeoutMs} ms`));
      }, timeoutMs);
      ws.once('open', () => {
        clearTimeout(timer);
        resolve(new CdpConnection(ws));
      });
      ws.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  send<T = Params>(method: string, params: Params = {}, sessionId?: string): Promise<T> {
    if (this.closed) return Promise.reject(new Error(`CDP ${method}: connection closed`));
    const id = this.nextId++;
    const msg = sessionId === undefined ? { id, method, params } : { id, method, params, sessionId };
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, method });
      this.ws.send(JSON.stringify(msg), (err) => {
        if (err) {
          this.pending.delete(id);
          reject(err);
        }
      });
    });
  }

  /** Subscribes to an event (of any session); returns the unsubscribe function. */
  on(method: string, handler: Handler): () => void {
    let set = this.handlers.get(method);
    if (set === undefined) this.handlers.set(method, (set = new Set()));
    set.add(handler);
    return () => set.delete(handler);
  }

  /** Resolves with the params of the first `method` event (of `sessionId`, when given) that matches. */
  waitFor(method: string, match: (p: Params) => boolean = () => true, sessionId?: string, timeoutMs = 30_000): Promise<Params> {
    return new Promise((resolve, reject) => {
      const off = this.on(method, (p, s) => {
        if (sessionId !== undefined && s !== sessionId) return;
        if (!match(p)) return;
        off();
        clearTimeout(timer);
        resolve(p);
      });
      const timer = setTimeout(() => {
        off();
        reject(new Error(`CDP: no ${method} within ${timeoutMs} ms`));
      }, timeoutMs);
    });
  }

  close(): void {
    if (this.closed) return;
    this.ws.close();
    this.onClose();
  }

  private onMessage(data: WebSocket.RawData): void {
    const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
    const msg = JSON.parse(text) as Reply;
    if (msg.id !== undefined) {
      const p = this.pending.get(msg.id);
      if (p === undefined) return;
      this.pending.delete(msg.id);
      if (msg.error) p.reject(new Error(`CDP ${p.method}: ${msg.error.message}${msg.error.data ? ` (${msg.error.data})` : ''}`));
      else p.resolve(msg.result);
      return;
    }
    if (msg.method === undefined) return;
    for (const h of [...(this.handlers.get(msg.method) ?? [])]) h(msg.params ?? {}, msg.sessionId);
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    for (const [, p] of this.pending) p.reject(new Error(`CDP ${p.method}: connection closed`));
    this.pending.clear();
  }
}

export interface TargetInfo {
  targetId: string;
  type: string;
  url: string;
  title?: string;
}

export interface WorkerTarget {
  sessionId: string;
  info: TargetInfo;
}

/**
 * One page and its dedicated workers, present and future, on flat sessions of one connection, and the
 * browser's service workers (auto-attached at the browser level, filtered to that type). A new worker
 * of either kind is held (waitForDebuggerOnStart) until every `beforeRun` hook has run, so a setting
 * made there (its thread's CPU limit) holds from its first line.
 */
export class PageTargets {
  readonly workers = new Map<string, WorkerTarget>();
  /** Run for each new worker before it is let go. */
  readonly beforeRun = new Set<(w: WorkerTarget) => Promise<void>>();
  private readonly listeners = new Set<(w: WorkerTarget) => void>();

  private constructor(
    readonly conn: CdpConnection,
    readonly pageSession: string,
    readonly pageTargetId: string,
  ) {}

  /** Attaches to the page target `targetId` and auto-attaches to its workers. */
  static async attach(endpoint: string, targetId: string): Promise<PageTargets> {
    const conn = await CdpConnection.connect(endpoint);
    const { sessionId } = await conn.send<{ sessionId: string }>('Target.attachToTarget', { targetId, flatten: true });
    const t = new PageTargets(conn, sessionId, targetId);
    conn.on('Target.attachedToTarget', (p, parent) => t.onAttached(p, parent));
    conn.on('Target.detachedFromTarget', (p) => {
      t.workers.delete(String(p['sessionId']));
    });
    await conn.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: true, flatten: true }, sessionId);
    await conn.send('Target.setAutoAttach', {
      autoAttach: true,
      waitForDebuggerOnStart: true,
      flatten: true,
      filter: [{ type: 'service_worker', exclude: false }],
    });
    return t;
  }

  /** A command to the page session, or to the worker session given. */
  send<T = Params>(method: string, params: Params = {}, sessionId: string = this.pageSession): Promise<T> {
    return this.conn.send<T>(method, params, sessionId);
  }

  /** Called for every worker attached from now on (and at once for those already attached). */
  onWorker(fn: (w: WorkerTarget) => void): () => void {
    for (const w of this.workers.values()) fn(w);
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** The first dedicated worker whose URL matches, waiting for it when none is attached yet. */
  async worker(match: (url: string) => boolean = () => true, timeoutMs = 30_000): Promise<WorkerTarget> {
    for (const w of this.workers.values()) if (match(w.info.url)) return w;
    return new Promise((resolve, reject) => {
      const off = this.onWorker((w) => {
        if (!match(w.info.url)) return;
        off();
        clearTimeout(timer);
        resolve(w);
      });
      const timer = setTimeout(() => {
        off();
        reject(new Error(`CDP: no matching worker within ${timeoutMs} ms`));
      }, timeoutMs);
    });
  }

  /** JS heap in bytes (Runtime.getHeapUsage usedSize) of one session, after a full garbage collection. */
  async heapBytes(sessionId: string = this.pageSession): Promise<number> {
    await this.send('HeapProfiler.collectGarbage', {}, sessionId);
    const { usedSize } = await this.send<{ usedSize: number; totalSize: number }>('Runtime.getHeapUsage', {}, sessionId);
    return usedSize;
  }

  close(): void {
    this.conn.close();
  }

  private onAttached(p: Params, parent: string | undefined): void {
    const info = p['targetInfo'] as TargetInfo;
    // The page's children, and service workers from the browser-level auto-attach.
    if (parent !== this.pageSession && !(parent === undefined && info.type === 'service_worker')) return;
    const sessionId = String(p['sessionId']);
    const waiting = p['waitingForDebugger'] === true;
    const w: WorkerTarget = { sessionId, info };
    if (info.type === 'worker') this.workers.set(sessionId, w);
    void (async () => {
      if (info.type === 'worker' || info.type === 'service_worker') {
        for (const hook of [...this.beforeRun]) await hook(w).catch(() => undefined);
      }
      // An iframe or anything else auto-attached is let go at once: we do not follow it.
      if (waiting) await this.send('Runtime.runIfWaitingForDebugger', {}, sessionId).catch(() => undefined);
      if (info.type === 'worker') for (const fn of [...this.listeners]) fn(w);
    })();
  }
}

export interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  args?: Record<string, unknown>;
}

/**
 * Records a Chrome trace of the whole browser (Tracing domain on the browser target) while `fn`
 * runs, and returns its events. Keep the categories narrow: every process and thread is recorded.
 */
export async function traceWhile<T>(conn: CdpConnection, categories: readonly string[], fn: () => Promise<T>): Promise<{ result: T; events: TraceEvent[] }> {
  await conn.send('Tracing.start', {
    transferMode: 'ReturnAsStream',
    traceConfig: { recordMode: 'recordContinuously', includedCategories: categories, excludedCategories: ['*'] },
  });
  let result: T;
  try {
    result = await fn();
  } catch (e) {
    await stopTrace(conn).catch(() => undefined);
    throw e;
  }
  return { result, events: await stopTrace(conn) };
}

async function stopTrace(conn: CdpConnection): Promise<TraceEvent[]> {
  const complete = conn.waitFor('Tracing.tracingComplete', () => true, undefined, 120_000);
  await conn.send('Tracing.end');
  const stream = String((await complete)['stream']);
  const parts: string[] = [];
  for (;;) {
    const chunk = await conn.send<{ data: string; eof: boolean; base64Encoded?: boolean }>('IO.read', { handle: stream, size: 1 << 20 });
    parts.push(chunk.base64Encoded === true ? Buffer.from(chunk.data, 'base64').toString('utf8') : chunk.data);
    if (chunk.eof) break;
  }
  await conn.send('IO.close', { handle: stream });
  const parsed = JSON.parse(parts.join('')) as { traceEvents?: TraceEvent[] } | TraceEvent[];
  return Array.isArray(parsed) ? parsed : (parsed.traceEvents ?? []);
}
