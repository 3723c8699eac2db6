/**
 * @offline-intake: after one online visit the app starts with no network at all (service worker),
 * takes in a dossier, shows the receipt, and the dossier is still listed after a reload.
 */
import { randomApplicant } from './support/data.ts';
import { expect, test } from './support/fixtures.ts';
import { enrollOnline, UNIT } from './support/flows.ts';
import { officerFor } from './support/pages.ts';

test('@offline-intake a dossier taken in with the sync server down shows a receipt and survives a reload', async ({ harness }) => {
  const officer = officerFor(UNIT);
  const server = await harness.server();
  await server.start();
  const device = await enrollOnline(harness, server, 'A');

  await test.step('the sync server stops: the device is offline', async () => {
    await server.stop();
    await device.ui.reload();
    await device.ui.ready(officer);
    await expect.poll(() => device.ui.syncState(), { message: 'sync-status is not online without a server' }).not.toBe('online');
  });

  const applicant = randomApplicant();
  const receipt = await test.step('take in a dossier offline', async () => {
    const r = await device.ui.takeIn(applicant, UNIT);
    harness.note(`receipt ${r.code} at ${r.receivedAt} for ${r.applicant}`);
    expect(r.applicant).toContain(applicant.name);
    return r;
  });

  await test.step('reload, still offline: the dossier is in the list', async () => {
    await device.ui.reload();
    await device.ui.ready(officer);
    await device.ui.list.expectDossier(receipt.code, applicant);
    await device.ui.list.expectCount(1);
    // Not at the data center yet, and the officer can see that.
    expect(await device.ui.pendingCount()).toBeGreaterThanOrEqual(1);
  });
});
