/**
 * The sync figures: a newly enrolled device pulling its commune's year (bulk_ingest_per_s), search
 * and heap with that year stored, and a week taken in offline caught up through our own TCP proxy,
 * once on an unshaped link (bytes) and once on the poor link (time). See `issues show 4` for the keys.
 */
import { writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { LinkProxy, type LinkShape } from '../../tests/support/link-proxy.ts';
import { Projector } from '../../src/worker/projector.ts';
import { docFromUpdates, fieldsOf, writerIdOf } from '../../src/worker/dossier-doc.ts';
import { foldVietnamese } from '../../src/domain/search.ts';
import { dossierDocName } from '../../src/protocol/doc-names.ts';
import * as Y from 'yjs';
import { BENCH_UNIT, jsonOf, updatesOf, ward, type BenchDossier } from '../data.ts';
import { seedWard, WARD } from '../seed-ward.ts';
import { enrollAndLogin, jsHeapMb, launchBrowser, pct, probe, round, startServer, throttle, type BenchContext, type Browser } from '../harness.ts';
import { SYNC_LIB } from './sync-lib.ts';

export const YEAR = Number(process.env['BENCH_YEAR'] ?? 440_000);
/** How long the real pull is timed for; at the measured rate a whole year would take far longer. */
const INGEST_WINDOW_MS = Number(process.env['BENCH_INGEST_SECONDS'] ?? 120) * 1000;
export const WEEK = Number(process.env['BENCH_WEEK'] ?? 8_400);
/** The product brief's poor link. */
export const POOR_LINK: LinkShape = { downKbps: 250, upKbps: 50, rttMs: 300, dropEveryMs: 60_000 };

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function evalJs<T>(b: Browser, expr: string): Promise<T> {
  return (await b.page.evaluate(expr)) as T;
}

async function installLib(b: Browser): Promise<void> {
  await b.page.evaluate(SYNC_LIB);
}

/** Longest main-thread task (Long Tasks API) since `since` (performance.now() of the page). */
async function longestTaskSince(b: Browser, since: number): Promise<number> {
  return evalJs<number>(
    b,
    `(window.__syncLong || []).filter((e) => e.start >= ${since}).reduce((m, e) => Math.max(m, e.duration), 0)`,
  );
}

const LONGTASKS = String.raw`
(() => {
  window.__syncLong = [];
  try {
    new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__syncLong.push({ start: e.startTime, duration: e.duration }); })
      .observe({ type: 'longtask', buffered: true });
  } catch {}
})();`;

let yearData: Promise<string> | null = null;

/**
 * The year's server store in the run's directory (generated into bench/.cache the first time, about
 * three and a half minutes of one core here, then copied).
 */
function prepareYear(ctx: BenchContext): Promise<string> {
  yearData ??= (async () => {
    const dataDir = join(ctx.dir, 'year-data');
    ctx.log(`year: a server store of ${YEAR.toLocaleString('en')} dossiers (built once, then cached in bench/.cache)`);
    await seedWard(dataDir, YEAR, ctx.log);
    return dataDir;
  })();
  return yearData;
}

export interface YearRun {
  /** Writes the rest of the year's rows into the device (when the timed pull did not take it all). */
  fill(): Promise<void>;
  /** search_*_ms and heap_mb_with_year, then closes the device and the server. */
  measure(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The year's device: enrolled against the year's server and timed while it pulls (bulk_ingest_per_s),
 * with nothing else running. `npm run bench` then fills the rest of the year beside the poor-link
 * catch-up (both wait on something other than this device's CPU: the store, the link) and measures
 * search and heap once both are done.
 */
export async function startYear(ctx: BenchContext): Promise<YearRun> {
  const dataDir = await prepareYear(ctx);
  const server = await startServer(ctx, 'year', dataDir);
  const b = await launchBrowser(ctx, 'year');
  const close = async (): Promise<void> => {
    await b.chrome.close();
    await server.stop();
  };
  let n = 0;
  try {
    await b.page.addInitScript(LONGTASKS);
    await b.page.goto(`${server.url}/`);
    const thr = await throttle(b);
    ctx.notes.push(`year device: page ${thr.page}x, worker ${thr.worker}x (${thr.workerMethod})`);
    await b.page.getByTestId('enroll-code').fill(await server.createEnrollment(BENCH_UNIT));
    await installLib(b);
    const since = await evalJs<number>(b, 'performance.now()');
    const t0 = Date.now();
    await b.page.getByTestId('enroll-submit').click();
    // Pulling starts with the enrollment, while the sign-in screen waits for the officer.
    await b.page.getByTestId('login-username').waitFor();
    if (process.env['BENCH_PROFILE_INGEST'] !== undefined) void profileWorker(ctx, b);
    let lastLog = 0;
    for (;;) {
      await installLib(b);
      n = await evalJs<number>(b, `window.__sync.count('dossiers')`).catch(() => 0);
      if (n >= YEAR || Date.now() - t0 > INGEST_WINDOW_MS) break;
      if (Date.now() - lastLog > 15_000) {
        ctx.log(`ingest: ${n.toLocaleString('en')} dossiers after ${((Date.now() - t0) / 1000).toFixed(0)} s`);
        lastLog = Date.now();
      }
      await sleep(250);
    }
    const seconds = (Date.now() - t0) / 1000;
    ctx.results['bulk_ingest_per_s'] = Math.round(n / seconds);
    ctx.results['bulk_ingest_measured_dossiers'] = n;
    ctx.results['bulk_ingest_year_seconds_projected'] = round((YEAR / n) * seconds, 0);
    ctx.results['longest_main_thread_task_ms_during_ingest'] = round(await longestTaskSince(b, since));
    ctx.log(`ingest: ${n.toLocaleString('en')} dossiers in ${seconds.toFixed(1)} s`);
  } catch (e) {
    await close();
    throw e;
  }
  return {
    close,
    async fill(): Promise<void> {
      if (n < YEAR) {
        // The rest of the year, so search and heap are measured with all of it stored: the server is
        // stopped (the device keeps what it pulled) and the remaining list rows are written straight
        // into the device's store, unthrottled. Search and heap read only the rows.
        await server.stop();
        await throttle(b, 1);
        await fillYearRows(ctx, b, join(dataDir, 'motcua.sqlite'));
        await throttle(b);
        ctx.notes.push(
          `ingest measured over its first ${Math.round(INGEST_WINDOW_MS / 1000)} s (${n.toLocaleString('en')} dossiers); the rest of the year's list rows were written directly for the search and heap figures`,
        );
      }
    },
    async measure(): Promise<void> {
      try {
        await b.page.getByTestId('login-username').fill('demo');
        await b.page.getByTestId('login-password').fill('demo123456');
        await b.page.getByTestId('login-submit').click();
        await b.page.getByTestId('intake-form').waitFor({ timeout: 120_000 });
        await b.page.goto(`${server.url}/#/list`);
        await b.page.getByTestId('list-search').waitFor();
        await installLib(b);
        const times: Record<'name' | 'cccd' | 'code', number[]> = { name: [], cccd: [], code: [] };
        const samples = pickSamples(YEAR, 20);
        for (const d of samples) {
          // A name typed without diacritics (how officers search), a CCCD, and a dossier code.
          const queries: ['name' | 'cccd' | 'code', string, string][] = [
            ['name', foldVietnamese(d.fields.name).toLowerCase(), ''],
            ['cccd', d.fields.cccd, d.fields.code],
            ['code', d.fields.code, d.fields.code],
          ];
          for (const [kind, q, expect] of queries) {
            await evalJs(b, `window.__sync.clear()`);
            const ms = await evalJs<number>(b, `window.__sync.search(${JSON.stringify(q)}, ${JSON.stringify(expect)})`);
            times[kind].push(ms);
            if (ms > 500) ctx.log(`search: slow ${kind} query "${q}": ${Math.round(ms)} ms`);
          }
        }
        const all = [...times.name, ...times.cccd, ...times.code];
        ctx.results['search_p95_ms'] = round(pct(all, 95));
        ctx.results['search_p50_ms'] = round(pct(all, 50));
        for (const k of ['name', 'cccd', 'code'] as const) ctx.results[`search_${k}_p95_ms`] = round(pct(times[k], 95));
        const heap = await jsHeapMb(b);
        ctx.results['heap_mb_with_year'] = heap.total;
        ctx.notes.push(`heap with the year stored: page ${heap.page} MB + worker ${heap.workers} MB`);
      } finally {
        await close();
      }
    },
  };
}

/** Writes every list row of the server's store that the device did not pull into its store. */
async function fillYearRows(ctx: BenchContext, b: Browser, file: string): Promise<void> {
  const db = new Database(file, { readonly: true });
  try {
    let chunk: unknown[] = [];
    let done = 0;
    const flush = async (): Promise<void> => {
      await evalJs(b, `window.__sync.inject(${JSON.stringify({ updates: [], rows: chunk })})`);
      done += chunk.length;
      chunk = [];
      if (done % 100_000 < 10_000) ctx.log(`year rows written: ${done.toLocaleString('en')}`);
    };
    await installLib(b);
    const pulled = new Set(await evalJs<string[]>(b, `window.__sync.keys('dossiers')`));
    const t0 = Date.now();
    for (const r of db.prepare<[], { row: string }>('SELECT row FROM doc_rows').iterate()) {
      // As the device stores a served row (parseServerRow): its name key derived from its words.
      const row = JSON.parse(r.row) as { id: string; nameWords: string[]; nameKey?: string };
      if (pulled.has(row.id)) continue;
      row.nameKey = row.nameWords.join(' ');
      chunk.push(row);
      if (chunk.length === 10_000) await flush();
    }
    if (chunk.length > 0) await flush();
    const seconds = (Date.now() - t0) / 1000;
    ctx.log(`year rows written: ${done.toLocaleString('en')} in ${seconds.toFixed(0)} s (${Math.round(done / seconds)}/s)`);
    // The store's own limit, next to bulk_ingest_per_s: the same rows put straight into the device's
    // IndexedDB by the page, unthrottled, with no app code and no updates, 10,000 to a transaction
    // (beside the poor-link catch-up, which writes little).
    if (done > 0) ctx.results['bare_idb_row_fill_per_s'] = Math.round(done / seconds);
  } finally {
    db.close();
  }
}

/**
 * BENCH_PROFILE_INGEST=1: a 15 s CPU profile of the worker 20 s into the ingest, its functions by self
 * time printed (the .cpuprofile is kept in the run's directory for DevTools).
 */
async function profileWorker(ctx: BenchContext, b: Browser): Promise<void> {
  const { targets } = await probe(b);
  await sleep(20_000);
  const w = [...targets.workers.values()].find((x) => x.info.type === 'worker');
  if (w === undefined) return;
  await targets.send('Profiler.enable', {}, w.sessionId);
  await targets.send('Profiler.start', {}, w.sessionId);
  await sleep(15_000);
  const { profile } = (await targets.send('Profiler.stop', {}, w.sessionId)) as { profile: CpuProfile };
  writeFileSync(join(ctx.dir, 'ingest-worker.cpuprofile'), JSON.stringify(profile));
  const self = new Map<string, number>();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  profile.samples.forEach((id, i) => {
    const n = byId.get(id);
    if (n === undefined) return;
    const k = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').pop() ?? ''}:${n.callFrame.lineNumber}`;
    self.set(k, (self.get(k) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const top = [...self].sort((x, y) => y[1] - x[1]).slice(0, 20);
  ctx.log(`worker profile during ingest (self ms):\n${top.map(([k, t]) => `${(t / 1000).toFixed(0).padStart(7)} ${k}`).join('\n')}`);
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

/** Dossiers of the stored year to search for, spread over it (not the newest page the list shows first). */
function pickSamples(year: number, n: number): BenchDossier[] {
  const out: BenchDossier[] = [];
  for (let i = 0; i < n; i++) {
    const index = Math.floor(((i + 0.5) / n) * (year - 2000));
    out.push(...ward(WARD, index, 1));
  }
  return out;
}

interface WeekData {
  chunks: { updates: { doc: string; data: string }[]; rows: unknown[] }[];
  jsonGzipBytes: number;
  jsonBytesPerDossier: number;
  oneFieldEditBytes: number;
}

/**
 * A week taken in offline on this device, as its worker would have stored it: each dossier's 4
 * updates written by the device's own Yjs client id, its outbox rows in the order the steps were
 * taken (a day's intakes, then their steps hours later), and its projection row.
 */
function weekFor(deviceId: string, officer: string): WeekData {
  const writer = writerIdOf(deviceId);
  const projector = new Projector(null);
  const dossiers = [...ward({ seed: 7, start: Date.UTC(2026, 10, 16, 0, 30), device: deviceId, officers: [officer] }, 0, WEEK)].map((d) => {
    const docName = dossierDocName(BENCH_UNIT, d.docName.split('/')[2] as string);
    return { ...d, docName, events: d.events.map((e) => ({ ...e, device: deviceId })) };
  });
  const steps: { at: number; doc: string; data: Uint8Array }[] = [];
  const rows: unknown[] = [];
  for (const d of dossiers) {
    const ups = updatesOf(d, writer);
    ups.forEach((u, k) => steps.push({ at: d.events[k]?.at ?? 0, doc: d.docName, data: u }));
    const doc = docFromUpdates(ups);
    rows.push(projector.project(d.docName, doc, Date.now()));
    doc.destroy();
  }
  steps.sort((a, b) => a.at - b.at);
  const chunks: WeekData['chunks'] = [];
  for (let i = 0; i < steps.length; i += 2000) {
    chunks.push({ updates: steps.slice(i, i + 2000).map((s) => ({ doc: s.doc, data: Buffer.from(s.data).toString('base64') })), rows: [] });
  }
  for (let i = 0; i < rows.length; i += 2000) chunks.push({ updates: [], rows: rows.slice(i, i + 2000) });
  const json = dossiers.map(jsonOf);
  // One field edited (a phone number corrected) on a dossier the device holds: the Yjs update it costs.
  const first = dossiers[0] as BenchDossier;
  const doc = docFromUpdates(updatesOf(first, writer), writer);
  const before = Y.encodeStateVector(doc);
  fieldsOf(doc).set('phone', '0905123456');
  const oneFieldEditBytes = Y.encodeStateAsUpdate(doc, before).byteLength;
  doc.destroy();
  return {
    chunks,
    jsonGzipBytes: gzipSync(json.join('\n'), { level: 9 }).byteLength,
    jsonBytesPerDossier: json.reduce((s, j) => s + Buffer.byteLength(j), 0) / json.length,
    oneFieldEditBytes,
  };
}

interface CatchUp {
  seconds: number;
  wireBytes: number;
  up: number;
  down: number;
  drops: number;
  connections: number;
  duplicateBatches: number;
  pushes: number;
  idbBytesPerDossier: number;
  week: WeekData;
}

/** One device, its own server, its own proxy: online once, offline for the week, then caught up. */
async function catchUp(ctx: BenchContext, name: string, shape: LinkShape): Promise<CatchUp> {
  const server = await startServer(ctx, name);
  const proxy = await LinkProxy.start({ host: '127.0.0.1', port: server.port });
  const b = await launchBrowser(ctx, name);
  const viaProxy = { url: `http://127.0.0.1:${proxy.port}`, createEnrollment: (u: string) => server.createEnrollment(u) };
  try {
    await enrollAndLogin(b.page, viaProxy, BENCH_UNIT);
    await throttle(b);
    await installLib(b);
    // Online long enough to take its number blocks, then the link goes: the week is taken in offline.
    await sleep(3000);
    proxy.dropAll();
    proxy.stall();
    const device = await evalJs<{ deviceId: string }>(b, `window.__sync.meta('device')`);
    const session = await evalJs<{ officerId: string } | null>(b, `window.__sync.meta('session')`);
    const week = weekFor(device.deviceId, session?.officerId ?? 'demo');
    const usageBefore = await evalJs<number>(b, `window.__sync.estimate()`);
    for (const c of week.chunks) await evalJs(b, `window.__sync.inject(${JSON.stringify(c)})`);
    const pending = await evalJs<number>(b, `window.__sync.count('outbox')`);
    ctx.log(`${name}: ${WEEK.toLocaleString('en')} dossiers taken in offline (${pending.toLocaleString('en')} outbox rows); link back: ${JSON.stringify(shape)}`);
    const acksBefore = server.events.filter((e) => e.event.ev === 'push_ack').length;
    proxy.setShape(shape);
    proxy.resetCounters();
    const t0 = Date.now();
    proxy.heal();
    // The browser says it is online again (the event the worker listens to): it retries at once
    // instead of waiting out its backoff. (context.setOffline would also cut the worker's loopback.)
    for (const w of b.page.workers()) await w.evaluate(`self.dispatchEvent(new Event('online'))`);
    let lastLog = Date.now();
    for (;;) {
      const left = await evalJs<number>(b, `window.__sync.count('outbox')`);
      if (left === 0) break;
      if (Date.now() - t0 > 15 * 60_000) throw new Error(`${name}: catch-up stuck with ${left} rows left`);
      if (Date.now() - lastLog > 20_000) {
        ctx.log(`${name}: ${left.toLocaleString('en')} outbox rows left after ${((Date.now() - t0) / 1000).toFixed(0)} s, ${(proxy.bytes.up + proxy.bytes.down).toLocaleString('en')} bytes`);
        lastLog = Date.now();
      }
      // A second is fine against minutes on the poor link, and each poll opens the database.
      await sleep(shape.downKbps === undefined ? 200 : 1000);
    }
    const seconds = (Date.now() - t0) / 1000;
    const acks = server.events.filter((e) => e.event.ev === 'push_ack').slice(acksBefore);
    const usageAfter = await evalJs<number>(b, `window.__sync.estimate()`);
    return {
      seconds,
      wireBytes: proxy.bytes.up + proxy.bytes.down,
      up: proxy.bytes.up,
      down: proxy.bytes.down,
      drops: proxy.stats.drops,
      connections: proxy.stats.connections,
      duplicateBatches: acks.filter((a) => a.event['duplicate'] === true).length,
      pushes: acks.length,
      idbBytesPerDossier: Math.max(0, usageAfter - usageBefore) / WEEK,
      week,
    };
  } finally {
    await b.chrome.close();
    await proxy.close();
    await server.stop();
  }
}

/** The week's catch-up on an unshaped link: bytes on the wire, next to gzip -9 of the same records. */
export async function runWeek(ctx: BenchContext): Promise<void> {
  const fast = await catchUp(ctx, 'week', {});
  const r = ctx.results;
  r['catchup_week_wire_bytes'] = fast.wireBytes;
  r['catchup_week_json_gzip_bytes'] = fast.week.jsonGzipBytes;
  r['catchup_wire_ratio'] = round(fast.wireBytes / fast.week.jsonGzipBytes, 3);
  r['catchup_week_seconds_unshaped'] = round(fast.seconds);
  r['one_field_edit_bytes'] = fast.week.oneFieldEditBytes;
  r['idb_bytes_per_dossier'] = Math.round(fast.idbBytesPerDossier);
  r['dossier_json_bytes'] = Math.round(fast.week.jsonBytesPerDossier);
  ctx.notes.push(`week catch-up, unshaped: ${fast.up.toLocaleString('en')} bytes up, ${fast.down.toLocaleString('en')} down, ${fast.pushes} batches`);
}

/**
 * The same catch-up on the poor link: time next to what the link allows. Link-bound, so `npm run bench`
 * runs it beside the generation of the year's store (one core) to stay within its time budget.
 */
export async function runWeekPoorLink(ctx: BenchContext): Promise<void> {
  const r = ctx.results;
  const poor = await catchUp(ctx, 'week-poor', POOR_LINK);
  r['catchup_week_seconds_poor_link'] = round(poor.seconds);
  // What the link allows: each direction's bytes at its rate (they flow at once, so the slower one
  // bounds), plus a TCP + WebSocket handshake and Welcome (3 round trips) per connection.
  const upS = (poor.up * 8) / ((POOR_LINK.upKbps ?? 1) * 1000);
  const downS = (poor.down * 8) / ((POOR_LINK.downKbps ?? 1) * 1000);
  const handshakes = (poor.connections * 3 * (POOR_LINK.rttMs ?? 0)) / 1000;
  r['catchup_link_bound_seconds'] = round(Math.max(upS, downS) + handshakes);
  r['catchup_time_ratio'] = round(poor.seconds / (Math.max(upS, downS) + handshakes), 2);
  r['catchup_poor_link_drops'] = poor.drops;
  r['catchup_poor_link_wire_bytes'] = poor.wireBytes;
  r['batches_resent_after_confirmed'] = poor.duplicateBatches;
  ctx.notes.push(
    `week catch-up, poor link: ${poor.up.toLocaleString('en')} bytes up, ${poor.down.toLocaleString('en')} down, ${poor.connections} connections, ${poor.drops} drops, ${poor.pushes} push acks (${poor.duplicateBatches} for batches the server already had)`,
  );
}
