/**
 * @security: an outbox that cannot be blocked (S22). A change the data center refuses (here a row
 * naming another commune's dossier, put into the device's outbox the way a faulty or tampered app
 * would) is retried, then set aside; the dossiers taken in with it and after it reach the data center,
 * the officer sees the refused count and the reason, and the sync admins see the device's report.
 */
import { CloseCode } from '../../src/protocol/constants.ts';
import { randomApplicant } from './support/data.ts';
import { expect, test } from './support/fixtures.ts';
import { enrollOnline, OTHER_UNIT, UNIT } from './support/flows.ts';
import { dossierDocs } from './support/server.ts';

test('@security a poison batch is set aside while the intakes with it and after it reach the data center', async ({ harness }) => {
  const server = await harness.server();
  await server.start();
  const a = await enrollOnline(harness, server, 'A');
  const app = a.ui;
  await app.expectSyncState('online');
  const first = await app.takeIn(randomApplicant(), UNIT);
  await expect.poll(() => app.pendingCount(), { timeout: 30_000 }).toBe(0);

  const poison = `${OTHER_UNIT}/dossier/${crypto.randomUUID()}`;
  await test.step('a row naming another commune\'s dossier and a junk update of a dossier of ours go into the outbox, ahead of new intakes', async () => {
    await app.page.evaluate(async ({ doc, code }) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const req = indexedDB.open('motcua');
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
      await new Promise<void>((resolve, reject) => {
        const tx = db.transaction(['outbox', 'dossiers'], 'readwrite');
        const outbox = tx.objectStore('outbox');
        // An empty Yjs update: the server refuses it for its doc's commune, before reading it (S9).
        outbox.add({ doc, data: new Uint8Array([0, 0]), batchId: '' });
        // Bytes that are no Yjs update, for the dossier taken in first (S8).
        const ours = tx.objectStore('dossiers').index('code').get(code);
        ours.onsuccess = () => outbox.add({ doc: (ours.result as { doc: string }).doc, data: new Uint8Array([0xff, 0xff, 0xff]), batchId: '' });
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error);
      });
      db.close();
    }, { doc: poison, code: first.code });
  });

  const refusals = server.waitForLine((_l, e) => e?.ev === 'sync_close' && e['code'] === CloseCode.Forbidden, 60_000);
  await app.takeIn(randomApplicant(), UNIT);
  await app.takeIn(randomApplicant(), UNIT);
  await refusals;

  await test.step('the refused row is set aside, the officer sees it, and the intakes reach the data center', async () => {
    await expect(app.page.getByTestId('set-aside-count')).toHaveText('2', { timeout: 60_000 });
    await expect.poll(() => app.pendingCount(), { timeout: 60_000, message: 'nothing left pending behind the refused row' }).toBe(0);
    const notice = app.page.getByTestId('set-aside');
    await expect(notice).toContainText('2 thay đổi bị trung tâm dữ liệu từ chối');
    await expect(notice).toContainText('dữ liệu không đọc được; ngoài phạm vi của đơn vị');
    // The dossier of ours is named by its code; the other commune's is not one this device holds.
    await expect(notice).toContainText(`Hồ sơ: ${first.code}.`);
    expect(dossierDocs(await server.docs(UNIT)), 'the data center holds the three dossiers').toHaveLength(3);
    await app.takeIn(randomApplicant(), UNIT);
    await expect.poll(async () => dossierDocs(await server.docs(UNIT)).length, { timeout: 30_000, message: 'a later intake reaches it too' }).toBe(4);
    await expect(app.page.getByTestId('set-aside-count')).toHaveText('2');
  });

  await test.step('the sync admins see the device\'s report', async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}/api/admin/devices/reports`, { headers: { authorization: `Bearer ${server.adminToken}` } });
    expect(res.status).toBe(200);
    const reports = (await res.json()) as { unit: string; report: { rows: number; docs: string[]; codes: number[] } }[];
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ unit: UNIT, report: { rows: 2, codes: [CloseCode.BadFrame, CloseCode.Forbidden] } });
    expect(reports[0]?.report.docs).toContain(poison);
  });
  await a.shutdown();
});
