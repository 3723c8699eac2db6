/**
 * `npm run bench`: every figure of issue 4, each next to the limit it is compared with, measured in
 * the same run on this machine, on the low-spec profile (4x CPU throttling of page and worker) and
 * through our own TCP proxy for links. Prints a table and writes bench/results.json (git-ignored;
 * docs/benchmarks.md holds a copy of a run with the machine noted).
 *
 *   npm run bench                       everything (about 17 minutes the first time, 14 later)
 *   BENCH_ONLY=client,year,week npm run bench   some phases
 *   BENCH_YEAR=440000 BENCH_WEEK=8400 BENCH_CPU_RATE=4   the sizes and the throttling rate
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM_PATH } from '../tests/e2e/support/chromium.ts';
import { CPU_RATE, launched, newContext, servers, startServer, type BenchContext, type Figure } from './harness.ts';
import { runClientPhases } from './phases/client.ts';
import { runWeek, runWeekPoorLink, startYear, WEEK, YEAR } from './phases/sync.ts';

/** Key → [comparison, limit]: the product brief's targets. */
const TARGETS: Record<string, ['<=' | '<' | '>=', number]> = {
  intake_commit_ratio: ['<=', 2],
  longest_main_thread_task_ms: ['<', 50],
  cold_start_offline_ms: ['<', 1000],
  first_screen_js_gzip_bytes: ['<', 60_000],
  search_p95_ms: ['<', 50],
  heap_mb_with_year: ['<', 150],
  bulk_ingest_per_s: ['>=', 5000],
  longest_main_thread_task_ms_during_ingest: ['<', 50],
  catchup_wire_ratio: ['<=', 1.0],
  one_field_edit_bytes: ['<=', 64],
  catchup_time_ratio: ['<=', 1.5],
  batches_resent_after_confirmed: ['<=', 0],
  heap_mb_after_day: ['<', 150],
};

function verdict(key: string, v: Figure): string {
  const t = TARGETS[key];
  if (t === undefined || typeof v !== 'number') return '';
  const ok = t[0] === '<=' ? v <= t[1] : t[0] === '<' ? v < t[1] : v >= t[1];
  return `${t[0]} ${t[1].toLocaleString('en')} ${ok ? 'met' : 'MISSED'}`;
}

function table(ctx: BenchContext): string {
  const lines = ['| key | value | target |', '|---|---|---|'];
  for (const [k, v] of Object.entries(ctx.results)) lines.push(`| ${k} | ${typeof v === 'number' ? v.toLocaleString('en') : v} | ${verdict(k, v)} |`);
  return lines.join('\n');
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void Promise.all([...[...launched].map((c) => c.powerCut()), ...[...servers].map((s) => s.kill())].map((p) => p.catch(() => undefined))).then(() => process.exit(130));
  });
}

const only = new Set((process.env['BENCH_ONLY'] ?? 'client,year,week').split(','));
const dir = mkdtempSync(join(tmpdir(), 'motcua-bench-'));
const ctx = newContext(dir);
const started = Date.now();
let failed: unknown = null;
try {
  if (only.has('client')) {
    const server = await startServer(ctx, 'client');
    try {
      await runClientPhases(ctx, server);
    } finally {
      await server.stop();
    }
  }
  if (only.has('week')) await runWeek(ctx);
  // The year's ingest is timed with nothing else running. The poor-link catch-up waits on its link and
  // the rest of the year's rows on the device's store: those two run side by side, and search and heap
  // are measured once both are done.
  const year = only.has('year') ? await startYear(ctx) : null;
  try {
    await Promise.all([only.has('week') ? runWeekPoorLink(ctx) : null, year?.fill()]);
    await year?.measure();
  } catch (e) {
    await year?.close().catch(() => undefined);
    throw e;
  }
} catch (e) {
  failed = e;
  console.error(e);
  writeFileSync(join(dir, 'log.txt'), ctx.logs.text());
  console.error(`bench failed; logs kept in ${dir}`);
}
const machine = {
  cpus: `${cpus().length} x ${cpus()[0]?.model ?? '?'}`,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  chromium: CHROMIUM_PATH,
  cpuThrottling: CPU_RATE,
  year: YEAR,
  week: WEEK,
};
const minutes = (Date.now() - started) / 60_000;
console.log(`\nnpm run bench: ${new Date().toISOString()}, ${machine.cpus}, ${machine.memoryGiB} GiB, ${minutes.toFixed(1)} min\n`);
console.log(table(ctx));
if (ctx.notes.length > 0) console.log(`\nNotes:\n${ctx.notes.map((n) => `- ${n}`).join('\n')}`);
writeFileSync(
  new URL('./results.json', import.meta.url),
  JSON.stringify({ at: new Date().toISOString(), minutes: Math.round(minutes * 10) / 10, machine, results: ctx.results, notes: ctx.notes }, null, 2) + '\n',
);
console.log('\nwritten: bench/results.json');
if (failed === null) rmSync(dir, { recursive: true, force: true });
process.exit(failed === null ? 0 : 1);
