/**
 * CPU readings from /proc beyond the server nodes: the whole machine (is it saturated? two nodes can
 * only beat one if there is CPU to spare) and PostgreSQL's processes (its work is not in the nodes').
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's counters (USER_HZ, 100 on Linux). */
const HZ = 100;

export interface MachineCpu {
  readonly busy: number;
  readonly total: number;
}

export function machineCpu(): MachineCpu {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  const total = ticks.reduce((s, t) => s + t, 0);
  // idle and iowait are the fourth and fifth fields.
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  return { busy: total - idle, total };
}

/** CPU seconds (all cores together) the machine was busy between two readings. */
export function busySeconds(a: MachineCpu, b: MachineCpu): number {
  return (b.busy - a.busy) / HZ;
}

/** Busy share of every core between two readings, in percent. */
export function busyPercent(a: MachineCpu, b: MachineCpu): number {
  const total = b.total - a.total;
  return total <= 0 ? 0 : (100 * (b.busy - a.busy)) / total;
}

/** User + system CPU seconds of one process, or 0 when it is gone. */
export function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / HZ;
  } catch {
    return 0;
  }
}

/**
 * CPU seconds of every process named postgres, by pid: the server's backends for the bench's pool
 * live through the load, so the difference of two readings over the same pids is their work (and
 * that of anyone else's queries meanwhile: the machine is shared).
 */
export function postgresCpu(): Map<number, number> {
  const out = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/comm`, 'utf8').trim() !== 'postgres') continue;
    } catch {
      continue;
    }
    out.set(Number(name), processCpuSeconds(Number(name)));
  }
  return out;
}

/** Seconds the postgres processes used between two readings (new processes count from zero). */
export function postgresCpuBetween(before: Map<number, number>, after: Map<number, number>): number {
  let s = 0;
  for (const [pid, cpu] of after) s += cpu - (before.get(pid) ?? 0);
  return s;
}
