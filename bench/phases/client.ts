/**
 * The client phases of `npm run bench`: one Chromium, one officer, one long session.
 *
 * 1. CPU calibration: a fixed loop on the page and in the app's worker at rate 1 and at CPU_RATE, so
 *    the run shows the throttling it claims (and that the worker is slowed too: see bench/cdp.ts).
 * 2. cold_start_offline_ms: the app used once (enrolled, signed in, service worker active), then the
 *    service worker stopped, the network off and the server stopped, reload: navigation start to the
 *    sign-in form usable (the session lives only in the worker's memory, S23, so a reload always asks
 *    for it): its user name field enabled; then keys typed into it must land there. first_screen_js_gzip_bytes / worker_js_gzip_bytes: gzip -9 of the dist/
 *    files the page (resp. the worker) loaded before that moment.
 * 3. intake_commit_ms_p50/_p95 over 300 intakes through the form at CPU_RATE, next to
 *    bare_idb_strict_ms_p50/_p95 (the same rows by one bare strict transaction, same page, same rate),
 *    and longest_main_thread_task_ms over those intakes (Long Tasks API).
 * 4. heap_mb_after_day: page + worker JS heap after 1,200 intakes in the session (the last 900
 *    unthrottled, to keep the bench in its time budget).
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { SyncServer } from '../../tests/e2e/support/server.ts';
import { applicant, MIX, prng } from '../data.ts';
import { CPU_RATE, enrollAndLogin, jsHeapMb, launchBrowser, login, pct, probe, releaseProbe, round, throttle, type BenchContext, type Browser } from '../harness.ts';
import { PAGE_LIB } from './page-lib.ts';

const COLD_RUNS = Number(process.env['BENCH_COLD_RUNS'] ?? 5);
const MEASURED_INTAKES = Number(process.env['BENCH_INTAKES'] ?? 300);
const DAY_INTAKES = Number(process.env['BENCH_DAY'] ?? 1200);
/** Before each measured press, wait (up to this long) until the previous intake is confirmed (pending 0). */
const SETTLE_MS = Number(process.env['BENCH_SETTLE_MS'] ?? 3000);
/** ... then this long more, for the server's stamp to come back (the pull after the push). */
const QUIET_MS = Number(process.env['BENCH_QUIET_MS'] ?? 200);

interface Usable {
  at: number;
  paintedAt: number;
  screen: 'intake' | 'login';
  focused: boolean;
  options: number;
}

export interface IntakeItem {
  proc: string;
  name: string;
  cccd: string;
  phone: string;
  address: string;
}

export interface IntakeResult {
  commit: number;
  receipt: number;
  code: string;
}

interface ResourceEntry {
  name: string;
  start: number;
  end: number;
  initiator: string;
}

/** The page-side library (bench/phases/page-lib.ts), as page.evaluate sees it. */
interface PageBench {
  usable: Usable | null;
  ready: Promise<Usable>;
  firstInputAt: number | null;
  longtasks: { start: number; duration: number }[];
  intakes(items: IntakeItem[], opts: { settleMs?: number; quietMs?: number; fast?: boolean }): Promise<IntakeResult[]>;
  procedureCodes(): Promise<string[]>;
  bareIdb(n: number, indexed?: boolean): Promise<{ times: number[]; updateBytes: number; rowBytes: number }>;
  resources(): ResourceEntry[];
}

export type BenchWindow = Window & { __bench: PageBench };

