/**
 * What every benchmark phase shares: the real sync server (child process), our own Chromium (so a
 * profile can be reused and processes killed), CPU throttling of the page AND its workers (CDP for
 * the page, a cgroup CPU quota for the worker thread), JS heap readings, and the login steps an officer takes.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CDPSession, Page } from '@playwright/test';
import { ChromiumProcess } from '../tests/e2e/support/chromium.ts';
import { LogSink } from '../tests/e2e/support/logs.ts';
import { freePort, SyncServer } from '../tests/e2e/support/server.ts';
import { PageTargets } from './cdp.ts';
import { WorkerCpuLimit } from './worker-cpu.ts';

/** Low-spec laptop (product brief): Chromium with 4x CPU throttling. BENCH_CPU_RATE overrides. */
export const CPU_RATE = Number(process.env['BENCH_CPU_RATE'] ?? 4);

export type Figure = number | string | boolean;

export interface BenchContext {
  readonly dir: string;
  readonly logs: LogSink;
  /** Every key the run measured, written to bench/results.json. */
  readonly results: Record<string, Figure>;
  /** Notes printed under the table (what a figure means, what was seen). */
  readonly notes: string[];
  log(msg: string): void;
}

export function newContext(dir: string): BenchContext {
  const logs = new LogSink();
  const started = Date.now();
  return {
    dir,
    logs,
    results: {},
    notes: [],
    log(msg: string): void {
      logs.add(msg);
      console.log(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${msg}`);
    },
  };
}

/** Every sync server the bench started (child processes in their own groups), stopped on Ctrl-C. */
export const servers = new Set<SyncServer>();

export async function startServer(ctx: BenchContext, name: string, dataDir?: string): Promise<SyncServer> {
  const server = new SyncServer({ port: await freePort(), dataDir: dataDir ?? join(ctx.dir, `${name}-data`), logs: ctx.logs });
  await server.start(180_000);
  servers.add(server);
  return server;
}

export interface Browser {
  chrome: ChromiumProcess;
  page: Page;
  cdp: CDPSession;
}

/** Every Chromium the bench started: killed on Ctrl-C (they run detached, in their own process groups). */
export const launched = new Set<ChromiumProcess>();

export async function launchBrowser(ctx: BenchContext, name: string): Promise<Browser> {
  const profileDir = join(ctx.dir, `${name}-profile`);
  mkdirSync(profileDir, { recursive: true });
  const chrome = await ChromiumProcess.launch({ profileDir, name, logs: ctx.logs, stderrFile: join(ctx.dir, `${name}-chromium.log`) });
  launched.add(chrome);
  const page = await chrome.page();
  const cdp = await chrome.context.newCDPSession(page);
  return { chrome, page, cdp };
}

/** Raw CDP on the page and its workers (bench/cdp.ts), and the worker threads' CPU limit: one per Browser. */
export interface Probe {
  targets: PageTargets;
  /** Each worker thread put in the cgroup as its worker started: how long finding it took (the worker waits meanwhile). */
  adoptions: { type: string; tids: number[]; ms: number }[];
  /** null where no cgroup can be made (not root, no cgroup v1 cpu controller): workers run unthrottled. */
  workerCpu: WorkerCpuLimit | null;
}

const probes = new WeakMap<Browser, Promise<Probe>>();

export function probe(b: Browser): Promise<Probe> {
  let p = probes.get(b);
  if (p === undefined) {
    p = (async () => {
      const { targetInfo } = await b.cdp.send('Target.getTargetInfo');
      const targets = await PageTargets.attach(b.chrome.endpoint, targetInfo.targetId);
      const workerCpu = WorkerCpuLimit.create(b.chrome.pid);
      const adoptions: Probe['adoptions'] = [];
      if (workerCpu !== null) {
        workerCpu.adoptWorkers();
        // A new worker (after a reload) waits for its thread to be in the cgroup before it runs a line.
        targets.beforeRun.add(async (w) => {
          // While watch() runs (cold starts) the worker is not held: holding it until its thread shows
          // up would delay it more (tens of ms) than the couple of ms it runs unthrottled before the watcher catches it.
          if (workerCpu.watching) return;
          const started = Date.now();
          const tids = await workerCpu.adoptNewWorker(w.info.type === 'service_worker' ? 'ServiceWorker' : 'DedicatedWorker');
          adoptions.push({ type: w.info.type, tids, ms: Date.now() - started });
        });
      }
      return { targets, workerCpu, adoptions };
    })();
    probes.set(b, p);
  }
  return p;
}

/** After the browser is closed: the CDP connection closed and the worker threads' cgroups removed. */
export async function releaseProbe(b: Browser): Promise<void> {
  const p = probes.get(b);
  if (p === undefined) return;
  probes.delete(b);
  const { targets, workerCpu } = await p.catch(() => ({ targets: null, workerCpu: null }));
  targets?.close();
  workerCpu?.remove();
}

export interface Throttling {
  page: number;
  worker: number;
  /** How the worker is slowed: CDP refuses worker targets, so a cgroup CPU quota on its thread. */
  workerMethod: 'cgroup-cpu-quota' | 'none';
}

/**
 * The low-spec profile: CDP CPU throttling of the page's main thread, and the same rate for its
 * dedicated worker through a cgroup CPU quota on the worker's thread (Chromium refuses
 * Emulation.setCPUThrottlingRate on workers, and the page's rate does not reach them: see bench/cdp.ts).
 * Holds across reloads (the page keeps its rate, each new worker thread is put in the cgroup before it runs).
 */
export async function throttle(b: Browser, rate = CPU_RATE): Promise<Throttling> {
  const { targets, workerCpu } = await probe(b);
  await targets.send('Emulation.setCPUThrottlingRate', { rate });
  if (workerCpu === null) return { page: rate, worker: 1, workerMethod: 'none' };
  workerCpu.adoptWorkers();
  workerCpu.setRate(rate);
  return { page: rate, worker: rate, workerMethod: 'cgroup-cpu-quota' };
}

/** JS heap in MB of the page and of its dedicated workers, each after a garbage collection. */
export async function jsHeapMb(b: Browser): Promise<{ page: number; workers: number; total: number }> {
  const { targets } = await probe(b);
  const pageHeap = await targets.heapBytes();
  let workers = 0;
  for (const w of targets.workers.values()) workers += await targets.heapBytes(w.sessionId).catch(() => 0);
  const mb = (n: number): number => Math.round((n / 1048576) * 10) / 10;
  return { page: mb(pageHeap), workers: mb(workers), total: mb(pageHeap + workers) };
}

/** Enrolls the browser's device in `unit` and signs the demo officer in, leaving the intake form usable. */
/** Where the app is served and who hands out enrollment codes: the server, or the server behind a proxy. */
export interface AppOrigin {
  readonly url: string;
  createEnrollment(unit: string): Promise<string>;
}

export async function enrollAndLogin(page: Page, server: AppOrigin, unit = '20209'): Promise<void> {
  await page.goto(`${server.url}/`);
  await page.getByTestId('enroll-code').fill(await server.createEnrollment(unit));
  await page.getByTestId('enroll-submit').click();
  await login(page);
}

export async function login(page: Page): Promise<void> {
  await page.getByTestId('login-username').fill('demo');
  await page.getByTestId('login-password').fill('demo123456');
  await page.getByTestId('login-submit').click();
  await page.getByTestId('intake-form').waitFor({ timeout: 120_000 });
}

export function pct(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number;
}

export const round = (n: number, digits = 1): number => Math.round(n * 10 ** digits) / 10 ** digits;
