/**
 * Page objects for the screens of issue 3 (full intake, dossier, forms, register, dashboard, lock),
 * over the data-testid contract. Selectors live only here and in pages.ts.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { expect, type Locator, type Page } from '@playwright/test';
import type { Applicant } from './data.ts';
import { dossierCodePattern, type AppPage, type Officer } from './pages.ts';

export type Decision = 'receive' | 'supplement' | 'refuse';
export type FormNo = '01' | '02' | '03' | '04' | '05' | '06' | '07';

export interface IntakeOptions {
  /** Procedure code (catalog value of procedure-select). */
  procedure?: string;
  email?: string;
  vneid?: boolean;
  /** A unit code, or free text for "Nơi khác". Default: the device's own unit (preselected). */
  residence?: { unit: string } | { elsewhere: string };
  /** Which components to tick: all (default), none, or the first n. */
  tick?: 'all' | 'none' | number;
}

/** The receipt-like result of an intake (Mẫu 01, 02 or 03). */
export interface IntakeOutcome {
  readonly kind: Decision;
  readonly code: string;
}

/** Waits for `success`, or turns the app's error message into a failure quoting it. */
async function outcome(page: Page, success: Locator, what: string): Promise<void> {
  const errors = page.getByTestId('form-error').or(page.getByTestId('action-error')).or(page.getByTestId('field-error'));
  await expect(success.or(errors).first()).toBeVisible({ timeout: 30_000 });
  if (await success.isVisible()) return;
  throw new Error(`${what} refused by the app: ${(await errors.allInnerTexts()).join(' | ')}`);
}

export class FullIntakePage {
  constructor(private readonly page: Page) {}

  async fill(applicant: Applicant, opts: IntakeOptions = {}): Promise<void> {
    const p = this.page;
    if (await p.getByTestId('receipt-new').isVisible()) await p.getByTestId('receipt-new').click();
    if (!(await p.getByTestId('intake-form').isVisible())) await p.getByTestId('nav-intake').click();
    const select = p.getByTestId('procedure-select');
    const code = opts.procedure ?? 'dang-ky-khai-sinh';
    await expect(select.locator(`option[value="${code}"]`)).toBeAttached();
    await select.selectOption(code);
    await p.getByTestId('applicant-name').fill(applicant.name);
    await p.getByTestId('applicant-cccd').fill(applicant.cccd);
    if (opts.vneid === true) await p.getByTestId('applicant-vneid').check();
    await p.getByTestId('applicant-phone').fill(applicant.phone);
    if (opts.email !== undefined) await p.getByTestId('applicant-email').fill(opts.email);
    await p.getByTestId('applicant-address').fill(applicant.address);
    const residence = p.getByTestId('applicant-residence');
    await expect(residence.locator('option[value="20209"], option[value="20194"]').first()).toBeAttached();
    if (opts.residence !== undefined) {
      if ('unit' in opts.residence) await residence.selectOption(opts.residence.unit);
      else {
        await residence.selectOption('__elsewhere__');
        await p.getByTestId('applicant-residence-other').fill(opts.residence.elsewhere);
      }
    }
    const boxes = p.getByTestId('component-checkbox');
    await expect(boxes.first()).toBeAttached();
    const n = await boxes.count();
    const tick = opts.tick ?? 'all';
    const upTo = tick === 'all' ? n : tick === 'none' ? 0 : Math.min(tick, n);
    for (let i = 0; i < upTo; i++) await boxes.nth(i).check();
  }

  /** Closes the intake one of the three ways and waits for the form it ends with. */
  async decide(kind: Decision, reason = ''): Promise<IntakeOutcome> {
    const p = this.page;
    if (kind === 'receive') await p.getByTestId('intake-submit').click();
    else {
      await p.getByTestId(kind === 'supplement' ? 'intake-supplement' : 'intake-refuse').click();
      await expect(p.getByTestId('decision-form')).toBeVisible();
      await p.getByTestId('decision-reason').fill(reason);
      await p.getByTestId('decision-confirm').click();
    }
    const receipt = p.locator(`[data-testid="receipt"][data-kind="${kind}"]`);
    await outcome(p, receipt.getByTestId('receipt-code'), `intake (${kind})`);
    const code = (await receipt.getByTestId('receipt-code').innerText()).trim();
    return { kind, code };
  }

  async takeIn(applicant: Applicant, unit: string, kind: Decision = 'receive', opts: IntakeOptions = {}, reason = 'Lý do kiểm thử'): Promise<IntakeOutcome> {
    await this.fill(applicant, opts);
    const o = await this.decide(kind, reason);
    expect(o.code).toMatch(dossierCodePattern(unit));
    return o;
  }
}

export class DossierPage {
  constructor(private readonly page: Page) {}

  get root(): Locator {
    return this.page.getByTestId('dossier-screen');
  }

  /** Opens a dossier from the list by its code (row link), like an officer would. */
  async openByCode(code: string): Promise<string> {
    const p = this.page;
    await p.getByTestId('nav-list').click();
    await expect(p.getByTestId('dossier-list')).toBeVisible();
    await p.getByTestId('list-search').fill(code);
    const row = p.locator(`[data-testid="dossier-row"][data-code="${code}"]`);
    await expect(row).toHaveCount(1);
    const id = (await row.getAttribute('data-id')) ?? '';
    await row.getByTestId('dossier-link').click();
    await expect(this.root).toHaveAttribute('data-id', id);
    return id;
  }

