/**
 * @forms: every printed form (Mẫu 01-07) renders from a real dossier in a real Chromium, with its key
 * fields, and is saved as a screenshot under test-results/forms/ for a person to look at (diacritics,
 * layout). Mẫu 01 is also saved as it prints (print media) and as A4 and A5 PDFs.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { randomApplicant } from './support/data.ts';
import { expect, test } from './support/fixtures.ts';
import { enrollOnline, UNIT } from './support/flows.ts';
import { dossierCodePattern } from './support/pages.ts';
import { DossierPage, FullIntakePage, LEADER_20209, RegisterPage, switchOfficer } from './support/workflow-pages.ts';

const OUT = join(process.cwd(), 'test-results', 'forms');
const HON_NHAN = 'cap-giay-xac-nhan-tinh-trang-hon-nhan';

async function shoot(sheet: Locator, name: string): Promise<void> {
  await mkdir(OUT, { recursive: true });
  // The QR code and fonts settle before the picture is taken.
  await sheet.page().waitForTimeout(200);
  await sheet.screenshot({ path: join(OUT, `${name}.png`) });
}

/** The administrative frame every form shares. */
async function expectFrame(sheet: Locator, title: string): Promise<void> {
  await expect(sheet).toContainText('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM');
  await expect(sheet).toContainText('Độc lập - Tự do - Hạnh phúc');
  await expect(sheet).toContainText('ỦY BAN NHÂN DÂN PHƯỜNG THANH KHÊ');
  await expect(sheet.getByTestId('form-title')).toHaveText(title);
  await expect(sheet.getByTestId('form-place-date')).toHaveText(/^Thanh Khê, ngày \d{2} tháng \d{2} năm \d{4}$/);
}

/** Prints the page to PDF on `paper` (as the print buttons set it up) and returns its page count, null when PDF is unavailable. */
async function pdf(page: Page, name: string, paper: 'A4' | 'A5'): Promise<number | null> {
  // A constructed stylesheet, as src/ui/print.ts makes it: the server's CSP refuses a <style> element.
  await page.evaluate((p) => {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(p === 'A4' ? '@page { size: A4 portrait; margin: 20mm 15mm 20mm 30mm; }' : '@page { size: A5 portrait; margin: 12mm 10mm 12mm 18mm; }');
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
    document.documentElement.dataset['paper'] = p;
  }, paper);
  let buf: Buffer;
  try {
    buf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
  } catch (e) {
    // page.pdf needs headless Chromium; the screenshots are the evidence that matters.
    console.log(`[forms] no PDF for ${name} ${paper}: ${String(e).split('\n')[0]}`);
    return null;
  }
  await writeFile(join(OUT, `${name}-${paper}.pdf`), buf);
  return (buf.toString('latin1').match(/\/Type \/Page[^s]/g) ?? []).length;
}

