/**
 * The sync server as a child process: started on a fixed port and data dir so it can be stopped,
 * SIGKILLed and restarted at the same origin (the browser's IndexedDB and service worker are per
 * origin, so a new port would be a new, empty device). It serves the built PWA (dist/) too, so
 * "server down" is "the device is offline".
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import type { EnrollResponse } from '../../../src/protocol/http.ts';
import type { LogSink } from './logs.ts';

export const ROOT = new URL('../../../', import.meta.url).pathname;

/** A free TCP port on 127.0.0.1, reserved by listening on 0 and releasing it. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      if (addr === null || typeof addr === 'string') return reject(new Error('no port'));
      srv.close(() => resolve(addr.port));
    });
  });
}

/** A JSON line the server printed, with the raw text kept for the report. */
export interface ServerEvent {
  readonly ev?: string;
  readonly [key: string]: unknown;
}

export interface PushAck {
  readonly device: string;
  readonly batchId: string;
  readonly first: number;
  readonly last: number;
  readonly count: number;
  readonly duplicate: boolean;
}

export interface DocInfo {
  readonly doc: string;
  readonly rows: number;
  readonly lastSeq: number;
}

export interface Stats {
  readonly headSeq: number;
  readonly rows: number;
  readonly batches: number;
  readonly devices: number;
}

export interface ServerOptions {
  readonly port: number;
  readonly dataDir: string;
  readonly logs: LogSink;
  readonly adminToken?: string;
  readonly staticDir?: string;
  /** PostgreSQL instead of the SQLite file in dataDir: one node of a data center. */
  readonly databaseUrl?: string;
  /** 'demo' (the default: the tests sign in as the seeded demo officers) or 'production'. */
  readonly mode?: 'demo' | 'production';
}

type LineListener = (line: string, event: ServerEvent | null) => void;

export class SyncServer {
  readonly port: number;
  readonly dataDir: string;
  readonly adminToken: string;
  readonly staticDir: string;
  readonly databaseUrl: string;
  readonly mode: 'demo' | 'production';
  /** Every stdout line of every run of this server (runs separated by a "=== start" marker). */
  readonly lines: string[] = [];
  /** Parsed JSON lines of every run, in order, tagged with the run number. */
  readonly events: { run: number; event: ServerEvent }[] = [];
  private readonly logs: LogSink;
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private listeners = new Set<LineListener>();
  private run = 0;
  private stderrTail = '';

  constructor(opts: ServerOptions) {
    this.port = opts.port;
    this.dataDir = opts.dataDir;
    this.logs = opts.logs;
    // 32 characters at least, or the server refuses to start.
    this.adminToken = opts.adminToken ?? `e2e-admin-${randomUUID()}`;
    this.staticDir = opts.staticDir ?? `${ROOT}dist`;
    this.databaseUrl = opts.databaseUrl ?? '';
    this.mode = opts.mode ?? 'demo';
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== null;
  }

  get currentRun(): number {
    return this.run;
  }

