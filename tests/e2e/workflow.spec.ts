/**
 * @workflow: the one-stop workflow of issue 3 on two laptops of two communes, with the data center
 * down in the middle. Device A is the receiving center (Phường Thanh Khê, 20209: counter officer and
 * leader); device B is a processing officer of another commune (Phường Hải Vân, 20194), created
 * through the admin API before B enrolls. Every path of a dossier is taken through the UI:
 *   D1 complete intake → receipt (Mẫu 01) with its due date
 *   D2 incomplete intake → supplement request (Mẫu 02) listing every missing component
 *   D3 not eligible → refusal (Mẫu 03) with the reason
 *   D4 transfer to 20194 → B accepts and resolves it offline → back at A after the restart → returned (Hài lòng)
 *   D5 apology with a new date (Mẫu 04) before its deadline
 *   D6 processing asks for a supplement (the clock pauses), the supplement comes in (it runs again)
 *   D7 conflict: A withdraws it while B resolves it, both offline; after sync both show one state,
 *      the same conflict, and every event
 * Printed forms are opened in their print view and their key fields checked; screenshots of them go
 * to test-results/workflow/ for a person to look at.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Locator } from '@playwright/test';
import { randomApplicant, type Applicant } from './support/data.ts';
import { expect, test } from './support/fixtures.ts';
import { enrollOnline, OTHER_UNIT, UNIT } from './support/flows.ts';
import { officerFor, type AppPage } from './support/pages.ts';
import {
  createOfficer,
  enrollAs,
  expectDrained,
  expectListStatus,
  FORM_DATE_TIME,
  parseVnDateTime,
  printableForms,
  readConflicts,
  readTimeline,
  SCREEN_DATE_TIME,
  timed,
  vnDateTime,
  type NewOfficer,
  type Status,
} from './support/workflow-flows.ts';
import { DossierPage, FullIntakePage, LEADER_20209, switchOfficer } from './support/workflow-pages.ts';

const OUT = join(process.cwd(), 'test-results', 'workflow');
const OTHER_UNIT_NAME = 'Phường Hải Vân';
const PROCESSING_B: NewOfficer = { username: 'xuly.haivan', password: 'xuly-hv-2026', displayName: 'Trần Thị Xử Lý', role: 'processing' };
const COUNTER_A = officerFor(UNIT);
const SYNC_TIMEOUT = 60_000;

async function shoot(sheet: Locator, name: string): Promise<void> {
  await mkdir(OUT, { recursive: true });
  await sheet.screenshot({ path: join(OUT, `${name}.png`) });
}

/** The names of the intake checklist's components, in order (read from their labels). */
async function componentNames(app: AppPage): Promise<string[]> {
  return app.page
    .getByTestId('component-checkbox')
    .evaluateAll((boxes) => boxes.map((b) => (b.closest('label')?.textContent ?? '').replace(/\s+/g, ' ').trim()));
}

/** The dossier screen's due date as ms, or null when it shows none. */
async function screenDue(app: AppPage): Promise<number | null> {
  return parseVnDateTime(await app.page.getByTestId('dossier-due').innerText());
}

/** Conflicts compared across devices: the officer's name may differ (each device names its own officers), the event and the reason may not. */
const conflictKey = (text: string): string => text.replace(/\(.*?\)/, '()');