export async function runClientPhases(ctx: BenchContext, server: SyncServer): Promise<void> {
  const started = Date.now();
  const loadBefore = loadavg()[0] ?? NaN;
  const b = await launchBrowser(ctx, 'client');
  const wasRunning = server.running;
  try {
    await b.page.addInitScript(PAGE_LIB);
    ctx.log('client: enroll, sign in, service worker');
    await enrollAndLogin(b.page, server);
    await b.page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    await probe(b);
    await calibrate(ctx, b);
    await coldStart(ctx, b, server);
    await intakes(ctx, b, server);
  } finally {
    if (wasRunning && !server.running) await server.start(180_000);
    await b.chrome.close();
    await releaseProbe(b);
  }
  ctx.results['client_phase_seconds'] = round((Date.now() - started) / 1000, 0);
  // Wall-clock figures depend on what else the machine runs: the load is noted next to them.
  ctx.notes.push(`client phase: load average (1 min) ${round(loadBefore, 2)} at its start, ${round(loadavg()[0] ?? NaN, 2)} at its end.`);
  ctx.log(`client: done in ${ctx.results['client_phase_seconds']} s`);
}

/** A fixed loop, self-contained (it runs in the page and in the worker). */
const spin = (): number => {
  const t0 = performance.now();
  let x = 0;
  for (let i = 0; i < 2e7; i++) x += Math.sqrt(i);
  return performance.now() - t0 + (x < 0 ? 1 : 0);
};

async function loopMs(b: Browser, where: 'page' | 'worker'): Promise<number> {
  const runs: number[] = [];
  for (let i = 0; i < 3; i++) {
    const w = b.page.workers()[0];
    if (where === 'worker' && w === undefined) throw new Error('the app has no worker');
    runs.push(where === 'page' ? await b.page.evaluate(spin) : await (w as NonNullable<typeof w>).evaluate(spin));
  }
  return Math.min(...runs);
}

/** Shows what the throttling does: page and worker, rate 1 and CPU_RATE, and each way of slowing the worker. */
async function calibrate(ctx: BenchContext, b: Browser): Promise<void> {
  const { targets, workerCpu } = await probe(b);
  await throttle(b, 1);
  const page1 = await loopMs(b, 'page');
  const worker1 = await loopMs(b, 'worker');
  // The page's rate only (what Emulation.setCPUThrottlingRate on the page does to its worker).
  await targets.send('Emulation.setCPUThrottlingRate', { rate: CPU_RATE });
  const workerPageRate = await loopMs(b, 'worker');
  let workerCdp = 'refused';
  const w = [...targets.workers.values()][0];
  if (w !== undefined) {
    workerCdp = await targets.send('Emulation.setCPUThrottlingRate', { rate: CPU_RATE }, w.sessionId).then(
      () => 'accepted',
      (e: unknown) => `refused: ${e instanceof Error ? e.message.replace(/^CDP [^:]+: /, '') : String(e)}`,
    );
  }
  const how = await throttle(b, CPU_RATE);
  const pageN = await loopMs(b, 'page');
  const workerN = await loopMs(b, 'worker');
  await throttle(b, 1);
  ctx.results['cpu_slowdown_page'] = round(pageN / page1, 2);
  ctx.results['cpu_slowdown_worker'] = round(workerN / worker1, 2);
  ctx.notes.push(
    `CPU throttling ${CPU_RATE}x: a fixed loop on the page ${round(page1)} -> ${round(pageN)} ms (CDP Emulation.setCPUThrottlingRate on the page). ` +
      `In the app's dedicated worker: ${round(worker1)} ms at rate 1, ${round(workerPageRate)} ms with the page throttled (the page's rate does not reach its worker); ` +
      `the rate sent to the worker's own CDP session was ${workerCdp}; ` +
      (how.workerMethod === 'cgroup-cpu-quota'
        ? `so the worker thread (and the service worker's) is slowed by a cgroup CPU quota of 1/${CPU_RATE} CPU (bench/worker-cpu.ts): ${round(worker1)} -> ${round(workerN)} ms.`
        : `and no cgroup could be made here (not root?): the worker ran UNTHROTTLED (${round(workerN)} ms), so worker-bound figures are optimistic.`),
  );
  ctx.log(`client: cpu page ${round(page1)} -> ${round(pageN)} ms, worker ${round(worker1)} -> ${round(workerN)} ms (${how.workerMethod}; cdp on worker ${workerCdp})`);
  if (workerCpu === null) ctx.log('client: WARNING worker not throttled (no cgroup)');
}

