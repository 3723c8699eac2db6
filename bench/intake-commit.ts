/**
 * Intake commit time, press "Tiếp nhận" to durable, next to one bare strict IndexedDB transaction
 * writing the same rows, in the same Chromium on the same machine. The full benchmark suite (CPU
 * throttling, shaped links, a year of data) is `npm run bench` in a later issue; this is its seed.
 *
 *   npm run bench:intake            (N=100 intakes; BENCH_N=300 to change)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChromiumProcess } from '../tests/e2e/support/chromium.ts';
import { randomApplicant } from '../tests/e2e/support/data.ts';
import { LogSink } from '../tests/e2e/support/logs.ts';
import { freePort, SyncServer } from '../tests/e2e/support/server.ts';

const N = Number(process.env['BENCH_N'] ?? 100);

function pct(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-intake-'));
  const logs = new LogSink();
  const server = new SyncServer({ port: await freePort(), dataDir: join(dir, 'data'), logs });
  await server.start();
  const chrome = await ChromiumProcess.launch({ profileDir: join(dir, 'profile'), name: 'bench', logs, stderrFile: join(dir, 'chromium.log') });
  try {
    const page = await chrome.page();
    await page.goto(`${server.url}/`);
    await page.getByTestId('enroll-code').fill(await server.createEnrollment('20209'));
    await page.getByTestId('enroll-submit').click();
    await page.getByTestId('login-username').fill('demo');
    await page.getByTestId('login-password').fill('demo123456');
    await page.getByTestId('login-submit').click();
    await page.getByTestId('intake-form').waitFor();
    await page.locator('[data-testid=procedure-select] option[value="dang-ky-khai-sinh"]').waitFor({ state: 'attached' });

    for (let i = 0; i < N; i++) {
      const a = randomApplicant();
      await page.getByTestId('procedure-select').selectOption('dang-ky-khai-sinh');
      await page.getByTestId('applicant-name').fill(a.name);
      await page.getByTestId('applicant-cccd').fill(a.cccd);
      await page.getByTestId('applicant-phone').fill(a.phone);
      await page.getByTestId('applicant-address').fill(a.address);
      const boxes = page.getByTestId('component-checkbox');
      for (let k = 0; k < (await boxes.count()); k++) await boxes.nth(k).check();
      await page.getByTestId('intake-submit').click();
      await page.getByTestId('receipt-code').waitFor();
      await page.getByTestId('receipt-new').click();
      await page.getByTestId('intake-form').waitFor();
    }
    const intake = await page.evaluate(() => performance.getEntriesByName('intake-commit').map((e) => e.duration));

    // The same rows, written by one bare strict transaction each: the physical floor on this machine.
    const bare = await page.evaluate(async (n: number) => {
      const sample = await new Promise<{ update: Uint8Array; row: unknown }>((resolve, reject) => {
        const req = indexedDB.open('motcua');
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const db = req.result;
          const tx = db.transaction(['updates', 'dossiers'], 'readonly');
          const u = tx.objectStore('updates').openCursor();
          const d = tx.objectStore('dossiers').openCursor();
          let update: Uint8Array | null = null;
          let row: unknown = null;
          // The largest stored update is an intake's (the server's time stamps and steps are smaller).
          u.onsuccess = () => {
            const c = u.result;
            if (c === null) return;
            const data = (c.value as { data: Uint8Array }).data;
            if (update === null || data.byteLength > update.byteLength) update = data;
            c.continue();
          };
          d.onsuccess = () => (row = d.result?.value);
          tx.oncomplete = () => {
            db.close();
            resolve({ update: update ?? new Uint8Array(600), row });
          };
        };
      });
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const req = indexedDB.open('bench-bare', 1);
        req.onupgradeneeded = () => {
          for (const s of ['updates', 'outbox', 'dossiers', 'meta']) req.result.createObjectStore(s, { autoIncrement: true });
        };
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
      const times: number[] = [];
      for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        await new Promise<void>((resolve, reject) => {
          const tx = db.transaction(['updates', 'outbox', 'dossiers', 'meta'], 'readwrite', { durability: 'strict' });
          tx.objectStore('updates').add({ doc: `x/${i}`, data: sample.update });
          tx.objectStore('outbox').add({ doc: `x/${i}`, data: sample.update, batchId: '' });
          tx.objectStore('dossiers').add({ ...(sample.row as object), id: String(i) });
          tx.objectStore('meta').put({ key: 'numberPool', value: { blocks: [], fallback: { d: i } } }, 'numberPool');
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error);
        });
        times.push(performance.now() - t0);
      }
      db.close();
      return { times, updateBytes: sample.update.byteLength };
    }, N);

    const rows = [
      ['intake_commit_ms (press to durable)', pct(intake, 50), pct(intake, 95), intake.length],
      ['bare_idb_strict_ms (same rows)', pct(bare.times, 50), pct(bare.times, 95), bare.times.length],
    ] as const;
    console.log(`\nIntake commit vs bare strict IndexedDB, ${N} each, update ${bare.updateBytes} bytes, no CPU throttling`);
    console.log('| measure | p50 ms | p95 ms | n |\n|---|---|---|---|');
    for (const [k, p50, p95, n] of rows) console.log(`| ${k} | ${p50.toFixed(1)} | ${p95.toFixed(1)} | ${n} |`);
    console.log(`| intake_commit_ratio (p50/p50) | ${(pct(intake, 50) / pct(bare.times, 50)).toFixed(2)} | | |`);
  } finally {
    await chrome.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