test('@workflow every path of a dossier across two communes, with the data center stopped and restarted', async ({ harness }) => {
  const timings: Record<string, number> = {};
  const t0 = Date.now();
  const server = await harness.server();
  await server.start();

  // B's officer must exist before B enrolls: the enrollment hands the unit's officers to the device.
  await createOfficer(server, OTHER_UNIT, PROCESSING_B);
  const a = await timed(harness, timings, 'enroll A', () => enrollOnline(harness, server, 'A'));
  const b = await timed(harness, timings, 'enroll B', () => enrollAs(harness, server, 'B', OTHER_UNIT, PROCESSING_B));
  const A = a.ui;
  const B = b.ui;
  const intakeA = new FullIntakePage(A.page);
  const dossierA = new DossierPage(A.page);
  const dossierB = new DossierPage(B.page);
  await A.page.setViewportSize({ width: 1100, height: 1400 });
  await B.page.setViewportSize({ width: 1100, height: 1400 });

  const people: Record<string, Applicant> = {};
  const take = async (key: string, kind: 'receive' | 'supplement' | 'refuse', opts: Parameters<FullIntakePage['takeIn']>[3] = {}, reason?: string): Promise<string> => {
    const applicant = randomApplicant();
    people[key] = applicant;
    const o = await intakeA.takeIn(applicant, UNIT, kind, opts, reason);
    harness.note(`A: ${key} taken in (${kind}) as ${o.code}`);
    return o.code;
  };

  // --- Online: two dossiers go to the other commune, which must hold them before the outage. ---
  const { d4, d7 } = await timed(harness, timings, 'online: take in D4, D7 and transfer both to 20194', async () =>
    test.step('A takes in D4 and D7 and transfers both to Phường Hải Vân (any-center)', async () => {
      const d4 = await take('D4', 'receive');
      const d7 = await take('D7', 'receive');
      for (const code of [d4, d7]) {
        await dossierA.openByCode(code);
        await dossierA.transferToCommune(OTHER_UNIT);
        await dossierA.expectStatus('processing');
        await expect(A.page.getByTestId('dossier-handler')).toHaveText(OTHER_UNIT_NAME);
      }
      // Online, a workflow step goes to the data center by itself, like an intake does.
      await expectDrained(A, 'A (online, after two transfers)', SYNC_TIMEOUT);
      return { d4, d7 };
    }),
  );

  await timed(harness, timings, 'online: B receives D4 and D7', () =>
    test.step('B, a device of 20194, receives both transferred dossiers', async () => {
      await B.list.open();
      await B.list.expectCount(2, SYNC_TIMEOUT);
      await expectListStatus(B, d4, 'processing');
      await expectListStatus(B, d7, 'processing');
      await dossierB.openByCode(d4);
      await expect(B.page.getByTestId('dossier-applicant')).toHaveText(people['D4']?.name ?? '');
      await expect(dossierB.action('accept')).toBeVisible();
      await expect(dossierB.action('resolve')).toBeVisible();
      // A processing officer neither withdraws nor returns: those are the counter's.
      await expect(dossierB.action('withdraw')).toHaveCount(0);
      await expect(dossierB.action('return_result')).toHaveCount(0);
    }),
  );

  await server.stop();
  harness.note('=== data center DOWN');
  const downAt = Date.now();

  // --- Offline at A: intake decisions, processing steps, and D7 withdrawn. ---
  const d1 = await timed(harness, timings, 'offline A: D1 receipt (Mẫu 01)', () =>
    test.step('D1: complete intake → receipt (Mẫu 01) with its due date', async () => {
      const code = await take('D1', 'receive', { email: 'cong.dan@example.vn', vneid: true });
      const sheet = A.page.getByTestId('form-01');
      await expect(sheet.getByTestId('form-title')).toHaveText('GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ');
      await expect(sheet.getByTestId('receipt-code')).toHaveText(code);
      await expect(sheet.getByTestId('receipt-applicant')).toHaveText(people['D1']?.name ?? '');
      await expect(sheet.getByTestId('receipt-received-at')).toHaveText(FORM_DATE_TIME);
      await expect(sheet.getByTestId('receipt-due-at')).toHaveText(FORM_DATE_TIME);
      const received = parseVnDateTime(await sheet.getByTestId('receipt-received-at').innerText());
      const due = parseVnDateTime(await sheet.getByTestId('receipt-due-at').innerText());
      expect(due, 'the appointment is after the receipt').toBeGreaterThan(received ?? Infinity);
      await expect(sheet).toContainText('Đăng ký khai sinh');
      await expect(sheet).toContainText('cong.dan@example.vn');
      await expect(sheet).toContainText('Đã xác thực');
      await expect(sheet.getByTestId('form-table-components').getByTestId('form-row')).toHaveCount(4);
      await expect(sheet.getByTestId('receipt-qr').locator('svg')).toBeVisible();
      await shoot(sheet, 'D1-form-01');
      return code;
    }),
  );

  const d2Missing: string[] = [];
  const d2 = await timed(harness, timings, 'offline A: D2 supplement request (Mẫu 02)', () =>
    test.step('D2: incomplete intake → supplement request (Mẫu 02) listing every missing component', async () => {
      const applicant = randomApplicant();
      people['D2'] = applicant;
      await intakeA.fill(applicant, { tick: 1 });
      d2Missing.push(...(await componentNames(A)).slice(1));
      expect(d2Missing, 'three of the four components are missing').toHaveLength(3);
      const o = await intakeA.decide('supplement', 'Hồ sơ chưa đủ thành phần theo quy định');
      const sheet = A.page.getByTestId('form-02');
      await expect(sheet.getByTestId('form-title')).toHaveText('PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ');
      await expect(sheet.getByTestId('receipt-code')).toHaveText(o.code);
      await expect(sheet.getByTestId('receipt-applicant')).toHaveText(applicant.name);
      await expect(sheet.getByTestId('form-reason')).toHaveText('Hồ sơ chưa đủ thành phần theo quy định');
      const rows = sheet.getByTestId('form-table-missing').getByTestId('form-row');
      await expect(rows).toHaveCount(d2Missing.length);
      for (const [i, name] of d2Missing.entries()) await expect(rows.nth(i)).toContainText(name);
      await shoot(sheet, 'D2-form-02');
      return o.code;
    }),
  );

  const refusal = 'Yêu cầu không thuộc thẩm quyền giải quyết của UBND phường';
  const d3 = await timed(harness, timings, 'offline A: D3 refusal (Mẫu 03)', () =>
    test.step('D3: not eligible → refusal (Mẫu 03) with the reason', async () => {
      const code = await take('D3', 'refuse', { tick: 'none' }, refusal);
      const sheet = A.page.getByTestId('form-03');
      await expect(sheet.getByTestId('form-title')).toHaveText('PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ');
      await expect(sheet.getByTestId('receipt-applicant')).toHaveText(people['D3']?.name ?? '');
      await expect(sheet.getByTestId('form-reason')).toHaveText(refusal);
      await shoot(sheet, 'D3-form-03');
      return code;
    }),
  );

  const d5 = await take('D5', 'receive');
  const d6 = await take('D6', 'receive');

  await timed(harness, timings, 'offline A: D6 transfer, D7 withdraw', () =>
    test.step('A (counter, offline): D6 goes to a commune office; D7 is withdrawn at the citizen’s request', async () => {
      await dossierA.openByCode(d6);
      await dossierA.act('transfer', async (f) => {
        await f.getByTestId('transfer-kind-commune_office').check();
        await f.getByTestId('transfer-name').fill('Phòng Văn hóa - Xã hội');
      });
      await dossierA.expectStatus('processing');
      await dossierA.openByCode(d7);
      await dossierA.withReason('withdraw', 'Công dân xin rút hồ sơ để bổ sung giấy tờ khác');
      await dossierA.expectStatus('withdrawn');
      await expect(A.page.getByTestId('actions-none')).toBeVisible();
    }),
  );

  await timed(harness, timings, 'offline A: switch to leader', () => switchOfficer(A, LEADER_20209));

  const apology = { reason: 'Cần xác minh thêm thông tin khai sinh tại nơi cư trú trước đây', oldDue: 0, newDue: 0 };
  await timed(harness, timings, 'offline A: D5 apology (Mẫu 04)', () =>
    test.step('D5: apology with a new date (Mẫu 04) before its deadline', async () => {
      await dossierA.openByCode(d5);
      const due = await screenDue(A);
      expect(due, 'D5 has a due date').not.toBeNull();
      apology.oldDue = due ?? 0;
      expect(apology.oldDue, 'the apology comes before the deadline').toBeGreaterThan(Date.now());
      const next = vnDateTime(apology.oldDue + 7 * 24 * 3_600_000);
      await dossierA.apologize(next.date, '16:00', apology.reason);
      apology.newDue = parseVnDateTime(`16:00 ${next.date}`) ?? 0;
      await expect.poll(() => screenDue(A), { message: 'D5 shows the new appointment' }).toBe(apology.newDue);
      await A.page.getByTestId('action-print-after').click();
      const sheet = A.page.getByTestId('form-04');
      await expect(sheet.getByTestId('form-title')).toHaveText('VĂN BẢN XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ');
      await expect(sheet).toContainText(people['D5']?.name ?? '');
      await expect(sheet).toContainText(d5);
      await expect(sheet.getByTestId('form-new-due')).toHaveText(FORM_DATE_TIME);
      expect(parseVnDateTime(await sheet.getByTestId('form-new-due').innerText()), 'Mẫu 04: the new date').toBe(apology.newDue);
      expect(parseVnDateTime(await sheet.getByTestId('form-old-due').innerText()), 'Mẫu 04: the first date').toBe(apology.oldDue);
      await expect(sheet.getByTestId('form-reason')).toHaveText(apology.reason);
      await shoot(sheet, 'D5-form-04');
      await dossierA.closePreview();
      expect(await printableForms(A.page)).toEqual(['01', '04', '06']);
    }),
  );

  const d6Supplement = { dueBefore: 0, missing: [] as string[] };
  await timed(harness, timings, 'offline A: D6 processing supplement request', () =>
    test.step('D6: the processing body asks for a supplement: the clock pauses (no due date)', async () => {
      await dossierA.openByCode(d6);
      await dossierA.expectStatus('processing');
      d6Supplement.dueBefore = (await screenDue(A)) ?? 0;
      expect(d6Supplement.dueBefore, 'D6 has a due date while processed').toBeGreaterThan(0);
      await dossierA.act('request_supplement', async (f) => {
        const boxes = f.getByTestId('supplement-missing');
        await expect(boxes).toHaveCount(4);
        await boxes.nth(1).check();
        d6Supplement.missing.push(((await boxes.nth(1).locator('xpath=..').textContent()) ?? '').replace(/\s+/g, ' ').trim());
        await f.getByTestId('supplement-extra').fill('Bản sao Giấy chứng nhận kết hôn của cha, mẹ');
        d6Supplement.missing.push('Bản sao Giấy chứng nhận kết hôn của cha, mẹ');
        await f.getByTestId('action-reason').fill('Giấy chứng sinh bị tẩy xóa, cần bản chính hợp lệ');
      });
      await dossierA.expectStatus('supplement_requested');
      await expect(A.page.getByTestId('dossier-due'), 'the clock is paused: no due date').toHaveText('Chưa có');
      await A.page.getByTestId('action-print-after').click();
      const sheet = A.page.getByTestId('form-02');
      const rows = sheet.getByTestId('form-table-missing').getByTestId('form-row');
      await expect(rows).toHaveCount(2);
      for (const [i, name] of d6Supplement.missing.entries()) await expect(rows.nth(i)).toContainText(name);
      await expect(sheet.getByTestId('form-reason')).toHaveText('Giấy chứng sinh bị tẩy xóa, cần bản chính hợp lệ');
      await shoot(sheet, 'D6-form-02');
      await dossierA.closePreview();
    }),
  );

  await timed(harness, timings, 'offline A: switch to counter', () => switchOfficer(A, COUNTER_A));

  await timed(harness, timings, 'offline A: D6 supplement received', () =>
    test.step('D6: the supplement comes in at the counter: processing resumes with a due date', async () => {
      await dossierA.openByCode(d6);
      await dossierA.act('supplement_received');
      await dossierA.expectStatus('processing');
      await expect(A.page.getByTestId('dossier-due').getByTestId('due-badge'), 'the clock runs again').toContainText(/\d{2}:\d{2} \d{2}\/\d{2}\/\d{4}/);
      const after = (await screenDue(A)) ?? 0;
      expect(after, 'the paused time is not counted: the due date does not move earlier').toBeGreaterThanOrEqual(d6Supplement.dueBefore);
      const types = (await readTimeline(A.page)).map((e) => e.type);
      expect(types).toEqual(['received', 'transferred', 'supplement_requested', 'supplement_received']);
    }),
  );

  await expect.poll(() => A.pendingCount(), { message: 'A holds its offline steps as pending' }).toBeGreaterThan(0);

  // --- Offline at B: D4 accepted and resolved, D7 resolved (after A withdrew it). ---
  await timed(harness, timings, 'offline B: accept+resolve D4, resolve D7', () =>
    test.step('B (offline) accepts and resolves D4, and resolves D7', async () => {
      await dossierB.openByCode(d4);
      await dossierB.act('accept');
      await dossierB.expectStatus('processing');
      await expect(dossierB.action('accept')).toHaveCount(0);
      await dossierB.resolveApproved('123/QĐ-UBND');
      await dossierB.expectStatus('resolved');
      await expect(B.page.getByTestId('dossier-status')).toContainText('123/QĐ-UBND');
      await dossierB.openByCode(d7);
      await dossierB.expectStatus('processing');
      await dossierB.resolveApproved('124/QĐ-UBND');
      await dossierB.expectStatus('resolved');
    }),
  );
  await expect.poll(() => B.pendingCount(), { message: 'B holds its offline steps as pending' }).toBeGreaterThan(0);
  harness.note(`data center was down for ${Date.now() - downAt} ms`);

  // --- The data center comes back: both drain by themselves. ---
  await timed(harness, timings, 'restart: both drain to pending 0', () =>
    test.step('the server restarts; pending-count returns to 0 on both without any user action', async () => {
      await server.start();
      harness.note('=== data center UP');
      await Promise.all([expectDrained(A, 'A', SYNC_TIMEOUT), expectDrained(B, 'B', SYNC_TIMEOUT)]);
      await Promise.all([A.expectSyncState('online'), B.expectSyncState('online')]);
    }),
  );

  await timed(harness, timings, 'D4 back at A, returned with rating', () =>
    test.step('D4: the result comes back to A (B’s events, with server time), A returns it (Hài lòng)', async () => {
      await expectListStatus(A, d4, 'resolved', { timeoutMs: SYNC_TIMEOUT });
      await dossierA.openByCode(d4);
      await dossierA.expectStatus('resolved');
      await expect(A.page.getByTestId('dossier-status')).toContainText('123/QĐ-UBND');
      await expect
        .poll(async () => (await readTimeline(A.page)).map((e) => `${e.type}:${e.synced}`), { timeout: SYNC_TIMEOUT, message: 'every D4 event on A carries its server time' })
        .toEqual(['received:true', 'transferred:true', 'accepted:true', 'resolved:true']);
      const timeline = await readTimeline(A.page);
      for (const e of timeline) expect(e.serverAt, `${e.type}: server time shown`).toMatch(SCREEN_DATE_TIME);
      const fromB = timeline.filter((e) => e.type === 'accepted' || e.type === 'resolved');
      expect(fromB, 'B accepted and resolved D4').toHaveLength(2);
      // Who did each step: a person's name, on the receiving center's screen and on its Mẫu 06. Soft,
      // so the rest of the workflow is still checked when only the name is wrong.
      for (const e of fromB) expect.soft(e.officer, `A's timeline names B's officer for "${e.type}"`).toBe(PROCESSING_B.displayName);
      await dossierA.returnResult('satisfied');
      await dossierA.expectStatus('returned');
      await expect(A.page.getByTestId('dossier-rating')).toHaveText('Mức độ hài lòng: Hài lòng');
      const sheet = await dossierA.preview('06');
      await expect(sheet.getByTestId('form-title')).toHaveText('PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ');
      const rows = sheet.getByTestId('form-table-timeline').getByTestId('form-row');
      await expect(rows).toHaveCount(5);
      await expect(rows.nth(1)).toContainText(`Chuyển đến: ${OTHER_UNIT_NAME}`);
      await expect(rows.nth(2)).toContainText('Nhận xử lý');
      await expect(rows.nth(2)).toContainText('máy chủ:');
      await expect(rows.nth(3)).toContainText('Kết quả: văn bản số 123/QĐ-UBND');
      await expect(rows.nth(4)).toContainText('Đánh giá: Hài lòng');
      await shoot(sheet, 'D4-form-06-at-A');
      await dossierA.closePreview();
    }),
  );

  await timed(harness, timings, 'D7 conflict on both', () =>
    test.step('D7: withdrawn at A and resolved at B offline → one state, the same conflict, every event, on both', async () => {
      const seen: { status: string; conflicts: string[]; timeline: string[] }[] = [];
      for (const [app, page] of [
        [A, dossierA],
        [B, dossierB],
      ] as const) {
        await page.openByCode(d7);
        await expect(app.page.getByTestId('dossier-conflicts')).toBeVisible({ timeout: SYNC_TIMEOUT });
        await expect
          .poll(async () => (await readTimeline(app.page)).every((e) => e.synced), { timeout: SYNC_TIMEOUT, message: 'every D7 event carries its server time' })
          .toBe(true);
        const timeline = await readTimeline(app.page);
        seen.push({
          status: await page.status(),
          conflicts: (await readConflicts(app.page)).map(conflictKey),
          timeline: timeline.map((e) => `${e.type}${e.conflict ? '!' : ''}`),
        });
      }
      const [atA, atB] = seen;
      harness.note(`D7 at A: ${JSON.stringify(atA)}; at B: ${JSON.stringify(atB)}`);
      expect(atB, 'B and A derive the same D7').toEqual(atA);
      expect(atA?.status, 'the withdrawal came first: it stands').toBe('withdrawn');
      expect(atA?.conflicts, 'one conflict: the resolution after the withdrawal').toHaveLength(1);
      expect(atA?.timeline, 'no event dropped').toEqual(['received', 'transferred', 'withdrawn', 'resolved!']);
      const sheet = await dossierB.preview('06');
      await expect(sheet.getByTestId('form-table-timeline').getByTestId('form-row')).toHaveCount(4);
      await expect(sheet).toContainText('Xung đột – cần người xử lý');
      // The dossier belongs to Phường Thanh Khê wherever it is printed (soft: a naming defect, not a state one).
      expect.soft(await sheet.innerText(), "B's Mẫu 06 names the receiving commune, not its code").toContain('ỦY BAN NHÂN DÂN PHƯỜNG THANH KHÊ');
      await shoot(sheet, 'D7-form-06-at-B');
      await dossierB.closePreview();
    }),
  );

  await timed(harness, timings, 'final lists on both', () =>
    test.step('final statuses in both lists; pending-count 0 on both', async () => {
      const finalA: [string, Status, boolean][] = [
        [d1, 'received', false],
        [d2, 'supplement_requested', false],
        [d3, 'refused', false],
        [d4, 'returned', false],
        [d5, 'received', false],
        [d6, 'processing', false],
        [d7, 'withdrawn', true],
      ];
      for (const [code, status, conflict] of finalA) await expectListStatus(A, code, status, { conflict });
      await A.list.search('');
      await A.list.expectCount(7);
      await expectListStatus(B, d4, 'returned', { timeoutMs: SYNC_TIMEOUT });
      await expectListStatus(B, d7, 'withdrawn', { conflict: true });
      await B.list.search('');
      await B.list.expectCount(2);
      await dossierB.openByCode(d4);
      await expect(B.page.getByTestId('dossier-rating')).toHaveText('Mức độ hài lòng: Hài lòng');
      await Promise.all([expectDrained(A, 'A'), expectDrained(B, 'B')]);
      // The forms each dossier offers are those of its steps (a conflicting step prints nothing).
      const offered: Record<string, string[]> = {};
      for (const [key, code] of Object.entries({ d1, d2, d3 })) {
        await dossierA.openByCode(code);
        offered[key] = await printableForms(A.page);
      }
      expect(offered).toEqual({ d1: ['01', '06'], d2: ['02', '06'], d3: ['03', '06'] });
      await dossierA.openByCode(d3);
      const sheet = await dossierA.preview('03');
      await expect(sheet.getByTestId('form-reason')).toHaveText(refusal);
      await dossierA.closePreview();
    }),
  );

  harness.note(`timings ms: ${JSON.stringify(timings)}`);
  console.log(`[workflow] total ${Date.now() - t0} ms; steps ${JSON.stringify(timings)}`);
});
