/**
 * @chaos-storage: storage pressure (issue 5, fault 6). The officer is warned before an intake is lost,
 * an intake refused for lack of space says so in Vietnamese and keeps everything typed, and nothing
 * already stored is damaged.
 *
 * A full disk is real here: the device's Chromium profile lives on a 48 MB tmpfs, and a filler database
 * of the app's origin takes the rest, so the browser itself refuses writes with QuotaExceededError.
 * Chromium 156 does not apply CDP Storage.overrideQuotaForOrigin to IndexedDB (only to Cache Storage),
 * and navigator.storage.estimate() ignores it, so a quota override would prove nothing. Mounting needs
 * root (CAP_SYS_ADMIN); without it that test fails and says why (CI runs as root).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { randomApplicant, type Applicant } from './support/data.ts';
import { expect, test } from './support/fixtures.ts';
import { enrollOnline, UNIT } from './support/flows.ts';
import { officerFor, type AppPage } from './support/pages.ts';
import { dossierDocs } from './support/server.ts';
import { expectDrained } from './support/workflow-flows.ts';

const officer = officerFor(UNIT);
const FILLER = 'chaos-filler';
const CHUNK = 64 * 1024;

/**
 * Writes random values into the filler database until the browser refuses even small ones (64 KB
 * chunks, then 4 KB, then 512 bytes: an intake of ~10 KB must not fit in what is left). Returns how
 * many 64 KB chunks fitted and the refusal's name.
 */
function fillUntilRefused(page: Page, max = 5_000): Promise<{ written: number; refusal: string }> {
  return page.evaluate(
    async ({ name, sizes, max }) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open(name, 1);
        open.onupgradeneeded = () => open.result.createObjectStore('s', { autoIncrement: true });
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error ?? new Error('open failed'));
      });
      const put = (size: number): Promise<string> => {
        const bytes = new Uint8Array(size);
        crypto.getRandomValues(bytes);
        const tx = db.transaction('s', 'readwrite');
        tx.objectStore('s').put(bytes);
        return new Promise<string>((r) => {
          tx.oncomplete = () => r('ok');
          tx.onabort = () => r(tx.error?.name ?? 'AbortError');
        });
      };
      try {
        let written = 0;
        let refusal = 'none';
        for (const [i, size] of sizes.entries()) {
          for (let n = 0; i > 0 || n < max; n++) {
            const out = await put(size);
            if (out !== 'ok') {
              refusal = out;
              break;
            }
            if (i === 0) written++;
          }
          // Refilling to a level (max) stops at the first size.
          if (refusal === 'none') break;
        }
        return { written, refusal };
      } finally {
        db.close();
      }
    },
    { name: FILLER, sizes: [CHUNK, 4096, 512], max },
  );
}

function dropFiller(page: Page): Promise<void> {
  return page.evaluate(
    (name) =>
      new Promise<void>((resolve, reject) => {
        const del = indexedDB.deleteDatabase(name);
        del.onsuccess = () => resolve();
        del.onerror = () => reject(del.error ?? new Error('delete failed'));
      }),
    FILLER,
  );
}

/**
 * Code → row text of every dossier in the list, once it shows `expected` of them (the count and the rows
 * are live queries that read 0 until their first answer).
 */
async function listRows(app: AppPage, expected: number): Promise<Map<string, string>> {
  await app.list.open();
  await app.list.search('');
  await app.list.expectCount(expected);
  await expect(app.page.getByTestId('dossier-row')).toHaveCount(expected);
  const rows = await app.page
    .getByTestId('dossier-row')
    .evaluateAll((els) => els.map((e) => [e.getAttribute('data-code') ?? '', (e as HTMLElement).innerText] as const));
  return new Map(rows);
}

async function fillIntake(app: AppPage, who: Applicant): Promise<void> {
  if (await app.page.getByTestId('receipt-new').isVisible()) await app.receipt.newIntake();
  await app.intake.open();
  await app.intake.fill(who);
}

test('@chaos-storage persistence refused: the officer is told unsynced data may be deleted', async ({ harness }) => {
  const server = await harness.server();
  await server.start();
  const device = await enrollOnline(harness, server, 'A');
  const app = device.ui;
  // A browser that refuses persistent storage (Chromium decides by site engagement; headless may grant it one day).
  await device.proc!.context.addInitScript(() => {
    const sm = navigator.storage as StorageManager & { persist: () => Promise<boolean>; persisted: () => Promise<boolean> };
    sm.persist = () => Promise.resolve(false);
    sm.persisted = () => Promise.resolve(false);
  });
  const before = await app.takeIn(randomApplicant(), UNIT);
  await app.reload();
  await app.ready(officer);
  await expect(app.page.getByTestId('storage-warning')).toContainText('chưa cho phép lưu trữ lâu dài');
  // A warning, not a stop: the officer keeps working and what was stored is there.
  await app.takeIn(randomApplicant(), UNIT);
  const rows = await listRows(app, 2);
  expect(rows.has(before.code)).toBe(true);
});

