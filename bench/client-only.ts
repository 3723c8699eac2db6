/**
 * The client phases alone (cold start, first-screen bytes, intake commit, heap after a day), for a
 * quick run while working on the app:  npx vite build && npx tsx bench/client-only.ts
 * (BENCH_INTAKES, BENCH_DAY, BENCH_COLD_RUNS shorten it; BENCH_STATIC_DIR serves another build; BENCH_KEEP keeps the logs.)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, SyncServer } from '../tests/e2e/support/server.ts';
import { newContext, startServer } from './harness.ts';
import { runClientPhases } from './phases/client.ts';

const dir = mkdtempSync(join(tmpdir(), 'bench-client-'));
const ctx = newContext(dir);
// BENCH_STATIC_DIR: serve another build (an A/B comparison of two versions of the app).
const staticDir = process.env['BENCH_STATIC_DIR'];
const server =
  staticDir === undefined
    ? await startServer(ctx, 'client-server')
    : new SyncServer({ port: await freePort(), dataDir: join(dir, 'client-server-data'), logs: ctx.logs, staticDir });
if (!server.running) await server.start(180_000);
let failed = false;
try {
  await runClientPhases(ctx, server);
} catch (e) {
  failed = true;
  console.error(e);
  console.error(ctx.logs.lines.slice(-60).join('\n'));
} finally {
  await server.stop();
}
console.log('\n| key | value |\n|---|---|');
for (const [k, v] of Object.entries(ctx.results)) console.log(`| ${k} | ${v} |`);
console.log('');
for (const n of ctx.notes) console.log(`- ${n}`);
writeFileSync(join(dir, 'bench.log'), ctx.logs.text());
if (failed || process.env['BENCH_KEEP']) console.log(`\nlogs kept in ${dir} (bench.log)`);
else rmSync(dir, { recursive: true, force: true });
process.exitCode = failed ? 1 : 0;
