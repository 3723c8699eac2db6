/**
 * One sync server node as a child process, started the way an operator starts it
 * (`tsx sync-server/main.ts` with PORT, DATA_DIR, ADMIN_TOKEN and, for PostgreSQL, DATABASE_URL),
 * with its memory and CPU read from /proc/<pid> and its admin API at hand.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import type { EnrollResponse } from '../../src/protocol/http.ts';
import type { DocStat, StoreStats } from '../../sync-server/store/types.ts';
import { PROFILE } from './config.ts';
import { processCpuSeconds } from './proc.ts';

export interface NodeOptions {
  readonly name: string;
  readonly dataDir: string;
  readonly adminToken: string;
  readonly databaseUrl?: string;
  /** Where --cpu-prof writes (a directory per node inside), when BENCH_SERVER_PROFILE=1. */
  readonly profileDir: string;
}

/** The repository: the server runs from here, as `npm run serve` does. */
const ROOT = new URL('../../', import.meta.url).pathname;

/** A free TCP port on 127.0.0.1, reserved by listening on 0 and releasing it. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      if (addr === null || typeof addr === 'string') return reject(new Error('no port'));
      srv.close(() => resolve(addr.port));
    });
  });
}

/** Lines of stdout and stderr kept for the report when something fails. */
const TAIL_LINES = 60;

export class ServerNode {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private readonly tail: string[] = [];
  private sampler: ReturnType<typeof setInterval> | null = null;
  /** Highest VmRSS seen by the sampler, kB. */
  peakRssKb = 0;
  /** Its `refused` log lines (a socket closed for a rule, S19-S21): an honest device gets none. */
  readonly refusals: string[] = [];
  port = 0;

  constructor(readonly o: NodeOptions) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  get pid(): number {
    const pid = this.child?.pid;
    if (pid === undefined) throw new Error(`${this.o.name}: not running`);
    return pid;
  }

  /** The last lines the server printed (its errors, when it failed). */
  lastLines(): string {
    return this.tail.join('\n');
  }

  async start(timeoutMs = 120_000): Promise<void> {
    this.port = await freePort();
    mkdirSync(this.o.dataDir, { recursive: true });
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(this.port),
      HOST: '127.0.0.1',
      DATA_DIR: this.o.dataDir,
      STATIC_DIR: join(this.o.dataDir, 'no-ui'),
      ADMIN_TOKEN: this.o.adminToken,
      // Production: the bench makes its own codes and needs no demo data.
      MOTCUA_MODE: 'production',
    };
    delete env['DATABASE_URL'];
    if (this.o.databaseUrl !== undefined) env['DATABASE_URL'] = this.o.databaseUrl;
    // A directory per node: tsx's loader thread writes a profile too, and a fixed name would let it
    // overwrite the main thread's. The main thread's is the largest file.
    const flags = PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${join(this.o.profileDir, this.o.name)}`] : [];
    const child = spawn(process.execPath, [...flags, '--import', 'tsx', 'sync-server/main.ts'], {
      cwd: ROOT,
      env,
      // Its own process group, so a Ctrl-C of the bench reaches it only through stop().
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('close', () => resolve()));
    let ready: (() => void) | null = null;
    const readyLine = new Promise<void>((resolve) => (ready = resolve));
    const keep = (line: string): void => {
      this.tail.push(line);
      if (this.tail.length > TAIL_LINES) this.tail.shift();
    };
    // Both pipes are always read: a full pipe would block the server's writes, and so the server.
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      if (!line.startsWith('{"ev":"push_ack"') && !line.startsWith('{"ev":"sync_')) keep(line);
      if (line.startsWith('{"ev":"refused"')) this.refusals.push(line);
      if (line.startsWith(`READY port=${this.port}`)) ready?.();
    });
    createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) => keep(`[stderr] ${line}`));
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        readyLine,
        this.exited.then(() => {
          throw new Error(`${this.o.name} exited before READY:\n${this.lastLines()}`);
        }),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${this.o.name}: no READY in ${timeoutMs} ms`)), timeoutMs))),
      ]);
    } catch (e) {
      await this.stop();
      throw e;
    } finally {
      clearTimeout(timer);
    }
    this.sampler = setInterval(() => this.sample(), 200);
  }

  /** Whether the node opened an SQLite file: with DATABASE_URL set it must not have. */
  openedSqlite(): boolean {
    return existsSync(join(this.o.dataDir, 'motcua.sqlite'));
  }

  private sample(): void {
    const rss = this.status('VmRSS');
    if (rss !== null && rss > this.peakRssKb) this.peakRssKb = rss;
  }

  /** A kB field of /proc/<pid>/status, or null once the process is gone. */
  status(field: 'VmRSS' | 'VmHWM'): number | null {
    try {
      const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'));
      return m === null ? null : Number(m[1]);
    } catch {
      return null;
    }
  }

  /** User + system CPU seconds the process used so far. */
  cpuSeconds(): number {
    return processCpuSeconds(this.pid);
  }

  /** A clean stop (SIGTERM, so a CPU profile is written), SIGKILL after 15 s. */
  async stop(): Promise<void> {
    if (this.sampler !== null) clearInterval(this.sampler);
    this.sampler = null;
    const pid = this.child?.pid;
    if (pid === undefined) return;
    signal(pid, 'SIGTERM');
    const done = await Promise.race([this.exited.then(() => true), sleep(15_000).then(() => false)]);
    if (!done) {
      signal(pid, 'SIGKILL');
      await this.exited;
    }
    this.child = null;
  }

  private async admin<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.o.adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${this.o.name}: ${method} ${path} -> ${res.status}: ${text}`);
    return JSON.parse(text) as T;
  }

  async createEnrollment(unit: string, uses: number, role: 'counter' | 'department' = 'counter'): Promise<string> {
    return (await this.admin<{ code: string }>('POST', '/api/admin/enrollments', { unit, uses, role })).code;
  }

  stats(): Promise<StoreStats> {
    return this.admin<StoreStats>('GET', '/api/admin/stats');
  }

  docStats(unit: string): Promise<DocStat[]> {
    return this.admin<DocStat[]>('GET', `/api/admin/docs?unit=${unit}&limit=100000`);
  }

  /** Enrolls a device as the PWA does (POST /api/enroll with the code an admin handed out). */
  async enroll(code: string, label: string): Promise<EnrollResponse> {
    const res = await fetch(`${this.url}/api/enroll`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code, label }) });
    const text = await res.text();
    if (!res.ok) throw new Error(`${this.o.name}: POST /api/enroll -> ${res.status}: ${text}`);
    return JSON.parse(text) as EnrollResponse;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
