/**
 * Page objects over the UI contract (data-testid attributes). Tests speak in officer actions
 * ("take in a dossier", "find it in the list"); selectors live only here.
 */
import { expect, type Locator, type Page } from '@playwright/test';
import type { Applicant } from './data.ts';

export interface Officer {
  readonly username: string;
  readonly password: string;
}

/** The seeded demo officer of Phường Thanh Khê (20209); other units get `demo<unit>`. */
export function officerFor(unit: string): Officer {
  return unit === '20209' ? { username: 'demo', password: 'demo123456' } : { username: `demo${unit}`, password: 'demo123456' };
}

export const DEFAULT_PROCEDURE = 'dang-ky-khai-sinh';

/**
 * `{unit}-{YYMMDD}-{NNNN}`; a device past its 100 offline fallback numbers of the day prints five
 * digits (90000-99999, docs/dossier-codes.md).
 */
export function dossierCodePattern(unit: string): RegExp {
  return new RegExp(`^${unit}-\\d{6}-(\\d{4}|9\\d{4})$`);
}

type Screen = 'enroll' | 'login' | 'shell';

/** First integer in a text ("50", "50 hồ sơ", "Chờ gửi: 3"). */
function parseCount(text: string | null): number {
  const m = /\d+/.exec(text ?? '');
  if (!m) throw new Error(`no number in ${JSON.stringify(text)}`);
  return Number(m[0]);
}

/**
 * Waits for `success` or for the app's error message (form-error, or `alsoError`), and turns the
 * latter into a test failure that quotes what the officer was told.
 */
async function outcome(page: Page, success: Locator, what: string, alsoError?: Locator): Promise<void> {
  let errors = page.getByTestId('form-error');
  if (alsoError) errors = errors.or(alsoError);
  await expect(success.or(errors).first()).toBeVisible({ timeout: 30_000 });
  if (await success.isVisible()) return;
  throw new Error(`${what} refused by the app: ${(await errors.allInnerTexts()).join(' | ')}`);
}

export class EnrollPage {
  constructor(private readonly page: Page) {}
  get form(): Locator {
    return this.page.getByTestId('enroll-form');
  }
  async enroll(code: string, label: string): Promise<void> {
    await expect(this.form).toBeVisible();
    await this.page.getByTestId('enroll-code').fill(code);
    await this.page.getByTestId('enroll-label').fill(label);
    await this.page.getByTestId('enroll-submit').click();
    // Success leads to the login screen; a refused code stays here with a message.
    await outcome(this.page, this.page.getByTestId('login-form'), 'enrollment');
  }
}

export class LoginPage {
  constructor(private readonly page: Page) {}
  get form(): Locator {
    return this.page.getByTestId('login-form');
  }
  async login(officer: Officer): Promise<void> {
    await expect(this.form).toBeVisible();
    await this.page.getByTestId('login-username').fill(officer.username);
    await this.page.getByTestId('login-password').fill(officer.password);
    await this.page.getByTestId('login-submit').click();
    await outcome(this.page, this.page.getByTestId('nav-intake'), `login as ${officer.username}`);
  }
}

export interface ReceiptData {
  readonly code: string;
  readonly receivedAt: string;
  readonly applicant: string;
}

export class ReceiptPage {
  constructor(private readonly page: Page) {}
  get root(): Locator {
    return this.page.getByTestId('receipt');
  }
  get code(): Locator {
    return this.page.getByTestId('receipt-code');
  }
  async read(): Promise<ReceiptData> {
    const [code, receivedAt, applicant] = await Promise.all([
      this.code.innerText(),
      this.page.getByTestId('receipt-received-at').innerText(),
      this.page.getByTestId('receipt-applicant').innerText(),
    ]);
    return { code: code.trim(), receivedAt: receivedAt.trim(), applicant: applicant.trim() };
  }
  /** The receipt as the citizen gets it: code, time, QR and applicant all present. */
  async expectComplete(unit: string): Promise<ReceiptData> {
    await expect(this.code).toHaveText(dossierCodePattern(unit));
    await expect(this.page.getByTestId('receipt-received-at')).not.toBeEmpty();
    await expect(this.page.getByTestId('receipt-qr')).toBeVisible();
    return this.read();
  }
  async newIntake(): Promise<void> {
    await this.page.getByTestId('receipt-new').click();
    await expect(this.page.getByTestId('intake-form')).toBeVisible();
    await expect(this.page.getByTestId('applicant-name')).toHaveValue('');
  }
}

