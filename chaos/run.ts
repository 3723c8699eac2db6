/**
 * `npm run chaos -- --seed N --minutes M [--only convergence,crash,pgcrash,fuzz,badlink,power]`: runs the fault scenarios
 * for about M minutes in all, prints the table, and exits 1 on any loss, duplicate or divergence.
 * A failing convergence seed is printed: rerun it with --seed to reproduce.
 */
import { statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import globalSetup from '../tests/e2e/support/global-setup.ts';
import { ROOT } from '../tests/e2e/support/server.ts';
import { LONG_STALL_MS, runBadLink } from './bad-link.ts';
import { CONVERGENCE_DEFAULTS, runConvergence } from './convergence.ts';
import { runFuzz } from './fuzz.ts';
import { runPower } from './power.ts';
import { emptyReport, formatTable, passed, type Report } from './report.ts';
import { runPgNodesCrash } from './pg-nodes-crash.ts';
import { runServerCrash } from './server-crash.ts';

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    minutes: { type: 'string', default: '2' },
    only: { type: 'string', default: 'convergence,crash,pgcrash,fuzz,badlink,power' },
  },
});
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
const minutes = Number(values.minutes);
if (!Number.isInteger(seed) || !(minutes > 0)) {
  console.error('usage: npm run chaos -- --seed <integer> --minutes <number> [--only convergence,crash,pgcrash,fuzz,badlink,power]');
  process.exit(2);
}
const SCENARIOS = ['convergence', 'crash', 'pgcrash', 'fuzz', 'badlink', 'power'];
const only = new Set(values.only.split(','));
const unknown = [...only].filter((s) => !SCENARIOS.includes(s));
if (unknown.length > 0) {
  console.error(`unknown scenario ${unknown.join(', ')}; known: ${SCENARIOS.join(', ')}`);
  process.exit(2);
}
const budget = minutes * 60_000;
// Shares of the time: the process-level faults cost real seconds each, the simulation does not.
const share = { convergence: 0.15, crash: 0.15, pgcrash: 0.15, fuzz: 0.1, badlink: 0.25, power: 0.2 };
console.log(`chaos seed=${seed} minutes=${minutes} scenarios=${[...only].join(',')}`);

const reports: Report[] = [];

if (only.has('convergence')) {
  // Many seeds derived from the one given, until the time share is spent; failures keep their seed.
  const until = Date.now() + budget * share.convergence;
  const agg: Report = { scenario: `convergence x seeds from ${seed}`, faults: {}, confirmed: 0, missing: 0, duplicates: 0, replicas: 0, identical: true, convergeMs: 0, notes: [], failures: [] };
  let runs = 0;
  let s = seed;
  do {
    const r = await runConvergence({ ...CONVERGENCE_DEFAULTS, seed: s });
    runs++;
    for (const [k, v] of Object.entries(r.faults)) agg.faults[k] = (agg.faults[k] ?? 0) + v;
    agg.confirmed += r.confirmed;
    agg.missing += r.missing;
    agg.duplicates += r.duplicates;
    agg.replicas += r.replicas;
    agg.identical &&= r.identical;
    agg.convergeMs = Math.max(agg.convergeMs, r.convergeMs);
    if (!passed(r)) agg.failures.push(`seed ${s} failed (rerun: npm run chaos -- --only convergence --seed ${s}): ${r.failures.slice(0, 3).join('; ')}`);
    s = (s + 1) >>> 0;
  } while (Date.now() < until);
  agg.notes.push(`${runs} seeded runs (${seed}..${s - 1}), ${CONVERGENCE_DEFAULTS.devices} devices each; converge ms is the slowest heal`);
  reports.push(agg);
}
if (only.has('crash')) reports.push(await runServerCrash({ seed, durationMs: budget * share.crash, devices: 3 }));
// Two nodes on one PostgreSQL (a database of its own, dropped after) behind a balancer.
if (only.has('pgcrash')) reports.push(await runPgNodesCrash({ seed, durationMs: budget * share.pgcrash, devices: 4 }));
if (only.has('fuzz')) reports.push(await runFuzz({ seed, durationMs: budget * share.fuzz }));
if (only.has('badlink')) {
  const durationMs = budget * share.badlink;
  // A stall the heartbeat must notice needs a minute of its own, and room for ordinary faults around it.
  reports.push(await runBadLink({ seed, durationMs, devices: 4, longStalls: durationMs >= LONG_STALL_MS + 20_000 }));
}
if (only.has('power')) {
  const r = emptyReport(`power-cut seed=${seed}`);
  try {
    // The browser runs the built PWA: dist/ is built when missing (E2E_BUILD=1 rebuilds it), as for the e2e tests.
    globalSetup();
    console.log(`power: Chromium on dist/ built ${statSync(`${ROOT}dist/index.html`).mtime.toISOString()}`);
    reports.push(await runPower({ seed, durationMs: budget * share.power }));
  } catch (e) {
    r.failures.push(`could not run: ${e instanceof Error ? e.message : String(e)}`);
    reports.push(r);
  }
}

console.log(formatTable(reports));
const ok = reports.every(passed);
console.log(ok ? `chaos PASS seed=${seed}` : `chaos FAIL seed=${seed}`);
process.exit(ok ? 0 : 1);
