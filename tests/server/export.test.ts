/** The dossier projection through the real push path, and its export from the admin API (S18). */
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { parseCsv } from '../../src/domain/csv.ts';
import { MsgType } from '../../src/protocol/constants.ts';
import { dossierDocName } from '../../src/protocol/doc-names.ts';
import { docFromUpdates, newDossierUpdate } from '../../src/worker/dossier-doc.ts';
import { EXPORT_COLUMNS } from '../../sync-server/export.ts';
import { EXTRA_FIELDS } from '../worker/support/fields.ts';
import { ADMIN_TOKEN, addDevice, startTestServer, SyncTestClient, UNIT, writerOf, type TestServer } from './helpers.ts';

const T0 = Date.UTC(2026, 10, 23, 3, 0, 0); // 10:00 on 23/11/2026 in Vietnam

let t: TestServer | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

function dossier(i: number, writer: number): { doc: string; update: Uint8Array } {
  const doc = dossierDocName(UNIT, crypto.randomUUID());
  const update = newDossierUpdate(
    { code: `20209-261123-${String(i).padStart(4, '0')}`, unit: UNIT, procedureCode: 'dang-ky-khai-sinh', procedureName: 'Đăng ký khai sinh, "bản sao"', name: 'Lê Thị Hoa', cccd: '048195000123', phone: '', address: 'Thanh Khê', receivedAt: T0, components: '[]', ...EXTRA_FIELDS },
    { id: `e-${i}`, type: 'received', at: T0, officer: 'o1', device: 'd1' },
    writer,
  );
  return { doc, update };
}

/** Resolved, then returned with a rating. */
function returned(first: Uint8Array, writer: number): Uint8Array {
  const y = docFromUpdates([first], writer);
  const sv = Y.encodeStateVector(y);
  y.getArray('events').push([
    { id: 'res', type: 'resolved', at: T0 + 1_800_000, officer: 'o2', device: 'd1', data: { outcome: 'approved' } },
    { id: 'ret', type: 'returned', at: T0 + 3_600_000, officer: 'o1', device: 'd1', data: { rating: 'very_satisfied' } },
  ]);
  return Y.encodeStateAsUpdate(y, sv);
}

async function get(path: string): Promise<Response> {
  return fetch(`${t?.url}${path}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
}

describe('[S18] dossier projection and export', () => {
  it('[S18] pushed dossiers are projected with their server stamps, and exported as JSON and CSV by unit and period', async () => {
    t = await startTestServer();
    const dev = await addDevice(t.store);
    const c = await SyncTestClient.welcomed(t, dev.token);
    // Written with the device's own client id (S19).
    const a = dossier(1, writerOf(dev));
    const b = dossier(2, writerOf(dev));
    c.send({ type: MsgType.Push, batchId: 'b1', items: [a, b] });
    await c.next(MsgType.PushAck);
    c.send({ type: MsgType.Push, batchId: 'b2', items: [{ doc: a.doc, update: returned(a.update, writerOf(dev)) }] });
    await c.next(MsgType.PushAck);
    c.close();

    const json = await get(`/api/admin/export/dossiers?unit=${UNIT}&from=2026-11-23&to=2026-11-23&format=json`);
    expect(json.status).toBe(200);
    const records = (await json.json()) as { doc: string; status: string; rating: string | null; returnedAt: number | null }[];
    expect(records.map((r) => r.doc).sort()).toEqual([a.doc, b.doc].sort());
    expect(records.find((r) => r.doc === a.doc)).toMatchObject({ status: 'returned', rating: 'very_satisfied', returnedAt: T0 + 3_600_000 });
    // Server stamps (S13) are in the events' projection.
    const events = await t.store.dossierEvents(a.doc);
    expect(events.map((e) => e.type)).toEqual(['received', 'resolved', 'returned']);
    expect(events.every((e) => typeof e.serverAt === 'number')).toBe(true);

    const csv = await get(`/api/admin/export/dossiers?from=2026-11-23&to=2026-11-23&format=csv`);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const parsed = parseCsv(await csv.text());
    expect(parsed.error).toBeUndefined();
    expect(parsed.records[0]?.fields).toEqual([...EXPORT_COLUMNS]);
    expect(parsed.records).toHaveLength(3);
    expect(parsed.records[1]?.fields[4]).toBe('Đăng ký khai sinh, "bản sao"');

    // A day outside the period, another unit: nothing.
    expect(await (await get(`/api/admin/export/dossiers?from=2026-11-24&to=2026-11-30`)).json()).toEqual([]);
    expect(await (await get(`/api/admin/export/dossiers?unit=20194&from=2026-11-23&to=2026-11-23`)).json()).toEqual([]);
  });

  it('a bad period is refused with a Vietnamese message; the export needs the admin token', async () => {
    t = await startTestServer();
    const bad = await get('/api/admin/export/dossiers?from=2026-02-31&to=2026-03-01');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toContain('YYYY-MM-DD');
    expect((await get('/api/admin/export/dossiers?from=2026-03-02&to=2026-03-01')).status).toBe(400);
    expect((await get('/api/admin/export/dossiers?from=2026-03-01&to=2026-03-02&format=xml')).status).toBe(400);
    expect((await fetch(`${t.url}/api/admin/export/dossiers?from=2026-03-01&to=2026-03-02`)).status).toBe(401);
  });
});
