/**
 * Fault (d): a seeded hostile-input fuzzer against the running sync server (S8, S9), and a device with a
 * valid token writing what it may not or taking more than its share (S19-S21, hostile-trust.ts).
 * Every input must get a named close code or HTTP error; a well-behaved device of another commune keeps getting its
 * batches confirmed throughout; the attacked commune's stored docs do not change; and the server's
 * stdout carries none of the names or CCCDs sent.
 */
import { Rng } from './prng.ts';
import { count, emptyReport, type Report } from './report.ts';
import { CASES, FUZZ_CCCD, FUZZ_NAME, type HostileCase, type Target } from './hostile.ts';
import { stampDeletion, TRUST_CASES, type TrustTarget } from './hostile-trust.ts';
import { writerIdOf } from '../src/worker/dossier-doc.ts';
import { enroll, sleep, startChild } from './server-proc.ts';

const FOREIGN_UNIT = '20194';
const GOOD_NAME = 'Lê Thị Hợp Lệ';
const GOOD_CCCD = '048099000777';

export async function runFuzz(o: { seed: number; durationMs: number }): Promise<Report> {
  const report = emptyReport(`hostile-input seed=${o.seed}`);
  const rng = new Rng(o.seed);
  const child = await startChild();
  const { server } = child;
  try {
    const [attacker, victim, byteFlooder, socketFlooder] = await enroll(child, 4);
    const [good] = await enroll(child, 1, child.wsUrl, FOREIGN_UNIT);
    if (attacker === undefined || victim === undefined || byteFlooder === undefined || socketFlooder === undefined || good === undefined) {
      throw new Error('enrollment failed');
    }
    // Before it is revoked, the victim stores a dossier with its server stamp, which the attacker will try to delete.
    victim.start();
    const deletion = await stampDeletion(victim, rng.fork(), writerIdOf(attacker.info.deviceId));
    victim.stop();
    await fetch(`${server.url}/api/admin/devices/${victim.info.deviceId}/revoke`, { method: 'POST', headers: { authorization: `Bearer ${server.adminToken}` } });
    const target: Target & TrustTarget = {
      url: server.url,
      wsUrl: child.wsUrl,
      token: attacker.info.token,
      revokedToken: victim.info.token,
      adminToken: server.adminToken,
      unit: attacker.info.unit,
      foreignUnit: FOREIGN_UNIT,
      deviceId: attacker.info.deviceId,
      otherDeviceId: victim.info.deviceId,
      byteFlooder: byteFlooder.info.token,
      socketFlooder: socketFlooder.info.token,
      stampDeletion: deletion,
    };
    const cases: readonly HostileCase<TrustTarget>[] = [...CASES, ...TRUST_CASES];
    const docsBefore = JSON.stringify(await server.docs(attacker.info.unit));
    good.start();
    let stop = false;
    const goodWork = (async () => {
      let n = 0;
      while (!stop) {
        await good.intakeOne(rng.fork(), `${GOOD_NAME} ${++n}`, GOOD_CCCD);
        await sleep(150);
      }
    })();
    const outcomes = new Map<string, Map<string, number>>();
    const until = Date.now() + o.durationMs;
    // Every kind once first (so a short run covers them all), then at random until the time is up.
    const sweep = [...cases];
    while (Date.now() < until || sweep.length > 0) {
      // A few at once, as a hostile network would send them.
      const batch = sweep.length > 0 ? sweep.splice(0, rng.int(1, 4)) : Array.from({ length: rng.int(1, 4) }, () => rng.pick(cases));
      const results = await Promise.all(batch.map((c) => c.run(target, rng.fork()).then((out) => ({ c, out }))));
      for (const { c, out } of results) {
        count(report.faults, c.kind);
        const m = outcomes.get(c.kind) ?? new Map<string, number>();
        m.set(out, (m.get(out) ?? 0) + 1);
        outcomes.set(c.kind, m);
        if (!c.expect.includes(out)) report.failures.push(`${c.kind}: got "${out}", expected ${c.expect.join(' or ')}`);
      }
      if (!server.running) report.failures.push('server process died');
    }
    stop = true;
    await goodWork;
    const start = Date.now();
    while ((await good.store.pendingCount()) > 0) {
      if (Date.now() - start > 30_000) {
        report.failures.push('the well-behaved device could not get its work confirmed');
        break;
      }
      await sleep(50);
    }
    report.convergeMs = Date.now() - start;
    good.stop();
    report.confirmed = good.confirmedBatches().size;
    report.replicas = 1;
    const docsAfter = JSON.stringify(await server.docs(attacker.info.unit));
    if (docsAfter !== docsBefore) report.failures.push(`stored docs of ${attacker.info.unit} changed under attack`);
    // Each trust or quota refusal seen is logged as such (S19-S21), without personal data (below).
    for (const code of [4421, 4422, 4423, 4430, 4431]) {
      const seen = [...outcomes.values()].some((m) => m.has(`close ${code}`));
      const logged = server.lines.some((l) => l.includes('"ev":"refused"') && l.includes(`"code":${code}`));
      if (seen && !logged) report.failures.push(`refusal ${code} was not logged as a refused event`);
    }
    const leaks = server.lines.filter((l) => [FUZZ_NAME, FUZZ_CCCD, GOOD_NAME, GOOD_CCCD].some((p) => l.includes(p)));
    if (leaks.length > 0) report.failures.push(`${leaks.length} server log lines carry personal data, e.g. ${leaks[0]?.slice(0, 120) ?? ''}`);
    for (const [kind, m] of [...outcomes].sort(([a], [b]) => (a < b ? -1 : 1))) {
      report.notes.push(`${kind}: ${[...m].map(([k, v]) => `${k} x${v}`).join(', ')}`);
    }
    report.notes.push(`well-behaved device (${FOREIGN_UNIT}): ${report.confirmed} batches confirmed during the attack; ${server.lines.length} log lines checked for names and CCCDs`);
    // Same fault-free duplicate/missing checks as elsewhere do not apply: nothing of the attacker is stored.
    return report;
  } finally {
    await child.dispose();
  }
}
