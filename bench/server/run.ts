/**
 * `npm run bench:server`: the city's devices coming back at once after an outage, against the real
 * sync server as child processes, in three configurations (SQLite one node, PostgreSQL one node,
 * PostgreSQL two nodes). Prints every figure next to its target and writes bench/server-results.json
 * (git-ignored; docs/benchmarks.md holds a copy of a run with the machine noted). Knobs: config.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { DEVICES_PER_UNIT, ONLY, PG_ADMIN_URL, PROFILE, SCALE, type ConfigName } from './config.ts';
import { benchCommunes, perDevice } from './backlog.ts';
import type { ServerNode } from './node.ts';
import { headlineTable, sideBySide } from './report.ts';
import type { Figure } from './figures.ts';
import { runConfig, type RunContext } from './scenario.ts';

const started = Date.now();
// Other work on the machine skews every figure here: the load average before and after is noted.
const loadBefore = loadavg().map((l) => Math.round(l * 100) / 100);
const dir = mkdtempSync(join(tmpdir(), 'motcua-bench-server-'));
const nodes = new Set<ServerNode>();
const log = (msg: string): void => console.log(`[bench:server ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${msg}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void Promise.all([...nodes].map((n) => n.stop().catch(() => undefined))).then(() => process.exit(130));
  });
}

async function postgresVersion(): Promise<string> {
  const c = new pg.Client({ connectionString: PG_ADMIN_URL });
  try {
    await c.connect();
    return (await c.query<{ server_version: string }>('SHOW server_version')).rows[0]?.server_version ?? '?';
  } catch (e) {
    return `unreachable (${e instanceof Error ? e.message : String(e)})`;
  } finally {
    await c.end().catch(() => undefined);
  }
}

const communes = benchCommunes();
const dossiers = communes.reduce((s, c) => s + DEVICES_PER_UNIT * perDevice(c.code), 0);
// Each configuration builds the backlog for the devices it enrolls (backlog.ts): only the plan here.
log(`backlog: ${communes.length} communes, ${communes.length * DEVICES_PER_UNIT} devices, ${dossiers.toLocaleString('en')} dossiers`);
const ctx: RunContext = { dir, communes, nodes, log };
const byConfig: Partial<Record<ConfigName, Record<string, Figure>>> = {};
const errors: string[] = [];
for (const name of ONLY) {
  try {
    byConfig[name] = await runConfig(ctx, name);
    log(`${name}: done, ${JSON.stringify(byConfig[name])}`);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    errors.push(`${name}: ${message}`);
    log(`${name}: FAILED: ${message}`);
  }
}

const HEADLINE = ['server_confirm_all_s', 'server_confirmed_per_s', 'server_ack_p95_ms', 'server_peak_rss_mb', 'cross_node_p99_ms', 'two_node_speedup'];
const results: Record<string, Figure> = {};
const pg1 = byConfig.pg1;
const pg2 = byConfig.pg2;
// The headline figures are PostgreSQL's, as the issue asks; none is made up when a configuration failed.
if (pg1 !== undefined) {
  for (const k of ['confirm_all_s', 'confirmed_per_s', 'ack_p95_ms', 'peak_rss_mb'] as const) {
    const v = pg1[k];
    if (v !== undefined) results[`server_${k}`] = v;
  }
}
if (pg2 !== undefined && pg2['live_p99_ms'] !== undefined) results['cross_node_p99_ms'] = pg2['live_p99_ms'];
const one = pg1?.['confirmed_per_s'];
const two = pg2?.['confirmed_per_s'];
if (typeof one === 'number' && typeof two === 'number') results['two_node_speedup'] = Math.round((two / one) * 100) / 100;
for (const name of ONLY) {
  const f = byConfig[name];
  if (f === undefined) results[`${name}_error`] = errors.find((e) => e.startsWith(`${name}:`))?.slice(name.length + 2) ?? 'failed';
  else for (const [k, v] of Object.entries(f)) results[`${name}_${k}`] = v;
}
const unverified = ONLY.filter((n) => byConfig[n] !== undefined && byConfig[n]?.['verified'] !== true);

const machine = {
  cpus: `${cpus().length} x ${cpus()[0]?.model ?? '?'}`,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  postgres: await postgresVersion(),
  loadAverageBefore: loadBefore,
  loadAverageAfter: loadavg().map((l) => Math.round(l * 100) / 100),
};
const minutes = (Date.now() - started) / 60_000;
console.log(`\nnpm run bench:server: ${new Date().toISOString()}, ${machine.cpus}, ${machine.memoryGiB} GiB, PostgreSQL ${machine.postgres}, ${minutes.toFixed(1)} min`);
console.log(`scale ${SCALE}, ${communes.length} communes, configurations: ${ONLY.join(', ')}, load average before ${loadBefore.join(' ')}, after ${machine.loadAverageAfter.join(' ')}\n`);
console.log(headlineTable(results, HEADLINE));
console.log(`\n${sideBySide(byConfig, ONLY)}`);
const crowded = ONLY.flatMap((n) => {
  const share = byConfig[n]?.['other_cpu_share_pct'];
  return typeof share === 'number' && share > 10 ? [`${n}: ${share}% of the machine's busy CPU during the load was other processes'`] : [];
});
if (crowded.length > 0) console.log(`\nNot a quiet machine (figures are slower than this code on its own):\n${crowded.map((c) => `- ${c}`).join('\n')}`);
if (errors.length > 0) console.log(`\nFailed:\n${errors.map((e) => `- ${e}`).join('\n')}`);
if (unverified.length > 0) console.log(`\nStore check failed for: ${unverified.join(', ')}`);
writeFileSync(
  new URL('../server-results.json', import.meta.url),
  JSON.stringify({ at: new Date().toISOString(), minutes: Math.round(minutes * 10) / 10, machine, scale: SCALE, communes: communes.length, results, errors, crowded }, null, 2) + '\n',
);
console.log('\nwritten: bench/server-results.json');
if (PROFILE) console.log(`CPU profiles of the server nodes: ${join(dir, 'profiles')}`);
const ok = errors.length === 0 && unverified.length === 0;
if (ok && !PROFILE) rmSync(dir, { recursive: true, force: true });
else console.log(`kept: ${dir}`);
process.exit(ok ? 0 : 1);
