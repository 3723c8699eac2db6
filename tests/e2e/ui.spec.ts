/**
 * @ui: what the officer's hands and eyes rely on beyond the workflow itself: an intake done with the
 * keyboard alone, the language switch that survives a reload, the list filters on due dates (with the
 * page's clock moved forward, the worker's left alone), the overdue alert and dashboard, and the idle
 * lock after 15 minutes.
 */
import { randomApplicant } from './support/data.ts';
import { expect, test } from './support/fixtures.ts';
import { enrollOnline, UNIT } from './support/flows.ts';
import { dossierCodePattern, officerFor } from './support/pages.ts';
import { DashboardPage, DossierPage, FullIntakePage, LEADER_20209, switchOfficer } from './support/workflow-pages.ts';

test('@ui an intake from the keyboard alone, then the language switch', async ({ harness }) => {
  const server = await harness.server();
  await server.start();
  const device = await enrollOnline(harness, server, 'A');
  const page = device.ui.page;
  const kb = page.keyboard;
  const a = randomApplicant();

  await test.step('fill and receive without the mouse', async () => {
    await page.getByTestId('nav-intake').click();
    await page.reload();
    await device.ui.ready(officerFor(UNIT));
    // The procedure select has the focus when the screen opens.
    await expect(page.getByTestId('procedure-select')).toBeFocused();
    await expect(page.getByTestId('procedure-select').locator('option').nth(1)).toBeAttached();
    await kb.press('ArrowDown');
    await expect(page.getByTestId('procedure-select')).not.toHaveValue('');
    await kb.press('Tab');
    await expect(page.getByTestId('applicant-name')).toBeFocused();
    await kb.type(a.name);
    await kb.press('Tab');
    await kb.type(a.cccd);
    await kb.press('Tab');
    await expect(page.getByTestId('applicant-vneid')).toBeFocused();
    await kb.press('Space');
    await expect(page.getByTestId('cccd-info')).toContainText('1995');
    await kb.press('Tab');
    await kb.type(a.phone);
    await kb.press('Tab');
    await expect(page.getByTestId('applicant-email')).toBeFocused();
    await kb.press('Tab');
    await kb.type(a.address);
    await kb.press('Tab');
    await expect(page.getByTestId('applicant-residence')).toBeFocused();
    await kb.press('Tab');
    const first = page.getByTestId('component-checkbox').first();
    await expect(first).toBeFocused();
    await kb.press('Space');
    await expect(first).toBeChecked();
    // Enter on a checkbox receives the dossier, like Enter in a text field.
    await kb.press('Enter');
    await expect(page.getByTestId('receipt-code')).toHaveText(dossierCodePattern(UNIT));
    await expect(page.getByTestId('receipt-applicant')).toHaveText(a.name);
    await expect(page.getByTestId('receipt-new')).toBeFocused();
    await kb.press('Enter');
    await expect(page.getByTestId('procedure-select')).toBeFocused();
  });

  await test.step('Alt+B opens the supplement request, Alt+C the refusal', async () => {
    await kb.press('Alt+B');
    await expect(page.getByTestId('decision-form')).toHaveAttribute('data-kind', 'supplement');
    await expect(page.getByTestId('decision-reason')).toBeFocused();
    await kb.press('Alt+C');
    await expect(page.getByTestId('decision-form')).toHaveAttribute('data-kind', 'refuse');
  });

  await test.step('English, kept across a reload; dates stay dd/mm/yyyy', async () => {
    await page.getByTestId('lang-switch').selectOption('en');
    await expect(page.getByTestId('nav-list')).toHaveText('Dossiers');
    await page.reload();
    await device.ui.ready(officerFor(UNIT));
    await expect(page.getByTestId('nav-intake')).toHaveText('Intake');
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await page.getByTestId('nav-list').click();
    await expect(page.getByTestId('dossier-row')).toHaveCount(1);
    await expect(page.getByTestId('dossier-row').first()).toContainText(/\d{2}:\d{2} \d{2}\/\d{2}\/\d{4}/);
    await expect(page.getByTestId('dossier-list').locator('th').first()).toHaveText('Code');
    await page.getByTestId('lang-switch').selectOption('vi');
    await expect(page.getByTestId('nav-list')).toHaveText('Danh sách hồ sơ');
    // The screen itself follows, not only the header: its table is kept between renders.
    await expect(page.getByTestId('dossier-list').locator('th').first()).toHaveText('Mã hồ sơ');
  });
});

