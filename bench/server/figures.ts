/**
 * The keys one configuration reports, from what its run measured. "Updates" are the devices' outbox
 * rows (four per dossier: the intake and three steps), which the pushed batches carry merged per doc.
 */
import type { DeviceFigures } from './device.ts';
import type { LiveResult } from './live.ts';
import { busyPercent, busySeconds, type MachineCpu } from './proc.ts';
import { pct, round } from './stats.ts';
import type { Expected } from './verify.ts';

export type Figure = number | string | boolean;

export interface Reading {
  readonly devices: readonly DeviceFigures[];
  readonly expected: Expected;
  /** Whether every device pulled its whole scope in time. */
  readonly converged: boolean;
  readonly live: LiveResult;
  /** The same edits before the outage ended, with no load. */
  readonly idle: LiveResult;
  /** VmHWM of each node, kB. */
  readonly hwmKb: readonly number[];
  /** CPU seconds of each node, of PostgreSQL (null on SQLite), of the bench's devices, and the
   * machine's readings: all from the end of the outage until every update was confirmed. */
  readonly nodeCpu: readonly number[];
  readonly postgresCpu: number | null;
  readonly clientCpu: number;
  readonly machine: readonly [MachineCpu, MachineCpu];
  readonly clientLoopP99Ms: number;
}

const sum = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0);

/** The close codes that ended devices' links, most frequent first: `4408 x3, 1006 x2`. */
function dropped(devices: readonly DeviceFigures[]): string {
  const all = new Map<string, number>();
  for (const d of devices) for (const [why, n] of d.dropped) all.set(why, (all.get(why) ?? 0) + n);
  return [...all].sort((a, b) => b[1] - a[1]).map(([why, n]) => `${why} x${n}`).join(', ') || 'none';
}

export function figuresOf(r: Reading): Record<string, Figure> {
  const confirmAll = Math.max(...r.devices.map((d) => d.confirmedAt ?? Infinity)) / 1000;
  const acks = r.devices.flatMap((d) => d.ackMs);
  const serverCpu = sum(r.nodeCpu);
  const f: Record<string, Figure> = {
    confirm_all_s: round(confirmAll, 2),
    confirmed_per_s: Math.round(r.expected.rows / confirmAll),
    confirmed_dossiers_per_s: Math.round(r.expected.dossiers / confirmAll),
    ack_p50_ms: round(pct(acks, 50)),
    ack_p95_ms: round(pct(acks, 95)),
    ack_p99_ms: round(pct(acks, 99)),
    ack_max_ms: round(Math.max(...acks)),
    peak_rss_mb: round(sum(r.hwmKb) / 1024),
    converged_s: r.converged ? round(Math.max(...r.devices.map((d) => d.convergedAt ?? 0)) / 1000, 2) : 'not within 60 s of the last confirm',
    live_p50_ms: round(pct(r.live.latenciesMs, 50)),
    live_p99_ms: round(pct(r.live.latenciesMs, 99)),
    live_samples: r.live.latenciesMs.length,
    live_lost: r.live.lost,
    live_reconnects: r.live.reconnects,
    live_idle_p50_ms: round(pct(r.idle.latenciesMs, 50)),
    live_idle_max_ms: round(Math.max(...r.idle.latenciesMs)),
    server_cpu_s: round(serverCpu),
  };
  if (r.postgresCpu !== null) f['postgres_cpu_s'] = round(r.postgresCpu);
  f['client_cpu_s'] = round(r.clientCpu);
  f['machine_cpu_busy_pct'] = round(busyPercent(...r.machine));
  // What else ran meanwhile (the machine is shared): busy core-seconds nobody above accounts for.
  const busy = busySeconds(...r.machine);
  const other = Math.max(0, busy - serverCpu - (r.postgresCpu ?? 0) - r.clientCpu);
  f['other_cpu_s'] = round(other);
  f['other_cpu_share_pct'] = busy > 0 ? round((100 * other) / busy) : 0;
  f['client_loop_delay_p99_ms'] = round(r.clientLoopP99Ms);
  if (r.hwmKb.length > 1) {
    f['peak_rss_mb_per_node'] = r.hwmKb.map((k) => round(k / 1024)).join(' + ');
    f['server_cpu_s_per_node'] = r.nodeCpu.map((c) => round(c)).join(' + ');
  }
  Object.assign(f, {
    devices: r.devices.length,
    batches: acks.length,
    dossiers: r.expected.dossiers,
    updates: r.expected.rows,
    grants: r.expected.grants,
    pulls: sum(r.devices.map((d) => d.pulls)),
    pulled_items: sum(r.devices.map((d) => d.pulledItems)),
    reconnects: sum(r.devices.map((d) => d.reconnects)),
    dropped: dropped(r.devices),
    busy_refusals: sum(r.devices.map((d) => d.busyRefusals)),
  });
  return f;
}
