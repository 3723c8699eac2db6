/**
 * @catch-up: device A takes in 50 dossiers offline; when the data center comes back A's backlog
 * drains by itself (no user action) and device B of the same commune lists all of them. A device of
 * another commune sees none of them and is refused (close code 4403) when it asks for one by name.
 */
import { expect, test } from './support/fixtures.ts';
import { enrollOnline, FORBIDDEN, openDocAs, OTHER_UNIT, takeInMany, UNIT } from './support/flows.ts';
import { officerFor } from './support/pages.ts';
import { dossierDocs } from './support/server.ts';

const N = Number(process.env['E2E_CATCHUP_DOSSIERS'] ?? 50);
const DRAIN_TIMEOUT = 180_000;

test(`@catch-up ${N} dossiers taken in offline reach the data center by themselves and only their commune`, async ({ harness }) => {
  const server = await harness.server();
  await server.start();
  const a = await enrollOnline(harness, server, 'A');

  await server.stop();
  const taken = await test.step(`A takes in ${N} dossiers offline`, () => takeInMany(harness, a.ui, N));
  await a.ui.receipt.newIntake();
  await expect.poll(() => a.ui.pendingCount(), { message: `A shows at least ${N} changes pending` }).toBeGreaterThanOrEqual(N);

  await test.step('the server comes back; A drains its backlog without any user action', async () => {
    const t0 = Date.now();
    await server.start();
    await expect
      .poll(() => a.ui.pendingCount(), { timeout: DRAIN_TIMEOUT, intervals: [500], message: "A's pending-count reaches 0" })
      .toBe(0);
    harness.note(`A drained ${N} dossiers in ${Date.now() - t0} ms after the server start`);
    const docs = dossierDocs(await server.docs(UNIT));
    expect(docs, `the data center holds ${N} dossier docs of ${UNIT}`).toHaveLength(N);
  });

  await test.step(`device B of ${UNIT} lists all ${N}`, async () => {
    await a.shutdown();
    const b = await enrollOnline(harness, server, 'B');
    await b.ui.list.open();
    await b.ui.list.expectCount(N, 120_000);
    // Content crossed, not just rows: spot-check the first, a middle and the last dossier.
    const samples = [taken[0], taken[Math.floor(N / 2)], taken[N - 1]];
    for (const t of samples) if (t) await b.ui.list.expectDossier(t.receipt.code, t.applicant);
    await b.shutdown();
  });

  await test.step(`a device token of ${OTHER_UNIT} cannot open a ${UNIT} dossier by name (close ${FORBIDDEN})`, async () => {
    const docs = dossierDocs(await server.docs(UNIT));
    expect(docs.length).toBe(N);
    const other = await server.enrollDevice(await server.createEnrollment(OTHER_UNIT), 'C node');
    expect(other.unit).toBe(OTHER_UNIT);
    for (const d of docs) {
      const outcome = await openDocAs(server, d.doc, other.token);
      expect(outcome, `device of ${OTHER_UNIT} opening ${d.doc}`).toMatchObject({ kind: 'closed', code: FORBIDDEN, gotMessage: false });
    }
    // Control: a device of the doc's own commune is let in, so 4403 above is about scope.
    const own = await server.enrollDevice(await server.createEnrollment(UNIT), 'A node');
    const first = docs[0];
    if (first) {
      const outcome = await openDocAs(server, first.doc, own.token);
      expect(outcome, `device of ${UNIT} opening ${first.doc}`).toMatchObject({ kind: 'open', gotMessage: true });
    }
  });

  await test.step(`device C of ${OTHER_UNIT} lists none of them`, async () => {
    // Only 20209 has seeded officers; the officer must exist before C enrolls (it receives the list then).
    const officer = officerFor(OTHER_UNIT);
    await server.createOfficer(OTHER_UNIT, officer.username, officer.password);
    const c = await enrollOnline(harness, server, 'C', OTHER_UNIT);
    await c.ui.expectSyncState('online', 60_000);
    await c.ui.list.open();
    // Give C's catch-up time to bring anything it (wrongly) could: the list must stay empty.
    for (let i = 0; i < 10; i++) {
      expect(await c.ui.list.count(), 'C lists no dossier of another commune').toBe(0);
      await c.ui.page.waitForTimeout(500);
    }
    const t = taken[0];
    if (t) {
      await c.ui.list.search(t.applicant.cccd);
      await expect(c.ui.page.getByTestId('dossier-row')).toHaveCount(0);
    }
    await c.shutdown();
  });
});
