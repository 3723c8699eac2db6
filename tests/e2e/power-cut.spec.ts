/**
 * @power-cut: a receipt is a promise to the citizen. The browser is SIGKILLed (the whole process
 * group, like a power cut) the moment the receipt code appears; after a relaunch on the same profile
 * the dossier is there with the same code and content. Repeated E2E_POWER_CUTS times (at least 5).
 *
 * The sync server stays down during the cuts, so the dossier can only come back from the device's
 * own disk, never from the data center.
 */
import { randomApplicant } from './support/data.ts';
import { expect, test } from './support/fixtures.ts';
import { enrollOnline, type Taken, UNIT } from './support/flows.ts';
import { dossierCodePattern, officerFor } from './support/pages.ts';

const CUTS = Math.max(5, Number(process.env['E2E_POWER_CUTS'] ?? 5));

test(`@power-cut a receipt shown just before a power cut survives the reboot (${CUTS} cuts)`, async ({ harness }) => {
  const officer = officerFor(UNIT);
  const server = await harness.server();
  await server.start();
  const device = await enrollOnline(harness, server, 'A');
  await server.stop();

  const taken: Taken[] = [];
  for (let cut = 1; cut <= CUTS; cut++) {
    await test.step(`cut ${cut}/${CUTS}`, async () => {
      const app = device.ui;
      await app.ready(officer);
      if (await app.page.getByTestId('receipt-new').isVisible()) await app.receipt.newIntake();
      await app.intake.open();
      const applicant = randomApplicant();
      await app.intake.fill(applicant);
      await app.page.getByTestId('intake-submit').click();
      const codeEl = app.page.getByTestId('receipt-code');
      await expect(codeEl).toBeVisible({ timeout: 30_000 });
      const code = (await codeEl.innerText()).trim();
      await device.powerCut();
      harness.note(`cut ${cut}: receipt ${code} was on screen; browser killed`);
      expect(code).toMatch(dossierCodePattern(UNIT));
      taken.push({ applicant, receipt: { code, receivedAt: '', applicant: applicant.name } });

      const rebooted = await device.boot();
      await rebooted.ready(officer);
      await rebooted.list.expectDossier(code, applicant);
      // Every earlier dossier too, and no duplicate from a half-finished write.
      await rebooted.list.expectCount(cut);
    });
  }

  await test.step('after all cuts every dossier is still there with its content', async () => {
    const app = device.ui;
    for (const t of taken) await app.list.expectDossier(t.receipt.code, t.applicant);
    expect(new Set(taken.map((t) => t.receipt.code)).size).toBe(CUTS);
  });
});