  /** Starts the server and resolves once it printed `READY port=<port>`. */
  async start(timeoutMs = 60_000): Promise<void> {
    if (this.child) throw new Error('sync server already running');
    this.run += 1;
    const run = this.run;
    this.lines.push(`=== start run ${run}`);
    this.logs.add(`[server] start run ${run} port=${this.port} data=${this.dataDir}`);
    this.stderrTail = '';
    const child = spawn(process.execPath, ['--import', 'tsx', 'sync-server/main.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: String(this.port),
        HOST: '127.0.0.1',
        DATA_DIR: this.dataDir,
        STATIC_DIR: this.staticDir,
        ADMIN_TOKEN: this.adminToken,
        // Set even when empty: a DATABASE_URL in the developer's shell must not turn a SQLite test into a PostgreSQL one.
        DATABASE_URL: this.databaseUrl,
        MOTCUA_MODE: this.mode,
        TRUSTED_PROXY_HEADER: '',
        NODE_ENV: 'test',
      },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.exited = new Promise((resolve) => {
      // 'close', not 'exit': it fires after stdout is drained, so every line the server wrote before
      // dying is in `lines` by then (the server-kill test counts the acks it printed).
      child.once('close', (code, signal) => {
        this.logs.add(`[server] run ${run} exited code=${code} signal=${signal}`);
        if (this.child === child) this.child = null;
        resolve();
      });
    });
    const stdout = child.stdout;
    const stderr = child.stderr;
    if (!stdout || !stderr) throw new Error('no stdio');
    createInterface({ input: stdout }).on('line', (line) => this.onLine(run, line));
    createInterface({ input: stderr }).on('line', (line) => {
      this.stderrTail = (this.stderrTail + line + '\n').slice(-4000);
      this.logs.add(`[server stderr] ${line}`);
    });
    const readyRe = new RegExp(`READY port=${this.port}\\b`);
    try {
      await Promise.race([
        this.waitForLine((line) => readyRe.test(line), timeoutMs),
        this.exited.then(() => {
          throw new Error(`sync server exited before READY; stderr:\n${this.stderrTail}`);
        }),
      ]);
    } catch (err) {
      await this.kill();
      throw err;
    }
  }

  private onLine(run: number, line: string): void {
    this.lines.push(line);
    this.logs.add(`[server] ${line}`);
    let event: ServerEvent | null = null;
    if (line.startsWith('{')) {
      try {
        event = JSON.parse(line) as ServerEvent;
        this.events.push({ run, event });
      } catch {
        event = null;
      }
    }
    for (const l of [...this.listeners]) l(line, event);
  }

  /** Resolves with the first line (from now on) that matches. */
  waitForLine(match: (line: string, event: ServerEvent | null) => boolean, timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const listener: LineListener = (line, event) => {
        if (!match(line, event)) return;
        this.listeners.delete(listener);
        clearTimeout(timer);
        resolve(line);
      };
      const timer = setTimeout(() => {
        this.listeners.delete(listener);
        reject(new Error(`sync server: no matching stdout line within ${timeoutMs} ms`));
      }, timeoutMs);
      this.listeners.add(listener);
    });
  }

  /** Calls `onLine` synchronously for every stdout line from now on (to react within one tick). */
  onEachLine(fn: LineListener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** push_ack events, optionally of one run only. */
  pushAcks(run?: number): PushAck[] {
    return this.events
      .filter((e) => (run === undefined || e.run === run) && e.event.ev === 'push_ack')
      .map((e) => e.event as unknown as PushAck);
  }

  /** A clean stop (SIGTERM), then SIGKILL if it hangs. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child?.pid) return;
    this.logs.add('[server] stop (SIGTERM)');
    signalGroup(child.pid, 'SIGTERM');
    const done = await Promise.race([this.exited.then(() => true), delay(10_000).then(() => false)]);
    if (!done) {
      this.logs.add('[server] did not stop in 10 s: SIGKILL');
      await this.kill();
    }
  }

  /** The crash: SIGKILL to the server's process group, nothing flushed. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child?.pid) return;
    this.logs.add('[server] SIGKILL');
    signalGroup(child.pid, 'SIGKILL');
    await this.exited;
  }

  /** SIGKILL from inside a stdout listener: no await between the line and the signal. */
  killNow(): void {
    const pid = this.child?.pid;
    if (pid === undefined) return;
    signalGroup(pid, 'SIGKILL');
    this.logs.add('[server] SIGKILL (immediate)');
  }

  waitExited(): Promise<void> {
    return this.exited;
  }

  // --- Admin API -------------------------------------------------------------------------------

  private async admin<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.adminToken}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} -> ${res.status}: ${text}`);
    return JSON.parse(text) as T;
  }

  /** A fresh enrollment code for a device of `unit`. */
  async createEnrollment(unit: string, uses = 1): Promise<string> {
    const res = await this.admin<{ code: string }>('POST', '/api/admin/enrollments', { unit, uses });
    if (typeof res.code !== 'string' || res.code === '') throw new Error(`bad enrollment answer ${JSON.stringify(res)}`);
    return res.code;
  }

  /** Adds an officer to a unit (only 20209 has seeded ones); devices enrolled afterwards know them. */
  async createOfficer(unit: string, username: string, password: string): Promise<void> {
    await this.admin('POST', '/api/admin/officers', { unit, username, password, displayName: `Cán bộ ${username}`, role: 'counter' });
  }

  async docs(unit: string): Promise<DocInfo[]> {
    return this.admin<DocInfo[]>('GET', `/api/admin/docs?unit=${encodeURIComponent(unit)}`);
  }

  async stats(): Promise<Stats> {
    return this.admin<Stats>('GET', '/api/admin/stats');
  }

  /** Enrolls a headless device from Node (as the PWA would), returning its token. */
  async enrollDevice(code: string, label: string): Promise<EnrollResponse> {
    const res = await fetch(`${this.url}/api/enroll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code, label }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`POST /api/enroll -> ${res.status}: ${text}`);
    return JSON.parse(text) as EnrollResponse;
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Doc names of the dossiers among a unit's docs. */
export function dossierDocs(docs: readonly DocInfo[]): DocInfo[] {
  return docs.filter((d) => d.doc.split('/')[1] === 'dossier');
}