export class IntakePage {
  constructor(private readonly page: Page) {}
  get form(): Locator {
    return this.page.getByTestId('intake-form');
  }
  async open(): Promise<void> {
    if (!(await this.form.isVisible())) await this.page.getByTestId('nav-intake').click();
    await expect(this.form).toBeVisible();
  }
  /** Picks the procedure (the default one if offered, else the first real option) and returns its code. */
  async chooseProcedure(code = DEFAULT_PROCEDURE): Promise<string> {
    const select = this.page.getByTestId('procedure-select');
    await expect(select.locator('option').nth(1).or(select.locator(`option[value="${code}"]`)).first()).toBeAttached();
    const values = await select.locator('option').evaluateAll((opts) => opts.map((o) => (o as HTMLOptionElement).value));
    const value = values.includes(code) ? code : values.find((v) => v !== '');
    if (value === undefined) throw new Error('procedure-select has no procedure');
    await select.selectOption(value);
    return value;
  }
  async fill(applicant: Applicant, procedure?: string): Promise<void> {
    await this.chooseProcedure(procedure);
    await this.page.getByTestId('applicant-name').fill(applicant.name);
    await this.page.getByTestId('applicant-cccd').fill(applicant.cccd);
    await this.page.getByTestId('applicant-phone').fill(applicant.phone);
    await this.page.getByTestId('applicant-address').fill(applicant.address);
    // Every component received: a complete dossier gets a receipt.
    const boxes = this.page.getByTestId('component-checkbox');
    await expect(boxes.first()).toBeAttached();
    const n = await boxes.count();
    for (let i = 0; i < n; i++) await boxes.nth(i).check();
  }
  /** Presses "Tiếp nhận" and waits for the receipt (or fails with the field errors shown). */
  async submit(): Promise<void> {
    await this.page.getByTestId('intake-submit').click();
    await outcome(this.page, this.page.getByTestId('receipt-code'), 'intake', this.page.getByTestId('field-error'));
  }
}

export interface Row {
  readonly code: string;
  readonly id: string;
  readonly text: string;
}

export class ListPage {
  constructor(private readonly page: Page) {}
  get list(): Locator {
    return this.page.getByTestId('dossier-list');
  }
  async open(): Promise<void> {
    if (!(await this.list.isVisible())) await this.page.getByTestId('nav-list').click();
    await expect(this.list).toBeVisible();
  }
  async count(): Promise<number> {
    return parseCount(await this.page.getByTestId('list-count').innerText());
  }
  /** Waits until list-count equals n (the list is a live query: no reload needed). */
  async expectCount(n: number, timeoutMs = 30_000): Promise<void> {
    await expect.poll(() => this.count().catch(() => -1), { timeout: timeoutMs, message: `list-count should be ${n}` }).toBe(n);
  }
  async search(text: string): Promise<void> {
    await this.page.getByTestId('list-search').fill(text);
  }
  row(code: string): Locator {
    return this.page.locator(`[data-testid="dossier-row"][data-code="${code}"]`);
  }
  async readRow(code: string): Promise<Row> {
    const row = this.row(code);
    await expect(row).toHaveCount(1);
    return {
      code,
      id: (await row.getAttribute('data-id')) ?? '',
      text: await row.innerText(),
    };
  }
  /**
   * The dossier is found by its code, by its CCCD and by its name, and its row shows the name: the
   * content survived, not just a row with the right code.
   */
  async expectDossier(code: string, applicant: Applicant): Promise<Row> {
    await this.open();
    await this.search(applicant.cccd);
    await expect(this.row(code), `search by CCCD ${applicant.cccd} finds ${code}`).toHaveCount(1);
    await this.search(applicant.name);
    await expect(this.row(code), `search by name ${applicant.name} finds ${code}`).toHaveCount(1);
    await this.search(code);
    await expect(this.row(code), `search by code finds ${code}`).toHaveCount(1);
    await expect(this.page.getByTestId('dossier-row'), `search by code ${code} finds only it`).toHaveCount(1);
    await expect(this.row(code)).toContainText(applicant.name);
    const row = await this.readRow(code);
    await this.search('');
    return row;
  }
}

