/**
 * @server-kill: the sync server is SIGKILLed while the device's backlog is being pushed, right after
 * a batch is acknowledged (round 1: on the ack line itself; later rounds a few ms after it, when the
 * next batch is typically on the wire or being written). After each restart nothing the server
 * confirmed is missing, and in the end everything arrives by itself, exactly once.
 *
 * The kill must land mid-push: the backlog has to span several batches. If the push finishes before
 * the kill, raise E2E_SERVER_KILL_DOSSIERS rather than slowing the app down.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect, test } from './support/fixtures.ts';
import { enrollOnline, takeInMany, UNIT } from './support/flows.ts';
import { dossierDocs, type PushAck } from './support/server.ts';

// The device pushes at most 200 updates per batch (sync-client.ts) and one intake is one update: 250
// dossiers make at least two batches, so a kill right after the first ack leaves work to do.
const N = Number(process.env['E2E_SERVER_KILL_DOSSIERS'] ?? 250);
/** One kill per entry: milliseconds between the push_ack line and the SIGKILL. */
const KILL_DELAYS_MS = (process.env['E2E_SERVER_KILL_DELAYS'] ?? '0,15').split(',').map(Number);

test(`@server-kill killing the sync server mid-push loses nothing it confirmed (${N} dossiers, ${KILL_DELAYS_MS.length} kills)`, async ({
  harness,
}) => {
  const server = await harness.server();
  await server.start();
  const a = await enrollOnline(harness, server, 'A');

  await server.stop();
  await test.step(`A takes in ${N} dossiers offline`, () => takeInMany(harness, a.ui, N));
  await a.ui.receipt.newIntake();
  const pendingBefore = await a.ui.pendingCount();
  expect(pendingBefore).toBeGreaterThanOrEqual(N);
  harness.note(`pending before the push: ${pendingBefore}`);

  /** Batches the server said (on stdout) it had stored, before any of the kills. */
  const confirmed: PushAck[] = [];
  for (const [round, delay] of KILL_DELAYS_MS.entries()) {
    const run = await test.step(`kill ${round + 1}: SIGKILL ${delay} ms after the first push_ack of a fresh start`, async () => {
      let armed = true;
      // Synchronous, on the line itself: no await between the ack appearing and the signal.
      const off = server.onEachLine((_line, event) => {
        if (!armed || event?.ev !== 'push_ack') return;
        armed = false;
        if (delay <= 0) server.killNow();
        else setTimeout(() => server.killNow(), delay);
      });
      try {
        await server.start();
        const r = server.currentRun;
        if (armed) await server.waitForLine((_l, e) => e?.ev === 'push_ack', 120_000);
        await server.waitExited();
        return r;
      } finally {
        off();
      }
    });
    const acks = server.pushAcks(run);
    confirmed.push(...acks.filter((x) => !x.duplicate));
    const total = confirmed.reduce((n, x) => n + x.count, 0);
    harness.note(`kill ${round + 1} (run ${run}): acks ${JSON.stringify(acks)}; ${total}/${pendingBefore} updates confirmed so far`);
    if (round === 0) {
      expect(total, `the first kill landed mid-push (${total} of ${pendingBefore} acked); raise E2E_SERVER_KILL_DOSSIERS`).toBeLessThan(pendingBefore);
    } else if (total >= pendingBefore) {
      harness.note(`kill ${round + 1} came after the last batch: nothing left to push`);
      break;
    }
  }

  await test.step('restart on the same port and data: the rest arrives without user action', async () => {
    await server.start();
    await expect
      .poll(() => a.ui.pendingCount(), { timeout: 180_000, intervals: [500], message: "A's pending-count reaches 0" })
      .toBe(0);
  });

  await test.step('nothing the server confirmed before a kill is missing, and everything arrived once', async () => {
    const stats = await server.stats();
    const docs = dossierDocs(await server.docs(UNIT));
    harness.note(`stats after the last restart: ${JSON.stringify(stats)}; ${docs.length} dossier docs`);
    const lastConfirmed = Math.max(0, ...confirmed.map((x) => x.last));
    expect(stats.headSeq, 'the head is at or past the last seq acked before a kill').toBeGreaterThanOrEqual(lastConfirmed);
    expect(docs, `the data center holds all ${N} dossiers`).toHaveLength(N);
    // One intake is one update, and the server adds one time stamp row per dossier (S13): two rows each.
    expect(docs.every((d) => d.rows === 2), 'each dossier doc holds its update and its stamp').toBe(true);
    // Every seq of every batch confirmed before a kill is still in the server's file (read-only look).
    const db = new Database(join(server.dataDir, 'motcua.sqlite'), { readonly: true, fileMustExist: true });
    try {
      const has = db.prepare<[number], { seq: number }>(`SELECT seq FROM updates WHERE seq = ? AND device != 'server'`);
      for (const b of confirmed) {
        // A batch's seqs are contiguous when count says so; otherwise only its ends are known.
        const seqs = b.last - b.first + 1 === b.count ? Array.from({ length: b.count }, (_, i) => b.first + i) : [b.first, b.last];
        const missing = seqs.filter((seq) => has.get(seq) === undefined);
        expect(missing, `seqs of batch ${b.batchId} (${b.first}-${b.last}) still held`).toEqual([]);
      }
    } finally {
      db.close();
    }
    // A batch re-sent after a kill must not be stored twice.
    expect(stats.rows, 'every pushed update stored exactly once, plus its stamp').toBe(2 * pendingBefore);
    harness.note(`batches answered as duplicates: ${server.pushAcks().filter((x) => x.duplicate).length}`);
  });
});
