/**
 * S22, the server's side: a device's report of what it set aside is parsed defensively, logged, kept
 * per device (the store's settings: a real SQLite file) and listed for the sync admins. Nothing in a
 * report closes the link.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, MsgType } from '../../src/protocol/constants.ts';
import { encodeSetAsideReport, parseSetAsideReport, type SetAsideReport } from '../../src/protocol/set-aside.ts';
import { SqliteStore } from '../../sync-server/store/sqlite.ts';
import { addDevice, ADMIN_TOKEN, dossierDoc, OTHER_UNIT, startTestServer, SyncTestClient, type TestServer } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'motcua-reports-'));
let server: TestServer | null = null;

afterEach(async () => {
  await server?.close();
  server = null;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const report = (docs: string[]): SetAsideReport => ({ rows: docs.length + 1, docs, docCount: docs.length, codes: [4403, 4421], oldestAt: 1_700_000_000_000 });

async function reports(s: TestServer, unit?: string): Promise<{ device: string; unit: string; report: SetAsideReport }[]> {
  const res = await fetch(`${s.url}/api/admin/devices/reports${unit === undefined ? '' : `?unit=${unit}`}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as { device: string; unit: string; report: SetAsideReport }[];
}

/** The link is still served: a Ping is answered. */
async function stillServed(c: SyncTestClient): Promise<void> {
  c.send({ type: MsgType.Ping, nonce: 7 });
  expect((await c.next(MsgType.Pong)).nonce).toBe(7);
}

describe('[S22] device reports', () => {
  it('[S22] a report is logged as device_set_aside, kept as the device\'s last, and listed for admins (per unit too)', async () => {
    server = await startTestServer({ store: new SqliteStore(join(dir, 'a.db')) });
    const s = server;
    const a = await addDevice(s.store);
    const b = await addDevice(s.store, OTHER_UNIT);
    const ca = await SyncTestClient.welcomed(s, a.token);
    const docs = [dossierDoc(), dossierDoc()];
    ca.send({ type: MsgType.Error, code: ErrorCode.SetAside, message: encodeSetAsideReport(report(docs.slice(0, 1))), ref: '' });
    ca.send({ type: MsgType.Error, code: ErrorCode.SetAside, message: encodeSetAsideReport(report(docs)), ref: '' });
    await stillServed(ca);
    const cb = await SyncTestClient.welcomed(s, b.token);
    cb.send({ type: MsgType.Error, code: ErrorCode.SetAside, message: encodeSetAsideReport(report([dossierDoc(OTHER_UNIT)])), ref: '' });
    await stillServed(cb);

    expect(s.logs.filter((l) => l.includes('"device_set_aside"'))).toHaveLength(3);
    const all = await reports(s);
    expect(all.map((r) => r.device).sort()).toEqual([a.device.id, b.device.id].sort());
    const mine = all.find((r) => r.device === a.device.id);
    expect(mine?.report).toEqual(report(docs));
    expect((await reports(s, OTHER_UNIT)).map((r) => r.device)).toEqual([b.device.id]);
    ca.close();
    cb.close();
  });

  it('[S22] a report that does not parse is logged and ignored, and never closes the link', async () => {
    server = await startTestServer({ store: new SqliteStore(join(dir, 'b.db')) });
    const s = server;
    const a = await addDevice(s.store);
    const c = await SyncTestClient.welcomed(s, a.token);
    const bad = [
      'not json',
      '[]',
      JSON.stringify({ ...report([]), rows: -1 }),
      JSON.stringify({ ...report([]), docs: ['../etc/passwd'] }),
      JSON.stringify({ ...report([]), codes: ['4403'] }),
      JSON.stringify({ rows: 1 }),
    ];
    for (const message of bad) c.send({ type: MsgType.Error, code: ErrorCode.SetAside, message, ref: '' });
    c.send({ type: MsgType.Error, code: ErrorCode.StorageFull, message: '', ref: '' });
    await stillServed(c);
    expect(s.logs.filter((l) => l.includes('"device_report_bad"'))).toHaveLength(bad.length);
    expect(s.logs.filter((l) => l.includes('"device_error"'))).toHaveLength(1);
    expect(s.logs.some((l) => l.includes('"device_set_aside"'))).toBe(false);
    expect(await reports(s)).toEqual([]);
    c.close();
  });

  it('[S22] a report keeps within the message limit by listing fewer docs, never fewer in the count', () => {
    const docs = Array.from({ length: 100 }, () => dossierDoc());
    const text = encodeSetAsideReport(report(docs));
    expect(text.length).toBeLessThanOrEqual(1000);
    const back = parseSetAsideReport(text);
    expect(back?.docCount).toBe(100);
    expect(back?.docs.length).toBeGreaterThan(0);
    expect(back?.docs.every((d) => docs.includes(d))).toBe(true);
  });
});
