/**
 * Fault (b) at the data center: two server nodes on one PostgreSQL behind a round-robin balancer,
 * each SIGKILLed at random moments (now and then both at once) while NodeDevices push and pull
 * through the balancer and land on whichever node is up (S1, S2, S3, S6, S15). At the end every
 * confirmed batch is in the database, the rest arrived too, nothing is doubled, every event has one
 * stamp, and every device holds what the database holds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PgStore } from '../sync-server/store/pg.ts';
import { LogSink } from '../tests/e2e/support/logs.ts';
import { freePort, SyncServer } from '../tests/e2e/support/server.ts';
import { createTestDatabase } from '../tests/support/pg.ts';
import { startBalancer } from './balancer.ts';
import { ChaosDevice } from './devices.ts';
import { Rng } from './prng.ts';
import { count, emptyReport, type Report } from './report.ts';
import { check, converged } from './server-crash.ts';
import { DEMO_UNIT, mergedDocs, sleep } from './server-proc.ts';

export interface PgCrashOptions {
  readonly seed: number;
  readonly durationMs: number;
  readonly devices: number;
}

export async function runPgNodesCrash(o: PgCrashOptions): Promise<Report> {
  const report = emptyReport(`pg-nodes-crash seed=${o.seed}`);
  const rng = new Rng(o.seed);
  const db = await createTestDatabase('motcua_chaos');
  const dir = mkdtempSync(join(tmpdir(), 'motcua-chaos-pg-'));
  const adminToken = `chaos-admin-token-0123456789-seed-${o.seed}`;
  const logs = new LogSink();
  const nodes: SyncServer[] = [];
  for (let i = 0; i < 2; i++) {
    nodes.push(new SyncServer({ port: await freePort(), dataDir: join(dir, `node-${i}`), logs, staticDir: join(dir, 'no-ui'), databaseUrl: db.url, adminToken }));
  }
  const balancer = await startBalancer(nodes.map((n) => n.port));
  let devices: ChaosDevice[] = [];
  try {
    for (const n of nodes) await n.start();
    const first = nodes[0] as SyncServer;
    const code = await first.createEnrollment(DEMO_UNIT, o.devices);
    const wsUrl = `ws://127.0.0.1:${balancer.port}`;
    for (let i = 0; i < o.devices; i++) devices.push(new ChaosDevice(await first.enrollDevice(code, `chaos-${i}`), wsUrl));
    for (const d of devices) d.start({ batchItems: 3 });

    let intakes = 0;
    let steps = 0;
    let stopWork = false;
    const work = (async () => {
      while (!stopWork) {
        const d = rng.pick(devices);
        if (d.docNames.length === 0 || rng.chance(0.4)) await d.intakeOne(rng, `Nguyễn Thị Chaos ${++intakes}`, '079200001234');
        else if (await d.step(rng, rng.pick(d.docNames))) steps++;
        await sleep(rng.int(5, 60));
      }
    })();
    const until = Date.now() + o.durationMs;
    while (Date.now() < until) {
      await sleep(rng.int(300, 2000));
      // Mostly one node at a time (the other keeps serving); sometimes the whole data center.
      const victims = rng.chance(0.2) ? nodes : [rng.pick(nodes)];
      for (const v of victims) await v.kill();
      count(report.faults, victims.length === 2 ? 'both_nodes_sigkill' : 'node_sigkill');
      for (const d of devices) {
        const dropped = await d.droppedUnconfirmed();
        if (dropped > 0) report.failures.push(`[S1] ${d.info.deviceId} dropped ${dropped} unconfirmed updates`);
      }
      await sleep(rng.int(50, 1000));
      for (const v of victims) await v.start();
    }
    stopWork = true;
    await work;
    const healStart = Date.now();
    await converged(devices, 120_000);
    report.convergeMs = Date.now() - healStart;
    for (const d of devices) d.stop();
    for (const n of nodes) await n.stop();
    await check(report, devices, async (names) => mergedDocs(await PgStore.open({ connectionString: db.url, max: 2 }), names), 'the data center\'s PostgreSQL');
    report.notes.push(
      `${o.devices} devices through a balancer (${balancer.counts.join(' + ')} connections to the two nodes), ${intakes} intakes and ${steps} workflow steps during ${Math.round(o.durationMs / 1000)} s of kills`,
    );
    return report;
  } finally {
    for (const d of devices) d.stop();
    devices = [];
    for (const n of nodes) await n.kill();
    await balancer.close();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}