export class AppPage {
  readonly enrollment: EnrollPage;
  readonly loginPage: LoginPage;
  readonly intake: IntakePage;
  readonly receipt: ReceiptPage;
  readonly list: ListPage;

  constructor(
    readonly page: Page,
    readonly baseUrl: string,
  ) {
    this.enrollment = new EnrollPage(page);
    this.loginPage = new LoginPage(page);
    this.intake = new IntakePage(page);
    this.receipt = new ReceiptPage(page);
    this.list = new ListPage(page);
  }

  async goto(): Promise<void> {
    await this.page.goto(`${this.baseUrl}/`);
  }

  async reload(): Promise<void> {
    await this.page.reload();
  }

  /** Whichever of enrollment, login or the app shell shows first. */
  async screen(timeoutMs = 30_000): Promise<Screen> {
    const enroll = this.page.getByTestId('enroll-form');
    const login = this.page.getByTestId('login-form');
    const shell = this.page.getByTestId('nav-intake');
    await expect(enroll.or(login).or(shell).first()).toBeVisible({ timeout: timeoutMs });
    if (await shell.isVisible()) return 'shell';
    if (await login.isVisible()) return 'login';
    return 'enroll';
  }

  /**
   * Gets to the app shell from wherever the app starts: enrolls if asked to (and fails if the device
   * unexpectedly lost its enrollment), logs in when the session did not survive.
   */
  async ready(officer: Officer, enroll?: { code: string; label: string }): Promise<void> {
    let screen = await this.screen();
    if (screen === 'enroll') {
      if (!enroll) throw new Error('the device shows the enrollment screen: its enrollment was lost');
      await this.enrollment.enroll(enroll.code, enroll.label);
      screen = 'login';
    }
    if (screen === 'login') await this.loginPage.login(officer);
    await expect(this.page.getByTestId('nav-intake')).toBeVisible();
  }

  /**
   * Waits until a service worker controls this page: `ready` (installed and active, precache done),
   * then a reload, then `controller` must be set. After this the shell loads with the server down.
   */
  async waitForServiceWorker(officer: Officer): Promise<void> {
    await this.page.evaluate(async () => {
      const timeout = new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('navigator.serviceWorker.ready did not resolve in 30 s')), 30_000),
      );
      await Promise.race([navigator.serviceWorker.ready, timeout]);
    });
    await this.reload();
    await this.ready(officer);
    await expect
      .poll(() => this.page.evaluate(() => navigator.serviceWorker.controller !== null), {
        message: 'a service worker controls the page after a reload',
        timeout: 15_000,
      })
      .toBe(true);
  }

  pendingLocator(): Locator {
    return this.page.getByTestId('pending-count');
  }

  async pendingCount(): Promise<number> {
    return parseCount(await this.pendingLocator().innerText());
  }

  async syncState(): Promise<string | null> {
    return this.page.getByTestId('sync-status').getAttribute('data-state');
  }

  async expectSyncState(state: 'online' | 'offline' | 'connecting' | 'error', timeoutMs = 30_000): Promise<void> {
    await expect(this.page.getByTestId('sync-status')).toHaveAttribute('data-state', state, { timeout: timeoutMs });
  }

  /** Takes in one complete dossier and returns its receipt (left on screen). */
  async takeIn(applicant: Applicant, unit: string): Promise<ReceiptData> {
    if (await this.page.getByTestId('receipt-new').isVisible()) await this.receipt.newIntake();
    await this.intake.open();
    await this.intake.fill(applicant);
    await this.intake.submit();
    return this.receipt.expectComplete(unit);
  }
}