/** gzip -9 of the files (in `dist`, the directory the server serves) the URLs name. */
function gzipBytes(dist: string, urls: Iterable<string>): { bytes: number; files: string[] } {
  let bytes = 0;
  const files: string[] = [];
  for (const url of new Set(urls)) {
    const path = new URL(url).pathname;
    try {
      bytes += gzipSync(readFileSync(join(dist, path)), { level: 9 }).byteLength;
      files.push(path);
    } catch {
      files.push(`${path} (not in dist/)`);
    }
  }
  return { bytes, files };
}

async function coldStart(ctx: BenchContext, b: Browser, server: SyncServer): Promise<void> {
  const { targets, adoptions, workerCpu } = await probe(b);
  ctx.log(`client: cold start offline, ${COLD_RUNS} runs at ${CPU_RATE}x`);
  await b.chrome.context.setOffline(true);
  await server.stop();
  await throttle(b, CPU_RATE);
  await targets.send('ServiceWorker.enable');
  // The service worker restarts on each reload under the same target (CDP cannot hold it): its new
  // thread is put in its cgroup by looking for it every 2 ms.
  const unwatch = workerCpu?.watch(2) ?? (() => undefined);
  const runs: number[] = [];
  const painted: number[] = [];
  const typed: number[] = [];
  let page: ResourceEntry[] = [];
  let worker: { url: string; entries: ResourceEntry[] } = { url: '', entries: [] };
  let last: Usable | null = null;
  for (let i = 0; i < COLD_RUNS; i++) {
    await targets.send('ServiceWorker.stopAllWorkers');
    const adopted = adoptions.length;
    await b.page.reload({ waitUntil: 'commit' });
    const u = await b.page.evaluate(() => (window as unknown as BenchWindow).__bench.ready);
    // The session lives in the worker's memory (S23): a reload always asks for sign-in.
    if (u.screen !== 'login') throw new Error(`after a reload the app showed the ${u.screen} screen, not the sign-in form`);
    // The proof it is usable: keys typed into the user name land there.
    const name = b.page.getByTestId('login-username');
    await name.focus();
    await b.page.keyboard.type('demo');
    const value = await name.inputValue();
    if (value !== 'demo') throw new Error(`typed "demo" into the user name after the cold start, the field holds "${value}"`);
    const firstInput = await b.page.evaluate(() => (window as unknown as BenchWindow).__bench.firstInputAt);
    runs.push(round(u.at));
    painted.push(round(u.paintedAt));
    typed.push(round(firstInput ?? NaN));
    last = u;
    page = await b.page.evaluate(() => (window as unknown as BenchWindow).__bench.resources());
    const w = b.page.workers()[0];
    if (w !== undefined) {
      worker = {
        url: w.url(),
        entries: await w.evaluate(() =>
          performance.getEntriesByType('resource').map((e) => ({ name: e.name, start: e.startTime, end: (e as PerformanceResourceTiming).responseEnd, initiator: (e as PerformanceResourceTiming).initiatorType })),
        ),
      };
    }
    const held = adoptions.slice(adopted).map((a) => `${a.type} ${a.ms} ms`).join(', ');
    ctx.log(
      `client: cold start ${i + 1}: usable at ${round(u.at)} ms, painted ${round(u.paintedAt)} ms, first key accepted ${round(firstInput ?? NaN)} ms ` +
        `(worker held ${held || 'not at all'} until its thread was in its cgroup; threads slowed now: ${workerCpu?.members().length ?? 0})`,
    );
  }
  unwatch();
  await throttle(b, 1);
  await b.chrome.context.setOffline(false);
  await server.start(180_000);

  ctx.results['cold_start_offline_ms'] = round(pct(runs, 50));
  ctx.results['cold_start_offline_ms_runs'] = runs.join(' ');
  ctx.results['cold_start_offline_painted_ms'] = round(pct(painted, 50));
  ctx.notes.push(
    `cold_start_offline_ms: after a reload the app shows the sign-in form (the session lives only in the worker's memory, S23). ` +
      `Measured from navigation start (the new document's time origin) to that form enabled, its user name field ` +
      `${last?.focused === true ? 'focused' : 'NOT focused'}; the frame showing it at ${pct(painted, 50)} ms (median); keys typed into the user name right after were accepted ` +
      `(first input event at ${typed.join(' ')} ms, which adds Playwright's round trips). Service worker stopped before each reload (CDP ServiceWorker.stopAllWorkers), network off ` +
      `(context offline) and the server stopped; page and workers at ${CPU_RATE}x.`,
  );

  const usableAt = last?.at ?? Infinity;
  const workerUrls = new Set([worker.url, ...worker.entries.filter((e) => e.name.endsWith('.js')).map((e) => e.name)]);
  const pageJs = page.filter((e) => new URL(e.name).pathname.endsWith('.js') && e.start <= usableAt && !workerUrls.has(e.name));
  const first = gzipBytes(server.staticDir, pageJs.map((e) => e.name));
  const later = gzipBytes(server.staticDir, page.filter((e) => new URL(e.name).pathname.endsWith('.js') && e.start > usableAt && !workerUrls.has(e.name)).map((e) => e.name));
  const workerJs = gzipBytes(server.staticDir, [...workerUrls].filter((u) => u !== ''));
  ctx.results['first_screen_js_gzip_bytes'] = first.bytes;
  ctx.results['worker_js_gzip_bytes'] = workerJs.bytes;
  ctx.notes.push(
    `first_screen_js_gzip_bytes: ${first.files.join(', ')} (gzip -9 of the dist/ files the page requested before it was usable; after it: ${later.files.join(', ') || 'none'}, ${later.bytes} bytes). ` +
      `worker_js_gzip_bytes: ${workerJs.files.join(', ')}.`,
  );
  ctx.log(`client: first screen JS ${first.bytes} B gzip (${first.files.join(' ')}), worker ${workerJs.bytes} B`);
}