  async status(): Promise<string> {
    return (await this.page.getByTestId('dossier-status').getAttribute('data-status')) ?? '';
  }

  async expectStatus(status: string): Promise<void> {
    await expect(this.page.getByTestId('dossier-status')).toHaveAttribute('data-status', status);
  }

  action(type: string): Locator {
    return this.page.getByTestId(`action-${type}`);
  }

  /** Opens an action's form, lets `fill` complete it, confirms, and waits for "Đã ghi". */
  async act(type: string, fill: (form: Locator) => Promise<void> = async () => undefined): Promise<void> {
    await this.action(type).click();
    const form = this.page.locator(`[data-testid="action-form"][data-action="${type}"]`);
    await expect(form).toBeVisible();
    await fill(form);
    await form.getByTestId('action-confirm').click();
    await outcome(this.page, this.page.getByTestId('action-done'), `action ${type}`);
  }

  async transferToCommune(unit: string): Promise<void> {
    await this.act('transfer', async (f) => {
      await f.getByTestId('transfer-kind-other_commune').check();
      await f.getByTestId('transfer-unit').selectOption(unit);
    });
  }

  async resolveApproved(documentNo: string): Promise<void> {
    await this.act('resolve', async (f) => f.getByTestId('resolve-document-no').fill(documentNo));
  }

  async withReason(type: 'stop' | 'withdraw', reason: string): Promise<void> {
    await this.act(type, async (f) => f.getByTestId('action-reason').fill(reason));
  }

  /** Mẫu 04: a new date (dd/mm/yyyy, HH:mm) and the reason. */
  async apologize(date: string, time: string, reason: string): Promise<void> {
    await this.act('apologize', async (f) => {
      await f.getByTestId('apologize-date').fill(date);
      await f.getByTestId('apologize-time').fill(time);
      await f.getByTestId('action-reason').fill(reason);
    });
  }

  async returnResult(rating: 'very_satisfied' | 'satisfied' | 'unsatisfied' | 'none'): Promise<void> {
    await this.act('return_result', async (f) => f.getByTestId(`rating-${rating}`).check());
  }

  /** Opens the print preview of a form and returns the sheet. */
  async preview(form: FormNo): Promise<Locator> {
    await this.page.getByTestId(`print-form-${form}`).click();
    const sheet = this.page.getByTestId(`form-${form}`);
    await expect(sheet).toBeVisible();
    return sheet;
  }

  async closePreview(): Promise<void> {
    await this.page.getByTestId('preview-close').click();
    await expect(this.root).toBeVisible();
  }

  timeline(): Locator {
    return this.page.getByTestId('timeline-event');
  }
}

export class RegisterPage {
  constructor(private readonly page: Page) {}
  async open(): Promise<Locator> {
    await this.page.getByTestId('nav-register').click();
    const sheet = this.page.getByTestId('form-07');
    await expect(sheet).toBeVisible();
    return sheet;
  }
  async downloadCsv(): Promise<string> {
    const [download] = await Promise.all([this.page.waitForEvent('download'), this.page.getByTestId('register-csv').click()]);
    const path = await download.path();
    const { readFile } = await import('node:fs/promises');
    return readFile(path, 'utf8');
  }
}

export class DashboardPage {
  constructor(private readonly page: Page) {}
  async open(): Promise<Locator> {
    await this.page.getByTestId('nav-dashboard').click();
    const root = this.page.getByTestId('dashboard');
    await expect(root).toBeVisible();
    return root;
  }
}

/** Signs the current officer out and another in (the device and its data stay). */
export async function switchOfficer(app: AppPage, officer: Officer): Promise<void> {
  await app.page.getByTestId('logout-button').click();
  await app.loginPage.login(officer);
}

export const LEADER_20209: Officer = { username: 'lanhdao', password: 'demo123456' };

const require = createRequire(import.meta.url);

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/** Runs axe-core on the page as it is and returns its serious and critical violations. */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated, not added as a <script>: the server's CSP refuses inline scripts, and addScriptTag inlines.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(readFileSync(require.resolve('axe-core'), 'utf8'));
  const { violations, rules } = await page.evaluate(async () => {
    type Result = { violations: AxeViolation[]; passes: unknown[]; incomplete: unknown[]; inapplicable: unknown[] };
    const w = window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<Result> } };
    const r = await w.axe.run(document, { resultTypes: ['violations'] });
    return {
      rules: r.violations.length + r.passes.length + r.incomplete.length + r.inapplicable.length,
      violations: r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) })),
    };
  });
  // A scan that checked nothing would pass anything.
  expect(rules, 'axe-core ran its rules').toBeGreaterThan(50);
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

export function describeViolations(vs: readonly AxeViolation[]): string {
  return vs.map((v) => `${v.impact} ${v.id}: ${v.help}\n${v.nodes.map((n) => `   ${n.target.join(' ')} ${n.failureSummary ?? ''}`).join('\n')}`).join('\n');
}
