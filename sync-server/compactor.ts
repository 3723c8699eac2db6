/**
 * The background compactor (rule S16): every node runs one. Each tick it scans the log's new rows
 * for docs with a group of at least `minRows` rows and compacts a bounded number of them, one
 * transaction each, yielding to the event loop between docs so pushes are served in between.
 *
 * Rows younger than `settleMs` are left alone: another node's fan-out reads rows by seq a moment
 * after their commit, and a doc being worked on now would only be compacted again in a minute. The
 * bound is a head this node saw at least `settleMs` ago, so no clock is compared with another's.
 *
 * Nothing it does needs undoing: a tick that fails, or a node killed mid-tick, leaves each doc
 * compacted or untouched (one transaction per doc), and no flag or lease marks a doc as in progress.
 * Its scan position lives in memory: a restarted node scans the log again from the start, which only
 * costs reads.
 */
import { logEvent, type LogFn } from './conn.ts';
import type { SyncStore } from './store/types.ts';
import { storeErrorEvent } from './disk-full.ts';

export interface CompactorOptions {
  /** A doc is compacted once one of its groups has this many rows. */
  readonly minRows: number;
  /** Pause between two ticks. */
  readonly intervalMs: number;
  /** compactDoc calls per tick, at most. */
  readonly docsPerTick: number;
  /** Rows younger than this stay as they are. */
  readonly settleMs: number;
  /** Rows looked at per candidates query. */
  readonly scanRows: number;
}

export const COMPACTOR_DEFAULTS: CompactorOptions = {
  minRows: 8,
  intervalMs: 10_000,
  docsPerTick: 200,
  settleMs: 60_000,
  // A scan of 5,000 rows and the row counts of their docs take about 50 ms on SQLite, in this process.
  scanRows: 5_000,
};

/** Scans per tick while nothing is queued: a long stretch without candidates is crossed quickly. */
const SCANS_PER_TICK = 8;
/** compactDoc calls that may fail for one doc (each rolled back) before it waits for its next rows. */
const MAX_ATTEMPTS = 3;

export interface TickReport {
  readonly docs: number;
  readonly groups: number;
  readonly rowsBefore: number;
  readonly rowsAfter: number;
  readonly bytesBefore: number;
  readonly bytesAfter: number;
  /** Docs another node was compacting. */
  readonly busy: number;
  readonly errors: number;
}

const yieldToEvents = (): Promise<void> => new Promise((done) => setImmediate(done));

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export class Compactor {
  private readonly opts: CompactorOptions;
  /** Every row with seq <= cursor has been scanned. */
  private cursor = 0;
  private readonly queue: string[] = [];
  /** Docs whose compaction failed, tried again next tick; with the failures so far. */
  private readonly retry = new Map<string, number>();
  private failures = new Map<string, number>();
  /** Heads seen, oldest first: the newest one at least settleMs old bounds what is compacted. */
  private heads: { at: number; seq: number }[] = [];
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<TickReport> | null = null;
  private closed = false;

  constructor(
    private readonly store: SyncStore,
    private readonly log: LogFn,
    options: Partial<CompactorOptions> = {},
    private readonly clock: () => number = Date.now,
  ) {
    this.opts = { ...COMPACTOR_DEFAULTS, ...options };
  }

  start(): void {
    this.schedule();
  }

  /** Stops the ticks; resolves once the doc being compacted (if any) is done. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  /** One tick (also called by tests, instead of waiting for the timer). */
  tick(): Promise<TickReport> {
    const run = (this.running ?? Promise.resolve()).catch(() => undefined).then(() => this.runTick());
    this.running = run;
    return run;
  }

  private schedule(): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.tick()
        .catch((err: unknown) => logEvent(this.log, storeErrorEvent(err, 'compaction_error'), { error: errorText(err) }))
        .finally(() => this.schedule());
    }, this.opts.intervalMs);
    this.timer.unref();
  }

  private async settledHead(): Promise<number | null> {
    const now = this.clock();
    this.heads.push({ at: now, seq: await this.store.headSeq() });
    const settled = this.heads.filter((h) => h.at <= now - this.opts.settleMs);
    const bound = settled[settled.length - 1];
    if (bound === undefined) return null;
    this.heads = this.heads.filter((h) => h.at >= bound.at);
    return bound.seq;
  }

  private async runTick(): Promise<TickReport> {
    const t0 = performance.now();
    const report = { docs: 0, groups: 0, rowsBefore: 0, rowsAfter: 0, bytesBefore: 0, bytesAfter: 0, busy: 0, errors: 0 };
    if (this.closed) return report;
    const bound = await this.settledHead();
    if (bound === null) return report;
    this.queue.unshift(...this.retry.keys());
    this.failures = new Map(this.retry);
    this.retry.clear();
    for (let scans = 0; this.queue.length === 0 && this.cursor < bound && scans < SCANS_PER_TICK && !this.closed; scans++) {
      const found = await this.store.compactionCandidates({ afterSeq: this.cursor, maxSeq: bound, scanRows: this.opts.scanRows, minRows: this.opts.minRows });
      this.cursor = found.scannedTo;
      this.queue.push(...found.docs);
      await yieldToEvents();
    }
    while (this.queue.length > 0 && report.docs < this.opts.docsPerTick && !this.closed) {
      const doc = this.queue.shift() as string;
      report.docs++;
      try {
        const r = await this.store.compactDoc(doc, { maxSeq: bound });
        if (r.busy) report.busy++;
        report.groups += r.groups;
        report.rowsBefore += r.rowsBefore;
        report.rowsAfter += r.rowsAfter;
        report.bytesBefore += r.bytesBefore;
        report.bytesAfter += r.bytesAfter;
        // A long group takes several calls; each is its own transaction, others' pushes in between.
        if (r.more) this.queue.push(doc);
      } catch (err) {
        // The transaction rolled back: the doc is as it was, and nothing marks it as in progress.
        report.errors++;
        const failed = (this.failures.get(doc) ?? 0) + 1;
        if (failed < MAX_ATTEMPTS) this.retry.set(doc, failed);
        logEvent(this.log, storeErrorEvent(err, 'compaction_error'), { doc, error: errorText(err), attempt: failed });
      }
      await yieldToEvents();
    }
    if (report.docs > 0) {
      logEvent(this.log, 'compaction', { ...report, ms: Math.round(performance.now() - t0), scannedTo: this.cursor, queued: this.queue.length });
    }
    return report;
  }
}

/**
 * The compactor's options from the environment: COMPACT_MIN_ROWS (0 turns it off), COMPACT_INTERVAL_MS,
 * COMPACT_DOCS_PER_TICK. Null when it is off.
 */
export function compactorFromEnv(env: Readonly<Record<string, string | undefined>>): Partial<CompactorOptions> | null {
  const read = (name: string, fallback: number, min: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min}: ${raw}`);
    return n;
  };
  const minRows = read('COMPACT_MIN_ROWS', COMPACTOR_DEFAULTS.minRows, 0);
  if (minRows === 0) return null;
  // One row is nothing to merge.
  if (minRows < 2) throw new Error(`COMPACT_MIN_ROWS must be 0 (off) or >= 2: ${minRows}`);
  return {
    minRows,
    intervalMs: read('COMPACT_INTERVAL_MS', COMPACTOR_DEFAULTS.intervalMs, 100),
    docsPerTick: read('COMPACT_DOCS_PER_TICK', COMPACTOR_DEFAULTS.docsPerTick, 1),
  };
}
