/**
 * @security: the app runs under the server's Content-Security-Policy (sync-server/security-headers.ts)
 * with no violation through enrollment, sign-in, an intake and a printed receipt, online and offline
 * (the service worker's copy of the page keeps the policy); every screen shows the DEMO banner while
 * the server runs in demo mode, offline too.
 */
import type { Page } from '@playwright/test';
import { CONTENT_SECURITY_POLICY } from '../../sync-server/security-headers.ts';
import { randomApplicant } from './support/data.ts';
import { expect, test } from './support/fixtures.ts';
import { UNIT } from './support/flows.ts';
import { officerFor } from './support/pages.ts';

/** A5 portrait in PostScript points, as Chromium writes a PDF's MediaBox. */
const A5 = { width: 419.53, height: 595.28 };

/** What the page reported itself (securitypolicyviolation events), kept across reloads in sessionStorage. */
async function pageViolations(page: Page): Promise<string[]> {
  return page.evaluate(() => JSON.parse(sessionStorage.getItem('csp-violations') ?? '[]') as string[]);
}

test('@security the app runs under its CSP with no violation (enroll, sign in, intake, printed receipt, offline) and shows DEMO on every screen', async ({ harness }) => {
  const server = await harness.server();
  await server.start();
  const officer = officerFor(UNIT);

  await test.step('every kind of answer carries the headers', async () => {
    for (const [path, accept] of [['/', 'text/html'], ['/intake', 'text/html'], ['/sw.js', '*/*'], ['/manifest.webmanifest', '*/*'], ['/api/health', '*/*']] as const) {
      const res = await fetch(`${server.url}${path}`, { headers: { accept } });
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-security-policy'), path).toBe(CONTENT_SECURITY_POLICY);
      expect(res.headers.get('referrer-policy'), path).toBe('no-referrer');
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
    }
  });

  const device = harness.device('S', server);
  const app = await device.boot();
  const page = app.page;
  // Chromium reports each violation on the console too (pages and workers): any such line fails the test.
  const reported: string[] = [];
  const watch = (text: string): void => {
    if (/Content Security Policy|Refused to (load|execute|apply|connect|create|frame)/i.test(text)) reported.push(text);
  };
  page.on('console', (m) => watch(m.text()));
  page.on('worker', (w) => w.on('console', (m) => watch(`[worker] ${m.text()}`)));
  await page.addInitScript(() => {
    const record = (where: string) => (e: SecurityPolicyViolationEvent) => {
      const list = JSON.parse(sessionStorage.getItem('csp-violations') ?? '[]') as string[];
      list.push(`${where}: ${e.effectiveDirective} blocked ${e.blockedURI} (${e.sourceFile}:${e.lineNumber})`);
      sessionStorage.setItem('csp-violations', JSON.stringify(list));
    };
    document.addEventListener('securitypolicyviolation', record('document'));
  });

  await test.step('enrollment screen: the policy is on the page, DEMO is shown', async () => {
    const nav = await page.reload();
    expect(nav?.headers()['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    await expect(page.getByTestId('enroll-form')).toBeVisible();
    await expect(page.getByTestId('demo-banner')).toHaveText('BẢN DÙNG THỬ (DEMO): không nhập dữ liệu thật');
  });

  await test.step('enroll and sign in, DEMO on the sign-in screen and the shell', async () => {
    await app.enrollment.enroll(await server.createEnrollment(UNIT), 'Máy S (e2e)');
    await expect(page.getByTestId('demo-banner')).toBeVisible();
    await app.loginPage.login(officer);
    await expect(page.getByTestId('demo-banner')).toBeVisible();
    await app.expectSyncState('online');
  });

  await test.step('an intake and its printed receipt (A5): the page size applies under the policy', async () => {
    const receipt = await app.takeIn(randomApplicant(), UNIT);
    expect(receipt.code).toMatch(/^20209-/);
    await expect(page.getByTestId('demo-banner')).toBeVisible();
    // The print dialog itself is the browser's: record the call instead of opening it.
    await page.evaluate(() => {
      window.print = () => document.documentElement.setAttribute('data-printed', 'yes');
    });
    await page.getByTestId('receipt-print-a5').click();
    await expect(page.locator('html')).toHaveAttribute('data-printed', 'yes');
    await expect(page.locator('html')).toHaveAttribute('data-paper', 'A5');
    let pdf: Buffer | null = null;
    try {
      pdf = await page.pdf({ preferCSSPageSize: true });
    } catch (e) {
      // page.pdf needs headless Chromium; the sheet's rule is checked below all the same.
      harness.note(`no PDF: ${String(e).split('\n')[0]}`);
    }
    if (pdf !== null) {
      const box = /\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/.exec(pdf.toString('latin1'));
      expect(Number(box?.[1])).toBeCloseTo(A5.width, 0);
      expect(Number(box?.[2])).toBeCloseTo(A5.height, 0);
    }
    const rules = await page.evaluate(() => document.adoptedStyleSheets.flatMap((s) => Array.from(s.cssRules, (r) => r.cssText)));
    expect(rules.join(' ')).toMatch(/@page \{ size: a5/i);
  });

  await test.step('offline: the service worker serves the page with the policy, DEMO is still shown', async () => {
    await app.waitForServiceWorker(officer);
    await server.stop();
    const nav = await page.reload();
    expect(nav?.headers()['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    await app.ready(officer);
    await expect(page.getByTestId('demo-banner')).toBeVisible();
  });

  await test.step('no violation was reported', async () => {
    expect(await pageViolations(page)).toEqual([]);
    expect(reported).toEqual([]);
  });
});
