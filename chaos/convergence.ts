/**
 * Fault (a): seeded random convergence (S1, S3, S11, S13). Devices act offline on shared dossiers;
 * their pushes, pulls, acks and pages travel a fake network that drops, duplicates and reorders them
 * and cuts devices off; then the network heals and every replica (each device and the server) must
 * hold the same Yjs state and the same projection, conflicts included. No timers: one seed, one run.
 */
import * as Y from 'yjs';
import { Rng } from './prng.ts';
import { count, emptyReport, type Report } from './report.ts';
import { contains, duplicateEvents, fingerprint, SimDevice, SimServer, type Wire } from './sim.ts';

export interface ConvergenceOptions {
  readonly seed: number;
  readonly steps: number;
  readonly devices: number;
  readonly maxDossiers: number;
  readonly dropRate: number;
  readonly dupRate: number;
}

export const CONVERGENCE_DEFAULTS: Omit<ConvergenceOptions, 'seed'> = {
  steps: 3000,
  devices: 5,
  maxDossiers: 8,
  dropRate: 0.2,
  dupRate: 0.1,
};

const BATCH_ITEMS = 4;
const PULL_LIMIT = 6;

export async function runConvergence(o: ConvergenceOptions): Promise<Report> {
  const report = emptyReport(`convergence seed=${o.seed}`);
  const rng = new Rng(o.seed);
  const server = new SimServer();
  const devices = Array.from({ length: o.devices }, (_, i) => {
    // Clocks up to ±3 h off: the order of concurrent steps is the reducer's, not the network's.
    const skew = rng.int(-3, 3) * 3_600_000;
    return new SimDevice(i, `dev-${i}`, 1000 + i, skew);
  });
  const offline = new Set<number>();
  const net: Wire[] = [];
  let now = Date.UTC(2025, 2, 3, 2, 0, 0);
  let intakes = 0;
  let steps = 0;
  const confirmedBatches = new Map<string, number>();

  const deliver = async (m: Wire, reliable: boolean): Promise<void> => {
    switch (m.kind) {
      case 'push': {
        const d = devices[m.from];
        if (d === undefined) return;
        await server.push(d.id, m.batchId, m.items, now);
        net.push({ kind: 'ack', to: m.from, batchId: m.batchId });
        return;
      }
      case 'pull': {
        const d = devices[m.from];
        if (d === undefined) return;
        const page = await server.pull(d.id, m.since, PULL_LIMIT);
        net.push({ kind: 'page', to: m.from, ...page });
        return;
      }
      case 'ack': {
        const d = devices[m.to];
        if (d === undefined) return;
        confirmedBatches.set(`${d.id} ${m.batchId}`, m.to);
        d.confirm(m.batchId);
        return;
      }
      case 'page': {
        devices[m.to]?.applyPage(m.items, m.cursor);
        if (reliable && m.more) net.push({ kind: 'pull', from: m.to, since: m.cursor });
        return;
      }
    }
  };

  const sendPush = (d: SimDevice): void => {
    const batch = d.nextBatch(BATCH_ITEMS);
    if (batch === null) return;
    net.push({ kind: 'push', from: d.index, batchId: batch.batchId, items: batch.rows.map((r) => ({ doc: r.doc, update: r.update })) });
  };

  const endpoint = (m: Wire): number => (m.kind === 'push' || m.kind === 'pull' ? m.from : m.to);

  for (let step = 0; step < o.steps; step++) {
    now += rng.int(1, 120) * 1000;
    const d = rng.pick(devices);
    const r = rng.next();
    if (r < 0.22) {
      const known = [...d.docs.keys()];
      if (intakes < o.maxDossiers && (known.length === 0 || rng.chance(0.15))) {
        d.intake(rng, now + d.skew, ++intakes);
      } else if (known.length > 0) {
        const done = d.act(rng, rng.pick(known), now + d.skew);
        if (done !== null) steps++;
      }
    } else if (r < 0.34) {
      if (!offline.has(d.index)) sendPush(d);
    } else if (r < 0.42) {
      if (!offline.has(d.index)) net.push({ kind: 'pull', from: d.index, since: d.cursor });
    } else if (r < 0.45) {
      if (offline.has(d.index)) offline.delete(d.index);
      else {
        offline.add(d.index);
        count(report.faults, 'partition');
      }
    } else if (net.length > 0) {
      // Any message in flight, not the oldest: the network reorders.
      const i = rng.int(0, net.length - 1);
      const m = net[i];
      if (m === undefined) continue;
      if (rng.chance(o.dupRate)) count(report.faults, 'duplicate');
      else net.splice(i, 1);
      if (i !== 0) count(report.faults, 'reorder');
      if (offline.has(endpoint(m)) || rng.chance(o.dropRate)) {
        count(report.faults, `drop_${m.kind}`);
        continue;
      }
      await deliver(m, false);
    }
  }

  // Heal: every link up, nothing lost from here; messages still in flight arrive in any order first.
  const healStart = performance.now();
  offline.clear();
  let rounds = 0;
  for (; rounds < 50; rounds++) {
    while (net.length > 0) {
      const m = net.splice(rng.int(0, net.length - 1), 1)[0];
      if (m !== undefined) await deliver(m, true);
    }
    const pending = devices.reduce((n, dv) => n + dv.outbox.length, 0);
    if (pending === 0 && rounds > 0 && (await settled(devices, server))) break;
    for (const dv of devices) {
      sendPush(dv);
      net.push({ kind: 'pull', from: dv.index, since: dv.cursor });
    }
  }
  report.convergeMs = performance.now() - healStart;
  report.notes.push(`healed in ${rounds} rounds; ${o.devices} devices, ${intakes} dossiers, ${steps} offline workflow steps in ${o.steps} moves, ${server.acks} pushes stored`);

  await compare(report, devices, server, confirmedBatches);
  return report;
}

