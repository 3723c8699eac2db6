/**
 * Fault (a'): power cuts of the browser (S4). A real Chromium on a persistent profile takes in dossiers
 * and moves them through workflow steps in a burst, and is SIGKILLed (its whole process group) at a
 * seeded moment of each burst: mid-intake, mid-step, or just after a receipt showed. It is relaunched on
 * the same profile every time. The app must always open its database; every receipt that was on screen
 * before a cut must come back identical (code, applicant, received time, due date on its Mẫu 01, CCCD
 * and name by search), and every step the app said it recorded must still be there. The sync server is
 * down during the cuts, so nothing can come back from the data center; at the end it starts and every
 * dossier reaches it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, type Page } from '@playwright/test';
import { ChromiumProcess } from '../tests/e2e/support/chromium.ts';
import type { Applicant } from '../tests/e2e/support/data.ts';
import { LogSink } from '../tests/e2e/support/logs.ts';
import { AppPage, dossierCodePattern, officerFor } from '../tests/e2e/support/pages.ts';
import { dossierDocs, freePort, SyncServer } from '../tests/e2e/support/server.ts';
import { STATUS_TEXT, type Status } from '../tests/e2e/support/workflow-flows.ts';
import { DossierPage } from '../tests/e2e/support/workflow-pages.ts';
import { PAGE_SIZE } from '../src/ui/search.ts';
import { Rng } from './prng.ts';
import { count, emptyReport, type Report } from './report.ts';
import { sleep } from './server-proc.ts';

const UNIT = '20209';
const OFFICER = officerFor(UNIT);

export interface PowerOptions {
  readonly seed: number;
  readonly durationMs: number;
  /** Every timeline line printed as it happens (E2E_VERBOSE does the same for the e2e helpers). */
  readonly verbose?: boolean;
}

/** What the citizen was handed: Mẫu 01 as it was on screen before the cut. */
interface Receipt {
  readonly code: string;
  readonly applicant: Applicant;
  readonly name: string;
  readonly receivedAt: string;
  readonly dueAt: string;
}

interface Known {
  readonly receipt: Receipt | null;
  /** The status the app confirmed last ("Đã ghi" seen). */
  status: Status;
  /** A step in flight when the power went: either status is right afterwards. */
  maybe: Status | null;
}

const FAMILY = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Huỳnh', 'Phan', 'Võ', 'Đặng', 'Bùi', 'Đỗ', 'Hồ'];
const MIDDLE = ['Văn', 'Thị', 'Hữu', 'Đức', 'Minh', 'Ngọc', 'Xuân'];
const GIVEN = ['An', 'Bình', 'Cường', 'Dũng', 'Hạnh', 'Khánh', 'Lộc', 'Nghĩa', 'Phúc', 'Quỳnh', 'Sơn', 'Thảo', 'Tuấn', 'Việt'];

function applicant(rng: Rng, n: number): Applicant {
  return {
    name: `${rng.pick(FAMILY)} ${rng.pick(MIDDLE)} ${rng.pick(GIVEN)} ${n}`,
    // Unique within the run by construction: the search by CCCD must find exactly one dossier.
    cccd: `048095${String(100_000 + n).slice(-6)}`,
    phone: `09${String(rng.int(10_000_000, 99_999_999))}`,
    address: `${rng.int(1, 300)} Hà Huy Tập, Phường Thanh Khê, Đà Nẵng`,
  };
}

