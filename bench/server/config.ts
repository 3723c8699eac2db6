/**
 * The knobs of `npm run bench:server`, read once from the environment, and the targets.
 *
 *   BENCH_SERVER_ONLY=sqlite1,pg1,pg2   which configurations run (all three by default)
 *   BENCH_SERVER_SCALE=0.1              dossiers per day times this (quick runs; 1 is the day)
 *   BENCH_SERVER_UNITS=10               only the first N communes (the busiest five come first)
 *   BENCH_SERVER_PG=postgres://postgres@127.0.0.1:5432/postgres   where each run creates its database
 *   BENCH_SERVER_PROFILE=1              the server processes write V8 CPU profiles (--cpu-prof)
 */

export type ConfigName = 'sqlite1' | 'pg1' | 'pg2';
export const CONFIGS: readonly ConfigName[] = ['sqlite1', 'pg1', 'pg2'];

function numberEnv(name: string, fallback: number, ok: (n: number) => boolean): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!ok(n)) throw new Error(`${name}=${raw} is not valid`);
  return n;
}

function onlyEnv(): ConfigName[] {
  const raw = process.env['BENCH_SERVER_ONLY'];
  if (raw === undefined || raw === '') return [...CONFIGS];
  const names = raw.split(',').map((s) => s.trim());
  const bad = names.filter((n) => !CONFIGS.includes(n as ConfigName));
  if (bad.length > 0) throw new Error(`BENCH_SERVER_ONLY: unknown ${bad.join(', ')} (known: ${CONFIGS.join(', ')})`);
  return CONFIGS.filter((c) => names.includes(c));
}

export const ONLY: readonly ConfigName[] = onlyEnv();
export const SCALE = numberEnv('BENCH_SERVER_SCALE', 1, (n) => n > 0 && n <= 1);
/** 94 is every commune of Đà Nẵng. */
export const UNIT_LIMIT = numberEnv('BENCH_SERVER_UNITS', 94, (n) => Number.isInteger(n) && n >= 2 && n <= 94);
export const PG_ADMIN_URL = process.env['BENCH_SERVER_PG'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const PROFILE = process.env['BENCH_SERVER_PROFILE'] === '1';

/** The day: 1,200 dossiers for the five busiest wards, 150 for every other commune. */
export const BUSY_PER_DAY = 1200;
export const QUIET_PER_DAY = 150;
export const DEVICES_PER_UNIT = 3;
/** Live edits sampled for the delivery latency. */
export const LIVE_SAMPLES = 100;

/** Key → [comparison, limit]: a configuration's figure (no prefix) or a headline key. */
export const TARGETS: Record<string, ['<' | '<=' | '>=', number]> = {
  confirm_all_s: ['<=', 60],
  ack_p95_ms: ['<', 1000],
  peak_rss_mb: ['<', 512],
  live_p99_ms: ['<', 1000],
  server_confirm_all_s: ['<=', 60],
  server_ack_p95_ms: ['<', 1000],
  server_peak_rss_mb: ['<', 512],
  cross_node_p99_ms: ['<', 1000],
  two_node_speedup: ['>=', 1],
};