test('@forms each form Mẫu 01-07 renders with its key fields (screenshots in test-results/forms)', async ({ harness }) => {
  const server = await harness.server();
  await server.start();
  const device = await enrollOnline(harness, server, 'A');
  const app = device.ui;
  const page = app.page;
  await page.setViewportSize({ width: 1100, height: 1400 });
  const intake = new FullIntakePage(page);
  const dossier = new DossierPage(page);

  const an = randomApplicant();
  const received = await test.step('Mẫu 01: receipt and appointment', async () => {
    const o = await intake.takeIn(an, UNIT, 'receive', { procedure: HON_NHAN, email: 'cong.dan@example.vn', vneid: true });
    const sheet = page.getByTestId('form-01');
    await expectFrame(sheet, 'GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ');
    await expect(sheet.getByTestId('receipt-code')).toHaveText(dossierCodePattern(UNIT));
    await expect(sheet.getByTestId('receipt-applicant')).toHaveText(an.name);
    await expect(sheet.getByTestId('receipt-received-at')).toHaveText(/^\d{2}:\d{2} ngày \d{2}\/\d{2}\/\d{4}$/);
    await expect(sheet.getByTestId('receipt-due-at')).toHaveText(/^\d{2}:\d{2} ngày \d{2}\/\d{2}\/\d{4}$/);
    await expect(sheet).toContainText('Cấp Giấy xác nhận tình trạng hôn nhân');
    await expect(sheet).toContainText('03 ngày làm việc');
    await expect(sheet).toContainText('Đăng ký nhận kết quả tại');
    await expect(sheet).toContainText('cong.dan@example.vn');
    await expect(sheet.getByTestId('form-table-components').getByTestId('form-row')).toHaveCount(2);
    await expect(sheet.getByTestId('receipt-qr').locator('svg')).toBeVisible();
    await shoot(sheet, 'form-01');
    await page.emulateMedia({ media: 'print' });
    await page.screenshot({ path: join(OUT, 'form-01-print.png'), fullPage: true });
    await page.emulateMedia({ media: null });
    for (const paper of ['A4', 'A5'] as const) {
      const pages = await pdf(page, 'form-01', paper);
      if (pages !== null) expect(pages, `the receipt prints on one ${paper} sheet`).toBe(1);
    }
    return o;
  });

  await test.step('Mẫu 02: supplement request listing every missing component at once', async () => {
    const b = randomApplicant();
    await intake.takeIn(b, UNIT, 'supplement', { procedure: HON_NHAN, tick: 'none' }, 'Hồ sơ còn thiếu giấy tờ theo quy định');
    const sheet = page.getByTestId('form-02');
    await expectFrame(sheet, 'PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ');
    await expect(sheet.getByTestId('receipt-applicant')).toHaveText(b.name);
    await expect(sheet.getByTestId('form-table-missing').getByTestId('form-row')).toHaveCount(2);
    await expect(sheet.getByTestId('form-reason')).toHaveText('Hồ sơ còn thiếu giấy tờ theo quy định');
    await shoot(sheet, 'form-02');
  });

  await test.step('Mẫu 03: refusal with its reason', async () => {
    const c = randomApplicant();
    await intake.takeIn(c, UNIT, 'refuse', { procedure: HON_NHAN, tick: 'none' }, 'Yêu cầu không thuộc thẩm quyền giải quyết của UBND phường');
    const sheet = page.getByTestId('form-03');
    await expectFrame(sheet, 'PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ');
    await expect(sheet.getByTestId('receipt-applicant')).toHaveText(c.name);
    await expect(sheet.getByTestId('form-reason')).toHaveText('Yêu cầu không thuộc thẩm quyền giải quyết của UBND phường');
    await shoot(sheet, 'form-03');
  });

  const stopped = await test.step('a fourth dossier, to be stopped', async () => intake.takeIn(randomApplicant(), UNIT, 'receive', { procedure: HON_NHAN }));

  await switchOfficer(app, LEADER_20209);

  await test.step('Mẫu 04: apology and new date, issued by the processing body before the deadline', async () => {
    await dossier.openByCode(received.code);
    await dossier.act('transfer', async (f) => {
      await f.getByTestId('transfer-kind-commune_office').check();
      await f.getByTestId('transfer-name').fill('Văn phòng HĐND và UBND phường');
    });
    await dossier.expectStatus('processing');
    await dossier.act('apologize', async (f) => {
      await expect(f.getByTestId('apologize-date')).not.toHaveValue('');
      await f.getByTestId('action-reason').fill('Cần xác minh thêm thông tin tại nơi cư trú trước đây');
    });
    await page.getByTestId('action-print-after').click();
    const sheet = page.getByTestId('form-04');
    await expect(sheet).toBeVisible();
    await expect(sheet.getByTestId('form-title')).toHaveText('VĂN BẢN XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ');
    await expect(sheet).toContainText('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM');
    await expect(sheet).toContainText('VĂN PHÒNG HĐND VÀ UBND PHƯỜNG');
    await expect(sheet).toContainText(an.name);
    await expect(sheet.getByTestId('form-new-due')).toHaveText(/^\d{2}:\d{2} ngày \d{2}\/\d{2}\/\d{4}$/);
    await expect(sheet.getByTestId('form-old-due')).toHaveText(/^\d{2}:\d{2} ngày \d{2}\/\d{2}\/\d{4}$/);
    await expect(sheet.getByTestId('form-reason')).toHaveText('Cần xác minh thêm thông tin tại nơi cư trú trước đây');
    await shoot(sheet, 'form-04');
    await dossier.closePreview();
  });

  await test.step('Mẫu 06: the processing control sheet is the timeline', async () => {
    await expect(dossier.timeline()).toHaveCount(3);
    const sheet = await dossier.preview('06');
    await expectFrame(sheet, 'PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ');
    const rows = sheet.getByTestId('form-table-timeline').getByTestId('form-row');
    await expect(rows).toHaveCount(3);
    await expect(rows.nth(0)).toContainText('Tiếp nhận');
    await expect(rows.nth(1)).toContainText('Chuyển xử lý');
    await expect(rows.nth(2)).toContainText('Xin lỗi và hẹn lại ngày trả');
    await expect(rows.nth(2)).toContainText('Lãnh đạo Demo');
    await shoot(sheet, 'form-06');
    await dossier.closePreview();
  });

  await test.step('Mẫu 05: stop-processing notice', async () => {
    await dossier.openByCode(stopped.code);
    await dossier.withReason('stop', 'Người nộp hồ sơ đề nghị dừng giải quyết để bổ sung giấy tờ khác');
    await dossier.expectStatus('stopped');
    await page.getByTestId('action-print-after').click();
    const sheet = page.getByTestId('form-05');
    await expect(sheet).toBeVisible();
    await expect(sheet.getByTestId('form-title')).toHaveText('THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ');
    await expect(sheet).toContainText(stopped.code);
    await expect(sheet.getByTestId('form-reason')).toHaveText('Người nộp hồ sơ đề nghị dừng giải quyết để bổ sung giấy tờ khác');
    await shoot(sheet, 'form-05');
    await dossier.closePreview();
  });

  await test.step('Mẫu 07: the daily register, printed and as CSV', async () => {
    const register = new RegisterPage(page);
    const sheet = await register.open();
    await expectFrame(sheet, 'SỔ THEO DÕI HỒ SƠ');
    await expect(sheet.getByTestId('form-table-register').getByTestId('form-row')).toHaveCount(4);
    await expect(sheet).toContainText(received.code);
    await expect(sheet).toContainText(an.name);
    await shoot(sheet, 'form-07');
    const csv = await register.downloadCsv();
    expect(csv.charCodeAt(0), 'CSV starts with a BOM so Excel reads Vietnamese').toBe(0xfeff);
    expect(csv).toContain('Mã hồ sơ');
    expect(csv).toContain(received.code);
    expect(csv).toContain(an.name);
    expect(csv.trim().split('\r\n')).toHaveLength(5);
  });
});