export async function runPower(o: PowerOptions): Promise<Report> {
  const report = emptyReport(`power-cut seed=${o.seed}`);
  const rng = new Rng(o.seed);
  const tmp = await mkdtemp(join(tmpdir(), 'motcua-chaos-power-'));
  const logs = new LogSink();
  const note = (line: string): void => {
    logs.add(`[power] ${line}`);
    if (o.verbose === true) console.log(`[power] ${line}`);
  };
  const server = new SyncServer({ port: await freePort(), dataDir: join(tmp, 'server'), logs });
  const known = new Map<string, Known>();
  let proc: ChromiumProcess | null = null;
  let intakes = 0;
  let steps = 0;
  let cuts = 0;
  let opens = 0;
  let checkedForms = 0;
  const boot = async (): Promise<AppPage> => {
    proc = await ChromiumProcess.launch({ profileDir: join(tmp, 'profile'), name: 'power', logs, stderrFile: join(tmp, 'chromium.log') });
    const app = new AppPage(await proc.page(), server.url);
    await app.goto();
    return app;
  };
  try {
    await server.start();
    const code = await server.createEnrollment(UNIT);
    let app = await boot();
    await app.ready(OFFICER, { code, label: 'Máy mất điện (chaos)' });
    await app.waitForServiceWorker(OFFICER);
    await server.stop();
    note('enrolled, service worker in control; data center down from now on');

    const until = Date.now() + o.durationMs;
    let fresh: string[] = [];
    while (Date.now() < until) {
      // The burst, and the cut at a seeded moment of it.
      const cutAfter = rng.int(300, 6_000);
      let dead = false;
      let inFlight: { kind: 'intake' } | { kind: 'step'; code: string; to: Status } | null = null;
      const page = app.page;
      const burst = (async () => {
        for (;;) {
          const candidates = [...known.entries()].filter(([, k]) => k.status === 'received' || k.status === 'processing');
          if (candidates.length === 0 || rng.chance(0.55)) {
            const who = applicant(rng, intakes + 1);
            inFlight = { kind: 'intake' };
            const receipt = await takeIn(app, who);
            if (dead) return;
            inFlight = null;
            intakes++;
            known.set(receipt.code, { receipt, status: 'received', maybe: null });
            fresh.push(receipt.code);
          } else {
            const [code, k] = rng.pick(candidates);
            const to: Status = k.status === 'received' ? 'processing' : 'withdrawn';
            inFlight = { kind: 'step', code, to };
            await step(page, code, to);
            if (dead) return;
            inFlight = null;
            steps++;
            k.status = to;
          }
        }
      })().catch((e: unknown) => {
        if (!dead) throw e;
      });
      const outcome = await Promise.race([burst.then(() => 'ended' as const), sleep(cutAfter).then(() => 'cut' as const)]);
      if (outcome === 'ended') throw new Error('the burst ended without a cut');
      dead = true;
      const flying = inFlight as { kind: 'intake' } | { kind: 'step'; code: string; to: Status } | null;
      await proc!.powerCut();
      cuts++;
      count(report.faults, flying === null ? 'power_cut_between' : `power_cut_during_${flying.kind}`);
      await burst;
      if (flying?.kind === 'step') {
        const k = known.get(flying.code);
        if (k !== undefined) k.maybe = flying.to;
      }
      note(`cut ${cuts} after ${cutAfter} ms (${flying === null ? 'between actions' : `during ${flying.kind}`}); ${known.size} dossiers known`);

      // Relaunch on the same profile: the laptop booted again.
      app = await boot();
      try {
        await app.ready(OFFICER);
        opens++;
      } catch (e) {
        report.failures.push(`[S4] after cut ${cuts} the app did not open its data: ${String(e).split('\n')[0] ?? ''}`);
        break;
      }
      await verifyList(app.page, known, flying?.kind === 'intake' ? 1 : 0, report, cuts);
      // Mẫu 01 of this burst's receipts, and one older one, exactly as the citizen got it.
      const older = [...known.values()].filter((k) => k.receipt !== null && !fresh.includes(k.receipt.code));
      const sample = older.length > 0 ? [rng.pick(older).receipt!.code] : [];
      for (const c of [...fresh, ...sample]) {
        const k = known.get(c);
        if (k?.receipt) {
          await verifyForm(app.page, k.receipt, report, cuts);
          checkedForms++;
        }
      }
      fresh = [];
    }

    // The data center comes back: every dossier the device holds reaches it.
    const healStart = Date.now();
    await server.start();
    await waitDrained(app, 120_000);
    report.convergeMs = Date.now() - healStart;
    const onServer = dossierDocs(await server.docs(UNIT)).length;
    await app.list.open();
    // The count is a live query: it reads 0 until the first result lands.
    const onDevice = await app.list.expectCount(onServer, 15_000).then(
      () => onServer,
      () => app.list.count(),
    );
    report.replicas = 2;
    report.confirmed = [...known.values()].filter((k) => k.receipt !== null).length;
    if (onServer !== onDevice) {
      report.identical = false;
      report.failures.push(`the data center holds ${onServer} dossiers, the device ${onDevice}`);
    }
    if (onDevice < known.size) report.missing += known.size - onDevice;
    report.notes.push(`${cuts} power cuts, the app opened its data after each (${opens}); ${intakes} receipts and ${steps} workflow steps confirmed on screen before a cut`);
    report.notes.push(`${checkedForms} Mẫu 01 compared field by field after a reboot; the data center was down during the cuts and got all ${onServer} dossiers after`);
    return report;
  } catch (e) {
    report.failures.push(`power-cut scenario stopped: ${String(e).split('\n').slice(0, 3).join(' ')} (evidence: ${tmp})`);
    return report;
  } finally {
    // Typed through a local: TypeScript narrows `proc` to null from its initialiser across the awaits.
    const last = proc as ChromiumProcess | null;
    await last?.close().catch(() => undefined);
    await server.kill().catch(() => undefined);
    if (report.failures.length === 0) await rm(tmp, { recursive: true, force: true });
  }
}

async function takeIn(app: AppPage, who: Applicant): Promise<Receipt> {
  const receipt = await app.takeIn(who, UNIT);
  const dueAt = (await app.page.getByTestId('receipt-due-at').innerText()).trim();
  return { code: receipt.code, applicant: who, name: receipt.applicant, receivedAt: receipt.receivedAt, dueAt };
}

/** received → processing (to the commune's office) or processing → withdrawn, as the counter does. */
async function step(page: Page, code: string, to: Status): Promise<void> {
  const dossier = new DossierPage(page);
  await dossier.openByCode(code);
  if (to === 'processing') await dossier.act('transfer', (f) => f.getByTestId('transfer-name').fill('Bộ phận chuyên môn'));
  else await dossier.withReason('withdraw', 'Công dân xin rút hồ sơ');
}

