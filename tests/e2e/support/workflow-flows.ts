/**
 * Officer flows of the one-stop workflow (issue 3) for the @workflow spec: officers with a role made
 * through the admin API, a device enrolled for one of them, and readings of the list, the dossier
 * screen and its timeline that the spec compares between devices. Selectors stay in the page objects
 * (pages.ts, workflow-pages.ts) except the few readings that only this flow needs.
 */
import { expect, type Locator, type Page } from '@playwright/test';
import type { Device, Harness } from './fixtures.ts';
import type { AppPage, Officer } from './pages.ts';
import type { SyncServer } from './server.ts';

export type OfficerRole = 'counter' | 'processing' | 'leader';

export interface NewOfficer extends Officer {
  readonly displayName: string;
  readonly role: OfficerRole;
}

/**
 * Adds an officer with a role to a unit (SyncServer.createOfficer only makes counter officers).
 * Devices of the unit enrolled afterwards receive the officer and can sign them in offline.
 */
export async function createOfficer(server: SyncServer, unit: string, officer: NewOfficer): Promise<void> {
  const res = await fetch(`${server.url}/api/admin/officers`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ unit, username: officer.username, password: officer.password, displayName: officer.displayName, role: officer.role }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`POST /api/admin/officers -> ${res.status}: ${text}`);
  const saved = JSON.parse(text) as { role?: string };
  if (saved.role !== officer.role) throw new Error(`officer ${officer.username} saved with role ${String(saved.role)}, not ${officer.role}`);
}

/** Like flows.ts enrollOnline, but signs in `officer` (any unit, any role) instead of the demo one. */
export async function enrollAs(harness: Harness, server: SyncServer, name: string, unit: string, officer: Officer): Promise<Device> {
  const device = harness.device(name, server);
  const code = await server.createEnrollment(unit);
  harness.note(`${name}: enrolling in ${unit} with code ${code}, officer ${officer.username}`);
  const app = await device.boot();
  await app.ready(officer, { code, label: `Máy ${name} (e2e)` });
  await app.waitForServiceWorker(officer);
  harness.note(`${name}: enrolled, ${officer.username} logged in, service worker in control`);
  return device;
}

/** Status names as the Vietnamese UI shows them (i18n core `status.*`). */
export const STATUS_TEXT = {
  received: 'Đã tiếp nhận',
  supplement_requested: 'Chờ bổ sung hồ sơ',
  refused: 'Đã từ chối',
  processing: 'Đang xử lý',
  resolved: 'Đã giải quyết xong',
  returned: 'Đã trả kết quả',
  withdrawn: 'Đã rút hồ sơ',
  stopped: 'Đã dừng giải quyết',
} as const;
export type Status = keyof typeof STATUS_TEXT;

const VN_OFFSET_MS = 7 * 3_600_000;
const pad = (n: number): string => String(n).padStart(2, '0');

/** dd/mm/yyyy and HH:mm of an instant in Vietnam (UTC+7 all year), as the forms are typed. */
export function vnDateTime(ms: number): { date: string; time: string } {
  const d = new Date(ms + VN_OFFSET_MS);
  return {
    date: `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`,
    time: `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`,
  };
}

/**
 * The first date-time in a text, as the app prints it ("HH:mm dd/MM/yyyy" on screens, "HH:mm ngày
 * dd/MM/yyyy" on forms), as ms; null when there is none.
 */
export function parseVnDateTime(text: string | null): number | null {
  const m = /(\d{2}):(\d{2})(?: ngày)? (\d{2})\/(\d{2})\/(\d{4})/.exec(text ?? '');
  if (m === null) return null;
  const [, hh, mi, dd, mo, yyyy] = m.map(Number) as [number, number, number, number, number, number];
  return Date.UTC(yyyy, mo - 1, dd, hh, mi) - VN_OFFSET_MS;
}

/** A date-time on a form: "HH:mm ngày dd/MM/yyyy". */
export const FORM_DATE_TIME = /^\d{2}:\d{2} ngày \d{2}\/\d{2}\/\d{4}$/;
/** A date-time on a screen: "HH:mm dd/MM/yyyy". */
export const SCREEN_DATE_TIME = /^\d{2}:\d{2} \d{2}\/\d{2}\/\d{4}$/;

/** Waits until the device has nothing left to send (pending-count 0), with no user action. */
export async function expectDrained(app: AppPage, name: string, timeoutMs = 60_000): Promise<void> {
  await expect
    .poll(() => app.pendingCount().catch(() => -1), { timeout: timeoutMs, intervals: [250, 500], message: `${name}: pending-count returns to 0` })
    .toBe(0);
}

function listRow(page: Page, code: string): Locator {
  return page.locator(`[data-testid="dossier-row"][data-code="${code}"]`);
}

/** The list row of `code` (searched by code), its status cell and conflict badge. */
export async function findRow(app: AppPage, code: string): Promise<{ row: Locator; status: Locator }> {
  await app.list.open();
  await app.list.search(code);
  const row = listRow(app.page, code);
  await expect(row, `the list finds ${code}`).toHaveCount(1);
  return { row, status: row.locator('td').last() };
}

/**
 * The list shows `code` with `status` (and the conflict badge when `conflict`). Polls: the list is a
 * live query, so a status that arrives by sync shows without any action.
 */
export async function expectListStatus(app: AppPage, code: string, status: Status, opts: { conflict?: boolean; timeoutMs?: number } = {}): Promise<void> {
  const { row, status: cell } = await findRow(app, code);
  await expect(cell, `list row ${code} shows "${STATUS_TEXT[status]}"`).toHaveText(new RegExp(`^${STATUS_TEXT[status]}`), {
    timeout: opts.timeoutMs ?? 15_000,
  });
  await expect(row.getByTestId('row-conflict'), `list row ${code} ${opts.conflict === true ? 'flags' : 'does not flag'} a conflict`).toHaveCount(
    opts.conflict === true ? 1 : 0,
  );
}

export interface TimelineEntry {
  readonly type: string;
  readonly synced: boolean;
  readonly serverAt: string;
  readonly officer: string;
  readonly conflict: boolean;
  readonly text: string;
}

/** The dossier screen's timeline as it is now. */
export async function readTimeline(page: Page): Promise<TimelineEntry[]> {
  return page.getByTestId('timeline-event').evaluateAll((rows) =>
    rows.map((r) => ({
      type: r.getAttribute('data-type') ?? '',
      synced: r.getAttribute('data-synced') === 'true',
      serverAt: (r.querySelector('[data-testid="timeline-server-at"]')?.textContent ?? '').trim(),
      officer: (r.querySelector('[data-testid="timeline-officer"]')?.textContent ?? '').trim(),
      conflict: r.classList.contains('conflict'),
      text: (r.textContent ?? '').replace(/\s+/g, ' ').trim(),
    })),
  );
}

/** The print buttons the dossier screen offers (form numbers, in order). */
export async function printableForms(page: Page): Promise<string[]> {
  const ids = await page.locator('[data-testid^="print-form-"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid') ?? ''));
  return ids.map((id) => id.replace('print-form-', ''));
}

/** The text of the conflicts the dossier screen flags (empty when none). */
export async function readConflicts(page: Page): Promise<string[]> {
  return (await page.getByTestId('dossier-conflict').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
}

/** Times a step for the report. */
export async function timed<T>(harness: Harness, timings: Record<string, number>, label: string, fn: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  try {
    return await fn();
  } finally {
    timings[label] = Date.now() - t0;
    harness.note(`${label}: ${timings[label]} ms`);
  }
}