test('@chaos-storage disk full: warned before an intake is lost, a refused intake keeps what was typed, stored dossiers intact', async ({ harness }) => {
  const server = await harness.server();
  await server.start();
  const device = harness.device('A', server);
  mkdirSync(device.profileDir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=48m', 'tmpfs', device.profileDir], { stdio: 'pipe' });
  } catch (e) {
    // Not skipped: a run that cannot fill a disk has not proved the promise, so it fails and says why.
    throw new Error(`this test needs a small filesystem for the browser profile (mount -t tmpfs, as root): ${String(e).split('\n')[0] ?? ''}`);
  }
  try {
    const code = await server.createEnrollment(UNIT);
    const app = await device.boot();
    await app.ready(officer, { code, label: 'Máy đầy bộ nhớ (e2e)' });
    await app.waitForServiceWorker(officer);
    // Offline from here: only the device's own disk is in play until the end.
    await server.stop();

    const taken: { applicant: Applicant; code: string }[] = [];
    for (let i = 0; i < 3; i++) {
      const applicant = randomApplicant();
      taken.push({ applicant, code: (await app.takeIn(applicant, UNIT)).code });
    }
    await expect(app.page.getByTestId('storage-low')).toHaveCount(0);
    const stored = await listRows(app, 3);

    await test.step('space runs short: the warning shows while intakes still fit', async () => {
      const full = await fillUntilRefused(app.page);
      expect(full.refusal, `filler refused after ${full.written} x 64 KB`).toBe('QuotaExceededError');
      // Leave about 2 MB: less than the app's 4 MB headroom write, far more than an intake (~10 KB).
      await dropFiller(app.page);
      const again = await fillUntilRefused(app.page, Math.max(0, full.written - 32));
      harness.note(`disk full after ${full.written} x 64 KB of filler; refilled ${again.written} (${again.refusal})`);
      await app.reload();
      await app.ready(officer);
      await expect(app.page.getByTestId('storage-low')).toContainText('Bộ nhớ của máy gần đầy');
      const applicant = randomApplicant();
      const receipt = await app.takeIn(applicant, UNIT);
      taken.push({ applicant, code: receipt.code });
      stored.set(receipt.code, '');
    });

    const refused = randomApplicant();
    await test.step('the disk is full: the intake is refused in plain Vietnamese and nothing typed is lost', async () => {
      const full = await fillUntilRefused(app.page);
      expect(full.refusal).toBe('QuotaExceededError');
      const pendingBefore = await app.pendingCount();
      await fillIntake(app, refused);
      await app.page.getByTestId('intake-submit').click();
      const error = app.page.getByTestId('form-error');
      await expect(error).toContainText('Bộ nhớ của máy đã đầy');
      await expect(error).toContainText('CHƯA được lưu');
      await expect(app.page.getByTestId('receipt')).toHaveCount(0);
      await expect(app.page.getByTestId('procedure-select')).toHaveValue('dang-ky-khai-sinh');
      await expect(app.page.getByTestId('applicant-name')).toHaveValue(refused.name);
      await expect(app.page.getByTestId('applicant-cccd')).toHaveValue(refused.cccd);
      await expect(app.page.getByTestId('applicant-phone')).toHaveValue(refused.phone);
      await expect(app.page.getByTestId('applicant-address')).toHaveValue(refused.address);
      const boxes = app.page.getByTestId('component-checkbox');
      for (let i = 0; i < (await boxes.count()); i++) await expect(boxes.nth(i)).toBeChecked();
      await expect(app.page.getByTestId('storage-low')).toBeVisible();
      expect(await app.pendingCount()).toBe(pendingBefore);
    });

    await test.step('space freed: the same press saves the same dossier, without retyping', async () => {
      await dropFiller(app.page);
      await app.page.getByTestId('intake-submit').click();
      const receipt = await app.receipt.expectComplete(UNIT);
      expect(receipt.applicant).toBe(refused.name);
      taken.push({ applicant: refused, code: receipt.code });
    });

    await test.step('with the disk full again, the app still opens and every stored dossier is intact', async () => {
      const full = await fillUntilRefused(app.page);
      expect(full.refusal).toBe('QuotaExceededError');
      await app.reload();
      await app.ready(officer);
      const rows = await listRows(app, taken.length);
      expect([...rows.keys()].sort()).toEqual(taken.map((t) => t.code).sort());
      for (const [code, text] of stored) if (text !== '') expect(rows.get(code)).toBe(text);
      for (const t of taken) await app.list.expectDossier(t.code, t.applicant);
    });

    await test.step('space freed and the data center back: every dossier reaches it', async () => {
      await dropFiller(app.page);
      await server.start();
      await expectDrained(app, 'A', 60_000);
      expect(dossierDocs(await server.docs(UNIT))).toHaveLength(taken.length);
    });
  } catch (e) {
    // The harness takes its screenshot after the test, by which time the profile must be unmounted.
    const page = device.app?.page;
    if (page !== undefined && !page.isClosed()) {
      const shot = await page.screenshot({ fullPage: true }).catch(() => null);
      if (shot !== null) await test.info().attach('screenshot-A.png', { body: shot, contentType: 'image/png' });
    }
    throw e;
  } finally {
    await device.shutdown();
    try {
      execFileSync('umount', [device.profileDir], { stdio: 'pipe' });
    } catch {
      // Not mounted (mount refused), or already gone.
    }
  }
});
