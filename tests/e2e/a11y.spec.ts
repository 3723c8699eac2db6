/**
 * @a11y: axe-core finds no serious or critical violation on the main screens: enrollment, sign-in,
 * intake (and its decision panel), the receipt, the list, a dossier with an action form, the register,
 * the lock screen and the leader's dashboard, in Vietnamese and in English.
 */
import type { Page } from '@playwright/test';
import { randomApplicant } from './support/data.ts';
import { expect, test } from './support/fixtures.ts';
import { UNIT } from './support/flows.ts';
import { officerFor } from './support/pages.ts';
import { DashboardPage, DossierPage, describeViolations, FullIntakePage, LEADER_20209, RegisterPage, seriousAxeViolations, switchOfficer } from './support/workflow-pages.ts';

test('@a11y the main screens have no serious or critical axe violations', async ({ harness }) => {
  const server = await harness.server();
  await server.start();
  const device = harness.device('A', server);
  const code = await server.createEnrollment(UNIT);
  const app = await device.boot();
  const page = app.page;
  const found: string[] = [];

  const scan = async (screen: string, p: Page = page): Promise<void> => {
    const vs = await seriousAxeViolations(p);
    harness.note(`axe ${screen}: ${vs.length} serious/critical`);
    console.log(`[a11y] ${screen}: ${vs.length} serious/critical violation(s)`);
    if (vs.length > 0) found.push(`--- ${screen}\n${describeViolations(vs)}`);
  };

  await expect(page.getByTestId('enroll-form')).toBeVisible();
  await scan('enroll');
  await app.enrollment.enroll(code, 'Máy kiểm tra a11y');
  await scan('login');
  await app.loginPage.login(officerFor(UNIT));

  const intake = new FullIntakePage(page);
  const applicant = randomApplicant();
  await intake.fill(applicant, { procedure: 'cap-giay-xac-nhan-tinh-trang-hon-nhan', tick: 1 });
  await page.getByTestId('applicant-phone').focus(); // leave the CCCD: its check shows
  await scan('intake');
  await page.getByTestId('intake-supplement').click();
  await expect(page.getByTestId('decision-form')).toBeVisible();
  await scan('intake decision (Mẫu 02)');
  await page.getByTestId('decision-cancel').click();
  const taken = await intake.decide('receive');
  await expect(page.getByTestId('receipt-qr').locator('svg')).toBeVisible();
  await scan('receipt (Mẫu 01)');

  await page.getByTestId('nav-list').click();
  await expect(page.getByTestId('dossier-row')).toHaveCount(1);
  await scan('list');

  const dossier = new DossierPage(page);
  await dossier.openByCode(taken.code);
  await expect(dossier.timeline()).toHaveCount(1);
  await scan('dossier');
  await dossier.action('transfer').click();
  await expect(page.getByTestId('action-form')).toBeVisible();
  await scan('dossier: transfer form');
  await page.getByTestId('action-cancel').click();

  await new RegisterPage(page).open();
  await scan('register (Mẫu 07)');

  await page.getByTestId('lock-button').click();
  await expect(page.getByTestId('lock-screen')).toBeVisible();
  await scan('lock screen');
  await page.getByTestId('lock-password').fill(officerFor(UNIT).password);
  await page.getByTestId('lock-submit').click();
  await expect(page.getByTestId('lock-screen')).toHaveCount(0);

  await switchOfficer(app, LEADER_20209);
  await new DashboardPage(page).open();
  await scan('dashboard');
  await dossier.openByCode(taken.code);
  await dossier.action('apologize').click();
  await expect(page.getByTestId('action-form')).toBeVisible();
  await scan('dossier as leader: apology form');

  await page.getByTestId('lang-switch').selectOption('en');
  await expect(page.getByTestId('nav-intake')).toHaveText('Intake');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await scan('dossier (English)');
  await page.getByTestId('nav-intake').click();
  await scan('intake (English)');
  await page.getByTestId('lang-switch').selectOption('vi');

  expect(found, `axe found serious or critical violations:\n${found.join('\n')}`).toEqual([]);
});
