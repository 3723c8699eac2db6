/**
 * One configuration: its server node(s) started on a fresh store, the devices enrolled through the
 * admin API while the city is online, then every device coming back at the same moment after the
 * outage with its day's backlog, a live edit sampled meanwhile, and the store checked at the end.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { auditContent } from './audit.ts';
import { LIVE_SAMPLES, type ConfigName } from './config.ts';
import { buildBacklog, type DeviceBacklog } from './backlog.ts';
import { BenchDevice } from './device.ts';
import type { Commune } from './dossiers.ts';
import { enroll, PROBE_DEVICES } from './enroll.ts';
import { figuresOf, type Figure } from './figures.ts';
import { LiveProbe, type LiveResult } from './live.ts';
import { ServerNode, sleep } from './node.ts';
import { createDatabase, type BenchDatabase } from './pg.ts';
import { machineCpu, postgresCpu, postgresCpuBetween } from './proc.ts';
import { expectedOf, verifyStore } from './verify.ts';

export interface RunContext {
  readonly dir: string;
  readonly communes: readonly Commune[];
  /** Every node of every configuration, so a Ctrl-C can stop them. */
  readonly nodes: Set<ServerNode>;
  log(msg: string): void;
}

/** Longest the devices get to push everything before the configuration is failed. */
const LOAD_TIMEOUT_MS = 240_000;
/** Longest they get after that to pull what the others pushed. */
const CONVERGE_TIMEOUT_MS = 60_000;
/** A live edit every this often: 100 edits span the first 15 s of the load. */
const LIVE_EVERY_MS = 150;
const IDLE_LIVE_SAMPLES = 20;
const ADMIN_TOKEN = 'bench-server-admin-token-0123456789';

/** True once `done()` holds, false when the time is up; throws when `failed()` names a failure. */
async function waitFor(done: () => boolean, failed: () => string | null, timeoutMs: number, progress: () => void): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  let lastLog = performance.now();
  while (!done()) {
    const f = failed();
    if (f !== null) throw new Error(f);
    if (performance.now() > deadline) return false;
    if (performance.now() - lastLog > 5_000) {
      progress();
      lastLog = performance.now();
    }
    await sleep(25);
  }
  return true;
}

/** Starts the configuration's nodes into `nodes` (so the caller stops even those of a failed start). */
async function startNodes(ctx: RunContext, name: ConfigName, db: BenchDatabase | null, nodes: ServerNode[]): Promise<void> {
  const count = name === 'pg2' ? 2 : 1;
  // One after the other: the first seeds the store (units, catalog), the second finds it seeded.
  for (let i = 0; i < count; i++) {
    const node = new ServerNode({
      name: `${name}-node${i + 1}`,
      dataDir: join(ctx.dir, name, `node${i + 1}`),
      adminToken: ADMIN_TOKEN,
      ...(db === null ? {} : { databaseUrl: db.url }),
      profileDir: join(ctx.dir, 'profiles'),
    });
    ctx.nodes.add(node);
    nodes.push(node);
    await node.start();
    if (db !== null && (node.openedSqlite() || (await db.tableCount()) === 0)) {
      throw new Error(
        'the server ignored DATABASE_URL (it opened SQLite, or created no table in PostgreSQL): the PostgreSQL store is not in sync-server/main.ts yet',
      );
    }
  }
}