async function settled(devices: readonly SimDevice[], server: SimServer): Promise<boolean> {
  const head = await server.store.headSeq();
  return devices.every((d) => d.cursor >= head);
}

async function compare(report: Report, devices: readonly SimDevice[], server: SimServer, confirmed: Map<string, number>): Promise<void> {
  const names = await server.docNames();
  report.replicas = devices.length + 1;
  let conflicts = 0;
  let unstamped = 0;
  const serverDocs = new Map<string, Awaited<ReturnType<SimServer['doc']>>>();
  for (const name of names) {
    const sdoc = await server.doc(name);
    serverDocs.set(name, sdoc);
    const want = fingerprint(sdoc);
    conflicts += want.conflicts;
    unstamped += want.unstamped;
    report.duplicates += duplicateEvents(sdoc);
    for (const d of devices) {
      const ddoc = d.docs.get(name);
      if (ddoc === undefined) {
        report.identical = false;
        report.failures.push(`${d.id} lacks ${name}`);
        continue;
      }
      report.duplicates += duplicateEvents(ddoc);
      const got = fingerprint(ddoc);
      for (const k of ['sv', 'state', 'view'] as const) {
        if (got[k] !== want[k]) {
          report.identical = false;
          report.failures.push(`${d.id} differs from the server on ${name} (${k})`);
        }
      }
    }
  }
  // Confirmed-but-missing: every update of every acknowledged batch is in the server's doc (S1, S2).
  for (const [key, index] of confirmed) {
    const d = devices[index];
    const rows = d?.batches.get(key.split(' ')[1] ?? '') ?? [];
    report.confirmed++;
    for (const r of rows) {
      const sdoc = serverDocs.get(r.doc);
      if (sdoc === undefined || !contains(sdoc, r.update)) report.missing++;
    }
  }
  // And nothing a device made is lost, confirmed or not (everything arrives after the heal).
  let lost = 0;
  for (const d of devices) for (const m of d.made) if (!contains(serverDocs.get(m.doc) ?? new Y.Doc(), m.update)) lost++;
  if (lost > 0) report.failures.push(`${lost} device updates never reached the server`);
  if (unstamped > 0) report.failures.push(`[S13] ${unstamped} events without a server stamp`);
  report.notes.push(`${names.length} docs compared on ${report.replicas} replicas; ${conflicts} conflicts flagged, identically everywhere: ${report.identical}`);
  for (const doc of serverDocs.values()) doc.destroy();
}
