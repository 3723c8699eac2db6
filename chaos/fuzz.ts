/**
 * Fault (d): a seeded hostile-input fuzzer against the running sync server (S8, S9). Every input must
 * get a named close code or HTTP error; a well-behaved device of another commune keeps getting its
 * batches confirmed throughout; the attacked commune's stored docs do not change; and the server's
 * stdout carries none of the names or CCCDs sent.
 */
import { Rng } from './prng.ts';
import { count, emptyReport, type Report } from './report.ts';
import { CASES, FUZZ_CCCD, FUZZ_NAME, type Target } from './hostile.ts';
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
    const [attacker, victim] = await enroll(child, 2);
    const [good] = await enroll(child, 1, child.wsUrl, FOREIGN_UNIT);
    if (attacker === undefined || victim === undefined || good === undefined) throw new Error('enrollment failed');
    await fetch(`${server.url}/api/admin/devices/${victim.info.deviceId}/revoke`, { method: 'POST', headers: { authorization: `Bearer ${server.adminToken}` } });
    const target: Target = {
      url: server.url,
      wsUrl: child.wsUrl,
      token: attacker.info.token,
      revokedToken: victim.info.token,
      adminToken: server.adminToken,
      unit: attacker.info.unit,
      foreignUnit: FOREIGN_UNIT,
    };
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
    while (Date.now() < until) {
      // A few at once, as a hostile network would send them.
      const batch = Array.from({ length: rng.int(1, 4) }, () => rng.pick(CASES));
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