export async function runConfig(ctx: RunContext, name: ConfigName): Promise<Record<string, Figure>> {
  mkdirSync(join(ctx.dir, name), { recursive: true });
  const db = name === 'sqlite1' ? null : await createDatabase(name);
  const nodes: ServerNode[] = [];
  let devices: BenchDevice[] = [];
  let probe: LiveProbe | null = null;
  try {
    await startNodes(ctx, name, db, nodes);
    ctx.log(`${name}: ${nodes.length} node(s) up (${db === null ? 'SQLite' : 'PostgreSQL'}), enrolling devices`);
    const enrolled = await enroll(ctx.communes, nodes);
    // Before the clock starts, as the device wrote its outbox during the outage: under the id it was
    // enrolled with (S19), so only now.
    const b0 = performance.now();
    const backlog = buildBacklog(ctx.communes, enrolled.devices);
    const expected = expectedOf(backlog);
    devices = enrolled.devices.map((e, i) => new BenchDevice(backlog.devices[i] as DeviceBacklog, e.token, e.node.wsUrl, expected.scope.get(e.unit)?.size ?? 0));
    ctx.log(
      `${name}: backlog built for the enrolled devices in ${((performance.now() - b0) / 1000).toFixed(1)} s (not timed): ` +
        `${expected.dossiers.toLocaleString('en')} dossiers, ${expected.rows.toLocaleString('en')} updates in ${expected.batches} batches, ${expected.grants} transferred`,
    );
    const last = nodes[nodes.length - 1] as ServerNode;
    probe = await LiveProbe.open(enrolled.probe.unit, (nodes[0] as ServerNode).url, enrolled.probe.writer, last.url, enrolled.probe.reader.token);
    // The same edits with nothing else going on: what the fan-out itself costs.
    probe.start(IDLE_LIVE_SAMPLES, 50);
    const idle = await probe.finish(10_000);
    ctx.log(`${name}: ${devices.length} devices enrolled; the outage ends now`);

    const loop = monitorEventLoopDelay({ resolution: 10 });
    const cpu0 = nodes.map((n) => n.cpuSeconds());
    const machine0 = machineCpu();
    const pg0 = db === null ? null : postgresCpu();
    const client0 = process.cpuUsage();
    loop.enable();
    const t0 = performance.now();
    const failures: string[] = [];
    const runs = devices.map((d) => d.run(t0).catch((e: unknown) => void failures.push(e instanceof Error ? e.message : String(e))));
    probe.start(LIVE_SAMPLES, LIVE_EVERY_MS);
    const batchesTotal = expected.batches;
    const progress = (): void => {
      const acked = devices.reduce((s, d) => s + d.figures.ackMs.length, 0);
      const converged = devices.filter((d) => d.figures.convergedAt !== null).length;
      ctx.log(`${name}: ${acked} / ${batchesTotal} batches confirmed, ${converged} / ${devices.length} devices converged`);
    };
    const failed = (): string | null => (failures.length > 0 ? `a device failed: ${failures[0]}` : null);
    const confirmed = await waitFor(() => devices.every((d) => d.figures.confirmedAt !== null), failed, LOAD_TIMEOUT_MS, progress);
    if (!confirmed) throw new Error(`not every update confirmed within ${LOAD_TIMEOUT_MS / 1000} s`);
    const loadCpu = nodes.map((n, i) => n.cpuSeconds() - (cpu0[i] ?? 0));
    const machine1 = machineCpu();
    const pgCpu = pg0 === null ? null : postgresCpuBetween(pg0, postgresCpu());
    const clientCpu = process.cpuUsage(client0);
    const converged = await waitFor(() => devices.every((d) => d.figures.convergedAt !== null), failed, CONVERGE_TIMEOUT_MS, progress);
    loop.disable();
    const live: LiveResult = await probe.finish(15_000);
    const hwm = nodes.map((n) => n.status('VmHWM') ?? n.peakRssKb);
    for (const d of devices) d.stop();
    await Promise.all(runs);

    const f = figuresOf({
      devices: devices.map((d) => d.figures),
      expected,
      converged,
      live,
      idle,
      hwmKb: hwm,
      nodeCpu: loadCpu,
      machine: [machine0, machine1],
      postgresCpu: pgCpu,
      clientCpu: (clientCpu.user + clientCpu.system) / 1e6,
      clientLoopP99Ms: loop.percentile(99) / 1e6,
    });
    const badAcks = devices.reduce((s, d) => s + d.figures.badAcks, 0);
    const problems = await verifyStore(nodes[0] as ServerNode, expected, devices.length + PROBE_DEVICES, idle.sent + live.sent);
    // From the last node: with two, what it serves came through the other's commits too.
    problems.push(...(await auditContent(last, expected, enrolled.probe.unit)));
    if (badAcks > 0) problems.unshift(`${badAcks} acks without one seq per item`);
    for (const n of nodes) {
      if (n.refusals.length > 0) problems.unshift(`${n.o.name} refused ${n.refusals.length} socket(s), the first: ${n.refusals[0]}`);
    }
    f['verified'] = problems.length === 0;
    if (problems.length > 0) f['verify_problems'] = problems.join('; ');
    if (db !== null) {
      // Read once the nodes are gone: a backend reports its counters when it ends, or lazily.
      for (const n of nodes) await n.stop();
      const a = await db.activity();
      f['pg_commits'] = a.commits;
      f['pg_commits_per_dossier'] = Math.round((a.commits / expected.dossiers) * 100) / 100;
      f['pg_rows_fetched'] = a.rowsFetched;
    }
    return f;
  } catch (e) {
    for (const n of nodes) ctx.log(`${n.o.name} last lines:\n${n.lastLines()}`);
    throw e;
  } finally {
    probe?.close();
    for (const d of devices) d.stop();
    for (const n of nodes) {
      await n.stop();
      ctx.nodes.delete(n);
    }
    await db?.drop().catch((e: unknown) => ctx.log(`could not drop the bench database: ${String(e)}`));
  }
}