/** The ward's procedure mix (bench/data.ts) over the procedures the catalog has: [code, weight]. */
function procedureMix(codes: readonly string[]): [string, number][] {
  const out: [string, number][] = [];
  for (const [code, , , weight] of MIX) {
    const match = codes.find((c) => c === code) ?? codes.find((c) => c.startsWith(code));
    if (match !== undefined) out.push([match, weight]);
  }
  if (out.length === 0) throw new Error(`none of the mix's procedures is in the catalog (${codes.join(', ')})`);
  return out;
}

export function intakeItems(codes: readonly string[], seed: number, count: number): IntakeItem[] {
  const mix = procedureMix(codes);
  const total = mix.reduce((s, m) => s + m[1], 0);
  const r = prng(seed);
  const items: IntakeItem[] = [];
  for (let i = 0; i < count; i++) {
    let w = r() * total;
    const proc = (mix.find((m) => (w -= m[1]) < 0) ?? mix[0]) as [string, number];
    items.push({ proc: proc[0], ...applicant(r) });
  }
  return items;
}

export async function runIntakes(
  ctx: BenchContext,
  b: Browser,
  items: IntakeItem[],
  opts: { settleMs: number; quietMs: number; fast?: boolean; label: string },
): Promise<IntakeResult[]> {
  const out: IntakeResult[] = [];
  const chunk = 50;
  for (let i = 0; i < items.length; i += chunk) {
    const part = items.slice(i, i + chunk);
    const t = Date.now();
    out.push(...(await b.page.evaluate(([p, o]) => (window as unknown as BenchWindow).__bench.intakes(p, o), [part, { settleMs: opts.settleMs, quietMs: opts.quietMs, fast: opts.fast ?? false }] as const)));
    const recent = out.slice(-part.length).map((r) => r.commit);
    ctx.log(`client: ${opts.label} ${out.length}/${items.length}, commit p50 ${round(pct(recent, 50))} ms, ${round((Date.now() - t) / part.length)} ms per intake`);
  }
  return out;
}

