/**
 * @server-kill: the sync server is SIGKILLed while the device's backlog is being pushed (right after
 * the first batch is acknowledged). After a restart nothing the server confirmed is missing and the
 * rest arrives by itself.
 *
 * The kill must land mid-push: the backlog has to span several batches. If the push finishes before
 * the kill, raise E2E_SERVER_KILL_DOSSIERS rather than slowing the app down.
 */
import { expect, test } from './support/fixtures.ts';
import { enrollOnline, takeInMany, UNIT } from './support/flows.ts';
import { dossierDocs } from './support/server.ts';

const N = Number(process.env['E2E_SERVER_KILL_DOSSIERS'] ?? 40);

test(`@server-kill killing the sync server mid-push loses nothing it confirmed (${N} dossiers)`, async ({ harness }) => {
  const server = await harness.server();
  await server.start();
  const a = await enrollOnline(harness, server, 'A');
  const enrolledRun = server.currentRun;

  await server.stop();
  await test.step(`A takes in ${N} dossiers offline`, () => takeInMany(harness, a.ui, N));
  await a.ui.receipt.newIntake();
  const pendingBefore = await a.ui.pendingCount();
  expect(pendingBefore).toBeGreaterThanOrEqual(N);
  harness.note(`pending before the push: ${pendingBefore}`);

  const killRun = await test.step('the server starts and is SIGKILLed right after its first push_ack', async () => {
    let killed = false;
    // Synchronous, on the line itself: no await between the ack appearing and the signal.
    const off = server.onEachLine((_line, event) => {
      if (!killed && event?.ev === 'push_ack') {
        killed = true;
        server.killNow();
      }
    });
    try {
      await server.start();
      const run = server.currentRun;
      if (!killed) await server.waitForLine((_l, e) => e?.ev === 'push_ack', 120_000);
      await server.waitExited();
      return run;
    } finally {
      off();
    }
  });
  expect(killRun).toBe(enrolledRun + 1);

  const acked = server.pushAcks(killRun).filter((a) => !a.duplicate);
  const ackedCount = acked.reduce((n, a) => n + a.count, 0);
  const lastAcked = Math.max(...acked.map((a) => a.last));
  harness.note(`acked before the kill: ${acked.length} batch(es), ${ackedCount} updates, seqs up to ${lastAcked}: ${JSON.stringify(acked)}`);
  expect(ackedCount, `the kill landed mid-push (${ackedCount} of ${pendingBefore} acked); raise E2E_SERVER_KILL_DOSSIERS`).toBeLessThan(pendingBefore);

  await test.step('restart on the same port and data: the rest arrives without user action', async () => {
    await server.start();
    await expect
      .poll(() => a.ui.pendingCount(), { timeout: 180_000, intervals: [500], message: "A's pending-count reaches 0" })
      .toBe(0);
  });

  await test.step('nothing the server confirmed before the kill is missing, and everything arrived', async () => {
    const stats = await server.stats();
    harness.note(`stats after restart: ${JSON.stringify(stats)}`);
    expect(stats.headSeq, 'the head is at or past the last seq acked before the kill').toBeGreaterThanOrEqual(lastAcked);
    expect(stats.rows, 'rows at least the updates acked before the kill').toBeGreaterThanOrEqual(ackedCount);
    const docs = dossierDocs(await server.docs(UNIT));
    expect(docs, `the data center holds all ${N} dossiers`).toHaveLength(N);
    // Each acked batch's range [first, last] is covered by what the server holds.
    const maxDocSeq = Math.max(...docs.map((d) => d.lastSeq));
    for (const b of acked) expect(maxDocSeq, `batch ${b.batchId} seqs ${b.first}-${b.last}`).toBeGreaterThanOrEqual(b.last);
    const dupes = server.pushAcks().filter((x) => x.duplicate);
    harness.note(`batches answered as duplicates after the restart: ${dupes.length}`);
  });
});
