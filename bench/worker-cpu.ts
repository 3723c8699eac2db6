/**
 * CPU throttling of Chromium's worker threads, where CDP cannot do it.
 *
 * Chromium refuses Emulation.setCPUThrottlingRate on a worker target ("Operation is only supported
 * for pages, not workers"), and the rate set on the page slows the page's main thread only (measured:
 * a fixed loop in this app's worker took the same time at page rate 1 and 4). This app does its work
 * (Yjs, Dexie, sync) in a dedicated worker and starts offline through its service worker, so a
 * low-spec run must slow those threads too.
 *
 * Linux cgroup v1's cpu controller takes single threads (a thread id written to `tasks`). Each worker
 * thread of the browser's process group ("DedicatedWorker thread", "ServiceWorker thread" in
 * /proc/<pid>/task/<tid>/comm) gets a cgroup of its own whose CFS quota is 1/rate of one CPU: 1 ms of
 * every `rate` ms (the finest CFS allows), close to Chromium's own duty-cycle throttler of the main
 * thread, and each thread is slowed alone (two threads sharing one quota would be slowed twice).
 * Needs root and a writable /sys/fs/cgroup/cpu; elsewhere `create` returns null and the workers run
 * at full speed (the bench says so in its notes).
 */
import { mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const CPU_ROOT = '/sys/fs/cgroup/cpu';
const PREFIX = 'motcua-bench-';
/** Thread names (comm, 15 characters at most) of the workers to slow. */
export type WorkerKind = 'DedicatedWorker' | 'ServiceWorker';
const KINDS: readonly WorkerKind[] = ['DedicatedWorker', 'ServiceWorker'];
/** CFS's smallest quota (1 ms): the period is rate x that. */
const QUOTA_US = 1000;

export class WorkerCpuLimit {
  private readonly adopted = new Set<number>();
  /** When each thread was adopted, by kind: a worker may be caught by watch() before its hook looks. */
  private readonly log: { tid: number; kind: WorkerKind; at: number }[] = [];
  /** Threads known not to be workers (named otherwise; a thread still named "chromium" may be renamed yet). */
  private readonly others = new Set<number>();
  private rate = 1;
  private watchers = 0;
  /** The browser's processes, rescanned now and then (a thread scan then reads a few directories only). */
  private pids: string[] = [];
  private pidsAt = 0;

  private constructor(
    readonly dir: string,
    private readonly browserPgid: number,
  ) {}

  /** A cgroup for the worker threads of the browser whose process group is `browserPgid`, or null where none can be made. */
  static create(browserPgid: number): WorkerCpuLimit | null {
    try {
      removeStale();
      const dir = join(CPU_ROOT, `${PREFIX}${browserPgid}`);
      mkdirSync(dir, { recursive: true });
      return new WorkerCpuLimit(dir, browserPgid);
    } catch {
      return null;
    }
  }

  /** 1 lifts the limit; r > 1 gives each worker thread 1/r of one CPU. */
  setRate(rate: number): void {
    this.rate = rate;
    for (const tid of this.adopted) this.applyRate(join(this.dir, `t${tid}`));
  }

  get currentRate(): number {
    return this.rate;
  }

  /** Moves every worker thread (of `kind`, or of both kinds) of the browser into a cgroup; returns the thread ids new to it. */
  adoptWorkers(kind?: WorkerKind, rescan = false): number[] {
    const fresh: number[] = [];
    for (const [tid, k] of this.workerThreads(kind === undefined ? KINDS : [kind], rescan)) {
      if (this.adopted.has(tid)) continue;
      try {
        const dir = join(this.dir, `t${tid}`);
        mkdirSync(dir, { recursive: true });
        this.applyRate(dir);
        writeFileSync(join(dir, 'tasks'), String(tid));
        this.adopted.add(tid);
        this.log.push({ tid, kind: k, at: performance.now() });
        fresh.push(tid);
      } catch {
        // The thread ended between the scan and the write.
      }
    }
    return fresh;
  }

  /**
   * Waits until a `kind` thread is adopted from now on (a worker just started: its thread appears),
   * by this call or by watch(); returns its id, or [] after `timeoutMs`.
   */
  async adoptNewWorker(kind: WorkerKind, timeoutMs = 2_000): Promise<number[]> {
    const since = performance.now();
    const deadline = Date.now() + timeoutMs;
    for (let i = 0; ; i++) {
      // A new renderer process may hold it: the process list is read again now and then.
      this.adoptWorkers(kind, i % 20 === 0);
      const fresh = this.log.filter((a) => a.kind === kind && a.at >= since).map((a) => a.tid);
      if (fresh.length > 0 || Date.now() > deadline) return fresh;
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }

  /**
   * Adopts new worker threads as they appear, every `intervalMs`, until the returned function is
   * called. For the service worker: CDP does not hold a restarted service worker (its target lives
   * on), so its new thread is caught by looking, within a couple of ms of its start.
   */
  watch(intervalMs = 2): () => void {
    this.watchers++;
    const timer = setInterval(() => this.adoptWorkers(), intervalMs);
    return () => {
      this.watchers--;
      clearInterval(timer);
    };
  }

  /** True while watch() runs: a new worker's thread is then caught within a couple of ms without holding it. */
  get watching(): boolean {
    return this.watchers > 0;
  }

  /** Threads now held (the ended ones leave their cgroups by themselves). */
  members(): number[] {
    const out: number[] = [];
    for (const tid of this.adopted) {
      try {
        if (readFileSync(join(this.dir, `t${tid}`, 'tasks'), 'utf8').trim() !== '') out.push(tid);
      } catch {
        // removed
      }
    }
    return out;
  }

  /**
   * CPU time used so far (ms, from /proc/<pid>/task/<tid>/schedstat) by the main thread of the
   * renderer that runs the app's worker, and by that worker's thread: work done, whatever the
   * machine's load (wall-clock times on a shared 2-core machine are not).
   */
  cpuMs(): { main: number; worker: number } {
    const worker = this.log.filter((a) => a.kind === 'DedicatedWorker').at(-1)?.tid;
    if (worker === undefined) return { main: NaN, worker: NaN };
    const pid = this.pids.find((p) => {
      try {
        readdirSync(`/proc/${p}/task/${worker}`);
        return true;
      } catch {
        return false;
      }
    });
    if (pid === undefined) return { main: NaN, worker: NaN };
    return { main: schedMs(pid, pid), worker: schedMs(pid, String(worker)) };
  }

  /** Removes the cgroups once their threads are gone (the browser closed); a later create retries. */
  remove(): void {
    removeTree(this.dir);
  }

  private applyRate(dir: string): void {
    // The quota must be unlimited while the period changes below the current quota.
    writeFileSync(join(dir, 'cpu.cfs_quota_us'), '-1');
    if (this.rate <= 1) return;
    writeFileSync(join(dir, 'cpu.cfs_period_us'), String(Math.max(QUOTA_US, Math.round(QUOTA_US * this.rate))));
    writeFileSync(join(dir, 'cpu.cfs_quota_us'), String(QUOTA_US));
  }

  /** Ids of the threads named like `kinds` in the browser's processes. */
  private workerThreads(kinds: readonly WorkerKind[], rescan: boolean): [number, WorkerKind][] {
    if (rescan || Date.now() - this.pidsAt > 500) {
      this.pids = processesOf(this.browserPgid);
      this.pidsAt = Date.now();
    }
    const out: [number, WorkerKind][] = [];
    for (const pid of this.pids) {
      let tasks: string[];
      try {
        tasks = readdirSync(`/proc/${pid}/task`);
      } catch {
        continue;
      }
      for (const tid of tasks) {
        const n = Number(tid);
        if (this.adopted.has(n) || this.others.has(n)) continue;
        try {
          const comm = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8');
          const kind = kinds.find((k) => comm.startsWith(k));
          if (kind !== undefined) out.push([n, kind]);
          else if (!comm.startsWith('chromium') && !KINDS.some((k) => comm.startsWith(k))) this.others.add(n);
        } catch {
          // gone
        }
      }
    }
    return out;
  }
}

function schedMs(pid: string, tid: string): number {
  try {
    return Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return NaN;
  }
}

function removeTree(dir: string): void {
  try {
    for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) removeTree(join(dir, e.name));
    rmdirSync(dir);
  } catch {
    // Threads still in it: removeStale() takes it away on a later run.
  }
}

/** Cgroups of earlier runs whose browsers are gone (an empty cgroup can be removed, a used one cannot). */
function removeStale(): void {
  for (const name of readdirSync(CPU_ROOT)) {
    if (!name.startsWith(PREFIX) || isAlive(Number(name.slice(PREFIX.length)))) continue;
    removeTree(join(CPU_ROOT, name));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Pids of the live (not zombie) processes of process group `pgid`. */
function processesOf(pgid: number): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // "pid (comm) state ppid pgrp ...": split after the last ')' (comm may hold spaces).
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') out.push(pid);
    } catch {
      // gone
    }
  }
  return out;
}