async function intakes(ctx: BenchContext, b: Browser, server: SyncServer): Promise<void> {
  // Back online with the server up, as at a counter: the sync leader pushes each intake.
  await b.page.reload();
  await b.page.evaluate(() => (window as unknown as BenchWindow).__bench.ready);
  // A reload ends the session (S23): the officer signs in again.
  await login(b.page);
  const sync = b.page.getByTestId('sync-status');
  await b.page.locator('[data-testid=sync-status][data-state=online]').waitFor({ timeout: 30_000 }).catch(async () => {
    const why = `${await sync.getAttribute('data-state')}: ${await sync.textContent()}`;
    ctx.log(`client: WARNING sync not online before the intakes (${why})`);
    ctx.notes.push(`WARNING: the app's sync was not online during the intakes (${why}); is dist/ built from this tree?`);
  });
  const codes = await b.page.evaluate(() => (window as unknown as BenchWindow).__bench.procedureCodes());
  const items = intakeItems(codes, 20209, DAY_INTAKES);
  const heapStart = await jsHeapMb(b);
  ctx.results['heap_mb_start'] = heapStart.total;

  await throttle(b, CPU_RATE);
  ctx.log(`client: ${MEASURED_INTAKES} intakes through the form at ${CPU_RATE}x (server ${server.running ? 'up' : 'down'})`);
  const t0 = await b.page.evaluate(() => performance.now());
  const measured = await runIntakes(ctx, b, items.slice(0, MEASURED_INTAKES), { settleMs: SETTLE_MS, quietMs: QUIET_MS, label: 'intakes' });
  const t1 = await b.page.evaluate(() => performance.now());
  const tasks = await b.page.evaluate(([from, to]) => (window as unknown as BenchWindow).__bench.longtasks.filter((e) => e.start >= from && e.start <= to), [t0, t1] as const);
  // The worker's share (src/worker/api.ts measures it): from the request's arrival to its answer, and the transaction alone.
  const worker = b.page.workers()[0];
  const workerTimes = worker === undefined
    ? { total: [], write: [] }
    : await worker.evaluate((n) => ({
        total: performance.getEntriesByName('intake-worker').slice(-n).map((e) => e.duration),
        write: performance.getEntriesByName('intake-write').slice(-n).map((e) => e.duration),
      }), MEASURED_INTAKES);
  const worst = [...tasks].sort((x, y) => y.duration - x.duration).slice(0, 5);
  ctx.log(`client: ${tasks.length} long tasks; longest ${worst.map((e) => `${round(e.duration)} ms at +${round((e.start - t0) / 1000)} s`).join(', ') || 'none'}`);
  ctx.log(`client: bare strict IndexedDB transactions, ${MEASURED_INTAKES} at ${CPU_RATE}x`);
  const bare = await b.page.evaluate((n) => (window as unknown as BenchWindow).__bench.bareIdb(n), MEASURED_INTAKES);
  // The same with the app's indexes (each intake also writes ~15 index entries): what the schema costs.
  const bareIndexed = await b.page.evaluate((n) => (window as unknown as BenchWindow).__bench.bareIdb(n, true), MEASURED_INTAKES);
  await throttle(b, 1);

  const commits = measured.map((r) => r.commit);
  ctx.results['intake_commit_ms_p50'] = round(pct(commits, 50));
  ctx.results['intake_commit_ms_p95'] = round(pct(commits, 95));
  ctx.results['bare_idb_strict_ms_p50'] = round(pct(bare.times, 50));
  ctx.results['bare_idb_strict_ms_p95'] = round(pct(bare.times, 95));
  ctx.results['intake_commit_ratio'] = round(pct(commits, 50) / pct(bare.times, 50), 2);
  ctx.results['bare_idb_strict_indexed_ms_p50'] = round(pct(bareIndexed.times, 50));
  ctx.results['intake_worker_ms_p50'] = round(pct(workerTimes.total, 50));
  ctx.results['intake_write_ms_p50'] = round(pct(workerTimes.write, 50));
  ctx.results['intake_receipt_shown_ms_p50'] = round(pct(measured.map((r) => r.receipt), 50));
  ctx.results['longest_main_thread_task_ms'] = round(tasks.reduce((m, e) => Math.max(m, e.duration), 0));
  ctx.results['long_tasks_during_intakes'] = tasks.length;
  ctx.notes.push(
    `intake_commit_ms: "Tiếp nhận" pressed to the worker's answer that the dossier is durable (the app's performance.measure('intake-commit')), ${commits.length} intakes through the form ` +
      `(procedure mix of bench/data.ts, applicants with diacritics and CCCDs of several provinces), page and worker at ${CPU_RATE}x, server up; each press waits (up to ${SETTLE_MS} ms) ` +
      `until the previous intake is confirmed (pending 0), as at a counter where an intake takes minutes. bare_idb_strict_ms: one strict readwrite transaction over the same 4 stores ` +
      `writing the same rows (update ${bare.updateBytes} B twice, projection row ~${bare.rowBytes} B, number pool), same page, same rate, right after; ` +
      `bare_idb_strict_indexed_ms the same into stores with the app's indexes. ` +
      `intake_worker_ms: the worker's part (request received to answer sent; intake_write_ms the commitNewDossier transaction alone); the rest of intake_commit_ms is the page ` +
      `(press handler, render) and the messages between them. intake_receipt_shown_ms: press to the receipt on screen. ` +
      `longest_main_thread_task_ms: Long Tasks API (reports tasks of 50 ms or more; 0 means none): ${tasks.length} long tasks during the ${commits.length} intakes.`,
  );

  ctx.log(`client: ${DAY_INTAKES - MEASURED_INTAKES} more intakes unthrottled (the rest of the day)`);
  const { workerCpu } = await probe(b);
  const cpu0 = workerCpu?.cpuMs();
  const rest = items.slice(MEASURED_INTAKES);
  await runIntakes(ctx, b, rest, { settleMs: 0, quietMs: 0, fast: true, label: 'day' });
  const cpu1 = workerCpu?.cpuMs();
  if (cpu0 !== undefined && cpu1 !== undefined && rest.length > 0) {
    // CPU time, not wall time: what an intake costs each thread whatever else the machine runs.
    ctx.results['intake_page_cpu_ms'] = round((cpu1.main - cpu0.main) / rest.length);
    ctx.results['intake_worker_cpu_ms'] = round((cpu1.worker - cpu0.worker) / rest.length);
    ctx.notes.push(
      `intake_page_cpu_ms / intake_worker_cpu_ms: CPU time (from /proc schedstat, unthrottled, so at native speed) per intake of the page's main thread ` +
        `(filling the form as typing does, the press, the receipt, the next form) and of the app's worker (the write, and the sync push and pull it starts), over the last ${rest.length} intakes.`,
    );
  }
  const heap = await jsHeapMb(b);
  ctx.results['heap_mb_after_day'] = heap.total;
  ctx.results['heap_mb_after_day_page'] = heap.page;
  ctx.results['heap_mb_after_day_worker'] = heap.workers;
  ctx.notes.push(
    `heap_mb_after_day: page ${heap.page} MB + worker ${heap.workers} MB (Runtime.getHeapUsage after HeapProfiler.collectGarbage on each) after ${DAY_INTAKES} intakes in one session ` +
      `(the first ${MEASURED_INTAKES} at ${CPU_RATE}x, the other ${DAY_INTAKES - MEASURED_INTAKES} unthrottled and back to back, to stay in the time budget); at the start of the session: ${heapStart.total} MB.`,
  );
}