test('@ui due-date filters, the overdue alert and dashboard, and the idle lock (page clock moved)', async ({ harness }) => {
  const server = await harness.server();
  await server.start();
  const device = await enrollOnline(harness, server, 'A');
  const page = device.ui.page;
  const intake = new FullIntakePage(page);
  // Same-day procedure: due by the end of a working day at most two days away.
  const sameDay = await intake.takeIn(randomApplicant(), UNIT, 'receive', { procedure: 'dang-ky-khai-sinh' });
  const threeDays = await intake.takeIn(randomApplicant(), UNIT, 'receive', { procedure: 'cap-giay-xac-nhan-tinh-trang-hon-nhan' });

  const rowsFor = async (when: string): Promise<string[]> => {
    await page.getByTestId('list-filter-when').selectOption(when);
    await expect(page.getByTestId('list-shown')).toBeVisible();
    await page.waitForTimeout(300);
    return page.getByTestId('dossier-row').evaluateAll((rs) => rs.map((r) => r.getAttribute('data-code') ?? ''));
  };

  await test.step('today: both; overdue: none', async () => {
    await page.getByTestId('nav-list').click();
    expect((await rowsFor('today')).sort()).toEqual([sameDay.code, threeDays.code].sort());
    expect(await rowsFor('overdue')).toEqual([]);
    await page.getByTestId('list-filter-when').selectOption('all');
  });

  await test.step('twenty days later (page clock only): both overdue, alerted, counted per officer', async () => {
    await page.clock.install({ time: Date.now() + 20 * 24 * 3600_000 });
    await page.reload();
    await device.ui.ready(officerFor(UNIT));
    await expect(page.getByTestId('overdue-alert')).toContainText('2');
    await page.getByTestId('nav-list').click();
    expect((await rowsFor('overdue')).sort()).toEqual([sameDay.code, threeDays.code].sort());
    await expect(page.getByTestId('due-badge')).toHaveCount(2);
    for (const badge of await page.getByTestId('due-badge').all()) await expect(badge).toHaveAttribute('data-state', 'overdue');
    expect(await rowsFor('due_soon')).toEqual([]);
    expect(await rowsFor('today')).toEqual([]);
    await page.getByTestId('list-filter-when').selectOption('all');
    await switchOfficer(device.ui, LEADER_20209);
    await new DashboardPage(page).open();
    await expect(page.getByTestId('dash-overdue')).toHaveText('2');
    await expect(page.getByTestId('dash-officer')).toHaveCount(1);
    await expect(page.getByTestId('dash-officer')).toContainText('Cán bộ Demo');
  });

  await test.step('the lock hides every screen; the password opens it where it was; a reload asks for sign-in', async () => {
    // The idle lock itself runs in the worker, on its own clock (tests/e2e/security-session.spec.ts).
    await page.getByTestId('lock-button').click();
    await expect(page.getByTestId('lock-screen')).toBeVisible();
    await expect(page.getByTestId('dashboard')).toHaveCount(0);
    await page.getByTestId('lock-password').fill('sai-mat-khau');
    await page.getByTestId('lock-submit').click();
    await expect(page.getByTestId('lock-screen').getByTestId('form-error')).toBeVisible();
    await page.getByTestId('lock-password').fill(LEADER_20209.password);
    await page.getByTestId('lock-submit').click();
    await expect(page.getByTestId('lock-screen')).toHaveCount(0);
    await expect(page.getByTestId('dashboard')).toBeVisible();
    // The session lives in the page's worker: a reload starts another one.
    await page.reload();
    await expect(page.getByTestId('login-form')).toBeVisible();
  });
});

test('@ui two offline returns of one result: both laptops show the conflict for a person to settle', async ({ harness }) => {
  const server = await harness.server();
  await server.start();
  const a = await enrollOnline(harness, server, 'A');
  const b = await enrollOnline(harness, server, 'B');
  const A = a.ui;
  const B = b.ui;
  const taken = await new FullIntakePage(A.page).takeIn(randomApplicant(), UNIT, 'receive', { procedure: 'cap-giay-xac-nhan-tinh-trang-hon-nhan' });

  await test.step('A (leader) resolves it; B sees the result ready to return', async () => {
    await switchOfficer(A, LEADER_20209);
    const dossier = new DossierPage(A.page);
    await dossier.openByCode(taken.code);
    await dossier.resolveApproved('27/GXN-UBND');
    await expect.poll(() => A.pendingCount(), { timeout: 60_000 }).toBe(0);
    await B.list.open();
    await B.list.search(taken.code);
    await expect(B.list.row(taken.code)).toContainText('Đã giải quyết xong', { timeout: 60_000 });
  });

  await test.step('the data center stops; both return the result to the citizen', async () => {
    await server.stop();
    const onA = new DossierPage(A.page);
    await onA.returnResult('very_satisfied');
    await onA.expectStatus('returned');
    const onB = new DossierPage(B.page);
    await onB.openByCode(taken.code);
    await onB.returnResult('unsatisfied');
    await onB.expectStatus('returned');
    await expect(B.page.getByTestId('dossier-conflicts')).toHaveCount(0);
  });

  await test.step('the data center returns: both converge and flag the second return as a conflict', async () => {
    await server.start();
    for (const app of [A, B]) {
      await expect.poll(() => app.pendingCount(), { timeout: 60_000 }).toBe(0);
      const banner = app.page.getByTestId('dossier-conflicts');
      await expect(banner).toBeVisible({ timeout: 60_000 });
      await expect(banner).toContainText('Xung đột – cần người xử lý');
      await expect(banner.getByTestId('dossier-conflict')).toHaveCount(1);
      await expect(app.page.getByTestId('timeline-event').filter({ hasText: 'Trả kết quả' })).toHaveCount(2);
      await expect(app.page.locator('[data-testid="timeline-event"].conflict')).toHaveCount(1);
    }
    // The same event is the conflicting one on both laptops.
    const conflictOn = async (app: typeof A): Promise<string> => app.page.locator('[data-testid="timeline-event"].conflict').innerText();
    expect(await conflictOn(A)).toBe(await conflictOn(B));
    await A.page.getByTestId('nav-list').click();
    await A.list.search(taken.code);
    await expect(A.list.row(taken.code).getByTestId('row-conflict')).toHaveCount(1);
  });
});
