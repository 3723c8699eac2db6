/**
 * Fault (b): the real sync server SIGKILLed at random moments while NodeDevices push and pull, and
 * restarted on the same data dir (S1, S2, S3, S6). While it is down, no device has dropped an update
 * it was not confirmed; at the end every confirmed batch is in the SQLite file, the rest arrived too,
 * nothing is doubled, and every device holds what the server holds.
 */
import type * as Y from 'yjs';
import { contains, duplicateEvents, fingerprint } from './sim.ts';
import { Rng } from './prng.ts';
import { count, emptyReport, type Report } from './report.ts';
import type { ChaosDevice } from './devices.ts';
import { enroll, sleep, startChild, storedDocs } from './server-proc.ts';

export interface CrashOptions {
  readonly seed: number;
  readonly durationMs: number;
  readonly devices: number;
}

export async function runServerCrash(o: CrashOptions): Promise<Report> {
  const report = emptyReport(`server-crash seed=${o.seed}`);
  const rng = new Rng(o.seed);
  const child = await startChild();
  const devices = await enroll(child, o.devices);
  let intakes = 0;
  let steps = 0;
  try {
    for (const d of devices) d.start({ batchItems: 3 });
    const until = Date.now() + o.durationMs;
    let stopWork = false;
    // Officers keep working whether the server is up or not.
    const work = (async () => {
      while (!stopWork) {
        const d = rng.pick(devices);
        if (d.docNames.length === 0 || rng.chance(0.4)) {
          await d.intakeOne(rng, `Nguyễn Thị Chaos ${++intakes}`, '079200001234');
        } else if (await d.step(rng, rng.pick(d.docNames))) steps++;
        await sleep(rng.int(5, 80));
      }
    })();
    while (Date.now() < until) {
      await sleep(rng.int(200, 2500));
      await child.server.kill();
      count(report.faults, 'server_sigkill');
      for (const d of devices) {
        const dropped = await d.droppedUnconfirmed();
        if (dropped > 0) report.failures.push(`[S1] ${d.info.deviceId} dropped ${dropped} unconfirmed updates`);
      }
      await sleep(rng.int(50, 1200));
      await child.server.start();
    }
    stopWork = true;
    await work;
    const healStart = Date.now();
    await converged(devices, 120_000);
    report.convergeMs = Date.now() - healStart;
    for (const d of devices) d.stop();
    await child.server.stop();
    await check(report, devices, (names) => storedDocs(child.dataDir, names));
    report.notes.push(`${o.devices} devices, ${intakes} intakes and ${steps} workflow steps during ${Math.round(o.durationMs / 1000)} s of kills`);
    return report;
  } finally {
    for (const d of devices) d.stop();
    await child.dispose();
  }
}

/** Every outbox empty and every device holding the same docs at the same state vectors. */
export async function converged(devices: readonly ChaosDevice[], timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await sameEverywhere(devices)) return;
    if (Date.now() > until) throw new Error('replicas did not converge in time');
    await sleep(100);
  }
}

async function sameEverywhere(devices: readonly ChaosDevice[]): Promise<boolean> {
  const names = new Set(devices.flatMap((d) => d.made.map((m) => m.doc)));
  let want: string | null = null;
  for (const d of devices) {
    if ((await d.store.pendingCount()) > 0) return false;
    const parts: string[] = [];
    for (const n of [...names].sort()) {
      const doc = await d.store.loadDoc(n);
      if (doc === null) return false;
      parts.push(fingerprint(doc).sv);
      doc.destroy();
    }
    const got = parts.join(',');
    if (want === null) want = got;
    else if (want !== got) return false;
  }
  return true;
}

/** Reads the server's merged docs by name (from its SQLite file, or its PostgreSQL database). */
export type StoredDocs = (names: readonly string[]) => Promise<Map<string, Y.Doc>>;

/** Confirmed-but-missing, lost, duplicates and replica identity against the stopped server's store. */
export async function check(report: Report, devices: readonly ChaosDevice[], load: StoredDocs, where = "the server's SQLite file"): Promise<void> {
  const names = [...new Set(devices.flatMap((d) => d.made.map((m) => m.doc)))];
  const stored = await load(names);
  report.replicas = devices.length + 1;
  for (const d of devices) {
    const confirmed = d.confirmedUpdates();
    report.confirmed += d.confirmedBatches().size;
    for (const c of confirmed) if (!holds(stored.get(c.doc), c.update)) report.missing++;
    const lost = d.made.filter((m) => !holds(stored.get(m.doc), m.update)).length;
    if (lost > 0) report.failures.push(`${d.info.deviceId}: ${lost} updates never reached the server`);
  }
  let unstamped = 0;
  for (const [name, sdoc] of stored) {
    report.duplicates += duplicateEvents(sdoc);
    const want = fingerprint(sdoc);
    unstamped += want.unstamped;
    for (const d of devices) {
      const ddoc = await d.store.loadDoc(name);
      if (ddoc === null) {
        report.identical = false;
        continue;
      }
      report.duplicates += duplicateEvents(ddoc);
      const got = fingerprint(ddoc);
      if (got.sv !== want.sv || got.view !== want.view) {
        report.identical = false;
        report.failures.push(`${d.info.deviceId} differs from the server on ${name}`);
      }
      ddoc.destroy();
    }
    sdoc.destroy();
  }
  if (unstamped > 0) report.failures.push(`[S13] ${unstamped} events without a server stamp`);
  report.notes.push(`${names.length} dossiers compared on ${report.replicas} replicas (devices' IndexedDB and ${where})`);
}

const holds = (doc: Y.Doc | undefined, update: Uint8Array): boolean => doc !== undefined && contains(doc, update);