/** Every dossier known, once, with its applicant and the status last confirmed (or the one in flight). */
async function verifyList(page: Page, known: Map<string, Known>, mayBeExtra: number, report: Report, cut: number): Promise<void> {
  const app = new AppPage(page, '');
  await app.list.open();
  await app.list.search('');
  // Live queries: wait until the list counts at least what is known and shows its first page.
  await expect.poll(async () => (await app.list.count().catch(() => -1)) >= known.size, { timeout: 15_000 }).toBe(true).catch(() => undefined);
  const total = await app.list.count();
  const rowsOf = (): Promise<{ code: string; text: string }[]> =>
    page.getByTestId('dossier-row').evaluateAll((els) => els.map((e) => ({ code: e.getAttribute('data-code') ?? '', text: (e as HTMLElement).innerText })));
  await expect(page.getByTestId('dossier-row')).toHaveCount(Math.min(total, PAGE_SIZE), { timeout: 15_000 }).catch(() => undefined);
  const byCode = new Map<string, string[]>();
  const add = (rows: { code: string; text: string }[]): void => {
    for (const r of rows) byCode.set(r.code, [...(byCode.get(r.code) ?? []), r.text]);
  };
  add(await rowsOf());
  // The list shows one page (search.ts PAGE_SIZE): older dossiers are looked up by their code.
  for (const code of known.keys()) {
    if (byCode.has(code)) continue;
    await app.list.search(code);
    await expect(app.list.row(code)).toHaveCount(1, { timeout: 5_000 }).catch(() => undefined);
    add((await rowsOf()).filter((r) => r.code === code));
  }
  await app.list.search('');
  for (const [code, texts] of byCode) {
    if (texts.length > 1) {
      report.duplicates += texts.length - 1;
      report.failures.push(`after cut ${cut}: ${code} listed ${texts.length} times`);
    }
  }
  for (const [code, k] of known) {
    const text = byCode.get(code)?.[0];
    if (text === undefined) {
      report.missing++;
      report.failures.push(`[S4] after cut ${cut}: ${code} (receipt shown before a cut) is gone`);
      continue;
    }
    if (k.receipt !== null && !text.includes(k.receipt.applicant.name)) report.failures.push(`after cut ${cut}: ${code} lost its applicant name`);
    const allowed = k.maybe === null ? [k.status] : [k.status, k.maybe];
    const shown = allowed.find((s) => text.includes(STATUS_TEXT[s]));
    if (shown === undefined) report.failures.push(`[S4] after cut ${cut}: ${code} shows "${text}", expected ${allowed.join(' or ')}`);
    else {
      k.status = shown;
      k.maybe = null;
    }
  }
  // An intake cut before its receipt showed may or may not have committed: never half, never twice.
  // It is the newest, so on the first page.
  const extra = [...byCode.keys()].filter((c) => !known.has(c));
  for (const c of extra) {
    if (!dossierCodePattern(UNIT).test(c)) report.failures.push(`after cut ${cut}: a row with code "${c}"`);
  }
  const unseen = total - known.size;
  if (unseen > mayBeExtra) report.failures.push(`after cut ${cut}: ${unseen} dossiers nobody saw a receipt for`);
  for (const c of extra) known.set(c, { receipt: null, status: 'received', maybe: null });
}

/** Mẫu 01 after the reboot, field by field against what was on screen before the cut; CCCD by search. */
async function verifyForm(page: Page, r: Receipt, report: Report, cut: number): Promise<void> {
  const app = new AppPage(page, '');
  const row = await app.list.expectDossier(r.code, r.applicant).catch((e: unknown) => {
    report.failures.push(`after cut ${cut}: ${r.code} not found by its CCCD, name and code: ${String(e).split('\n')[0] ?? ''}`);
    return null;
  });
  if (row === null) return;
  const dossier = new DossierPage(page);
  await dossier.openByCode(r.code);
  const sheet = await dossier.preview('01');
  const read = async (id: string): Promise<string> => (await sheet.getByTestId(id).innerText()).trim();
  const now = { code: await read('receipt-code'), name: await read('receipt-applicant'), receivedAt: await read('receipt-received-at'), dueAt: await read('receipt-due-at') };
  const was = { code: r.code, name: r.name, receivedAt: r.receivedAt, dueAt: r.dueAt };
  if (JSON.stringify(now) !== JSON.stringify(was)) report.failures.push(`[S4] after cut ${cut}: Mẫu 01 of ${r.code} changed: was ${JSON.stringify(was)}, now ${JSON.stringify(now)}`);
  await dossier.closePreview();
}

async function waitDrained(app: AppPage, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const pending = await app.pendingCount().catch(() => -1);
    if (pending === 0 && (await app.syncState()) === 'online') return;
    if (Date.now() > until) throw new Error(`the device did not drain its outbox in ${timeoutMs} ms (pending ${pending})`);
    await sleep(250);
  }
}
