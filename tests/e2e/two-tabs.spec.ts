/**
 * @two-tabs: two tabs of one device take in dossiers at the same time, offline and then online. One
 * writer at a time (IndexedDB transactions), one sync leader (a Web Lock): no code is handed out twice,
 * both tabs list every dossier, and the data center gets each dossier exactly once.
 */
import { randomApplicant } from './support/data.ts';
import { expect, test } from './support/fixtures.ts';
import { enrollOnline, UNIT } from './support/flows.ts';
import { AppPage, officerFor } from './support/pages.ts';
import { dossierDocs } from './support/server.ts';

const PER_TAB = 6;

test('@two-tabs [S10] two tabs of one laptop never duplicate a code or a dossier', async ({ harness }) => {
  const officer = officerFor(UNIT);
  const server = await harness.server();
  await server.start();
  const device = await enrollOnline(harness, server, 'A');
  const first = device.ui;
  const proc = device.proc;
  if (proc === null) throw new Error('device not running');
  const second = new AppPage(await proc.context.newPage(), server.url);
  await second.goto();
  await second.ready(officer);

  await server.stop();
  const codes: string[] = [];
  await test.step('both tabs take in dossiers, turn about, with the server down', async () => {
    // Turn about, each tab brought to the front: a background tab gets no animation frames, which
    // Playwright's actionability checks wait for. Truly simultaneous writers are covered by
    // tests/worker/local-store.test.ts (two Dexie connections to one database).
    for (let i = 0; i < PER_TAB; i++) {
      for (const tab of [first, second]) {
        await tab.page.bringToFront();
        codes.push((await tab.takeIn(randomApplicant(), UNIT)).code);
      }
    }
    expect(new Set(codes).size, `codes ${codes.join(', ')}`).toBe(2 * PER_TAB);
  });

  await test.step('each tab lists every dossier, and the pending count is the same in both', async () => {
    for (const tab of [first, second]) {
      await tab.page.bringToFront();
      await tab.list.open();
      await tab.list.expectCount(2 * PER_TAB);
    }
    await expect.poll(() => first.pendingCount()).toBe(2 * PER_TAB);
    await expect.poll(() => second.pendingCount()).toBe(2 * PER_TAB);
  });

  await test.step('the server returns: everything arrives once, with no user action', async () => {
    await server.start();
    for (const tab of [first, second]) await expect.poll(() => tab.pendingCount(), { timeout: 60_000 }).toBe(0);
    const docs = dossierDocs(await server.docs(UNIT));
    expect(docs).toHaveLength(2 * PER_TAB);
    // Each dossier stored once: its one update and the server's time stamp of its event (S13).
    expect(docs.map((d) => d.rows)).toEqual(docs.map(() => 2));
  });
});
