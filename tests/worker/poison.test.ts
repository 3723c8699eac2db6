/**
 * S22 against a real server on loopback (a real SQLite file): a batch the server refuses is retried,
 * split and its poison row set aside, while every other row reaches the data center.
 */
import 'fake-indexeddb/auto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/schema.ts';
import { CloseCode, LIMITS, MsgType } from '../../src/protocol/constants.ts';
import type { Message } from '../../src/protocol/messages.ts';
import { parseSetAsideReport } from '../../src/protocol/set-aside.ts';
import { appendEventUpdate, eventsOf, writerIdOf } from '../../src/worker/dossier-doc.ts';
import type { DossierEvent } from '../../src/domain/dossier.ts';
import { LocalStore } from '../../src/worker/local-store.ts';
import { REFUSALS_BEFORE_SPLIT } from '../../src/worker/refusals.ts';
import { SqliteStore } from '../../sync-server/store/sqlite.ts';
import { addDevice, ADMIN_TOKEN, docOf, dossierDoc, fieldsUpdate, OTHER_UNIT, startTestServer, UNIT, type TestServer } from '../server/helpers.ts';
import { NodeDevice, waitFor } from './support/device.ts';

const dir = mkdtempSync(join(tmpdir(), 'motcua-poison-'));
let server: TestServer | null = null;
let files = 0;
const devices: NodeDevice[] = [];

afterEach(async () => {
  for (const d of devices.splice(0)) d.stop();
  await server?.close();
  server = null;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function setup(): Promise<TestServer> {
  server = await startTestServer({ store: new SqliteStore(join(dir, `s${++files}.db`)) });
  return server;
}

async function device(s: TestServer, store?: LocalStore): Promise<NodeDevice> {
  const d = new NodeDevice(await addDevice(s.store, UNIT), s.wsUrl, store);
  devices.push(d);
  return d;
}

/** A row the server refuses, put in the outbox (and the doc's updates) as a local change would be. */
async function poison(d: NodeDevice, kind: 'foreign' | 'junk'): Promise<string> {
  const doc = kind === 'foreign' ? dossierDoc(OTHER_UNIT) : dossierDoc(UNIT);
  const data = kind === 'foreign' ? fieldsUpdate({ code: 'x' }) : new Uint8Array([0xff, 0xff, 0xff, 0xff]);
  await d.store.db.transaction('rw', [d.store.db.updates, d.store.db.outbox], async () => {
    await d.store.db.updates.add({ doc, data });
    await d.store.db.outbox.add({ doc, data, batchId: '' });
  });
  return doc;
}

const pushed = (d: NodeDevice): Extract<Message, { type: typeof MsgType.Push }>[] =>
  d.wire.sent.flatMap((m) => (m.type === MsgType.Push ? [m] : []));

async function serverDocs(s: TestServer): Promise<string[]> {
  return (await s.store.docStats(UNIT, 1000)).map((d) => d.doc);
}

describe('[S22] poison batches are set aside', () => {
  it('[S22] a refused batch is retried, then its poison row is isolated from the good rows of the same batch, which reach the server', async () => {
    const s = await setup();
    const a = await device(s);
    const bad = await poison(a, 'foreign');
    const good = [await a.intake('Trần Văn A'), await a.intake('Trần Văn B'), await a.intake('Trần Văn C')];
    a.start();
    await waitFor('good rows stored', async () => (await serverDocs(s)).length === 3);
    await waitFor('outbox empty', async () => (await a.store.pendingCount()) === 0);
    expect((await serverDocs(s)).sort()).toEqual([...good].sort());
    // The first batch carried the poison row and the good ones together, and was sent that many times.
    const first = pushed(a)[0];
    expect(first?.items.map((i) => i.doc).sort()).toEqual([bad, ...good].sort());
    expect(pushed(a).filter((p) => p.batchId === first?.batchId)).toHaveLength(REFUSALS_BEFORE_SPLIT);
    const aside = await a.store.db.aside.toArray();
    expect(aside.map((r) => [r.doc, r.code])).toEqual([[bad, CloseCode.Forbidden]]);
    // Kept on the device: still in the doc's updates.
    expect(await a.store.db.updates.where('doc').equals(bad).count()).toBe(1);
    await waitFor('status counts it', () => a.status?.setAside === 1 && a.status.pending === 0);
    expect(a.status?.setAsideCodes).toEqual([CloseCode.Forbidden]);
  });

  it('[S22] a batch refused as undecodable (4400) is set aside after the tries, and later intakes reach the server', async () => {
    const s = await setup();
    const a = await device(s);
    const bad = await poison(a, 'junk');
    a.start();
    await waitFor('set aside', async () => (await a.store.db.aside.count()) === 1);
    expect(pushed(a)).toHaveLength(REFUSALS_BEFORE_SPLIT);
    expect((await a.store.db.aside.toArray())[0]?.code).toBe(CloseCode.BadFrame);
    const later = [await a.intake('Lê Văn D'), await a.intake('Lê Văn E')];
    await waitFor('later intakes stored', async () => (await serverDocs(s)).length === 2);
    expect((await serverDocs(s)).sort()).toEqual([...later].sort());
    // Never sent again once set aside.
    const sentBad = pushed(a).filter((p) => p.items.some((i) => i.doc === bad));
    expect(sentBad).toHaveLength(REFUSALS_BEFORE_SPLIT);
  });

  it('[S22] a row over LIMITS.maxUpdateBytes is set aside without being sent, and the rows with it go on', async () => {
    const s = await setup();
    const a = await device(s);
    const huge = dossierDoc(UNIT);
    const data = fieldsUpdate({ note: 'x'.repeat(LIMITS.maxUpdateBytes + 10) });
    await a.store.db.outbox.add({ doc: huge, data, batchId: '' });
    const good = await a.intake('Phan Thị F');
    a.start();
    await waitFor('good row stored', async () => (await serverDocs(s)).includes(good));
    expect(pushed(a).some((p) => p.items.some((i) => i.doc === huge))).toBe(false);
    const aside = await a.store.db.aside.toArray();
    expect(aside.map((r) => [r.doc, r.code])).toEqual([[huge, CloseCode.MessageTooBig]]);
    await waitFor('outbox empty', async () => (await a.store.pendingCount()) === 0);
  });

  it('[S22] a later change of a doc whose earlier change was set aside is still sent and stored, and Yjs holds it pending', async () => {
    const s = await setup();
    const a = await device(s);
    const doc = await a.intake('Võ Thị G');
    a.start();
    await waitFor('intake stored', async () => (await a.store.pendingCount()) === 0);
    const writer = writerIdOf(a.info.deviceId);
    const event = (id: string): DossierEvent => ({ id, type: 'accepted', at: Date.now(), officer: 'o', device: a.info.deviceId });
    // A grant without its transfer event (refused, S20), then a step appended after that event.
    await a.store.commitToDoc(doc, (d) => ({ ok: true, update: appendEventUpdate(d, event('e2')), grant: OTHER_UNIT, result: null }), Date.now(), writer);
    await a.store.commitToDoc(doc, (d) => ({ ok: true, update: appendEventUpdate(d, event('e3')), result: null }), Date.now(), writer);
    a.client?.kick();
    await waitFor('outbox empty', async () => (await a.store.pendingCount()) === 0);
    expect((await a.store.db.aside.toArray()).map((r) => [r.code, r.grant])).toEqual([[CloseCode.UngrantedTransfer, OTHER_UNIT]]);
    const stored = (await s.store.readDocs([doc])).get(doc)?.rows ?? [];
    // The intake, its server stamp, and the later step: stored, but its clock follows the missing
    // update, so every replica (the server's too) keeps it pending and shows the intake alone.
    expect(stored).toHaveLength(3);
    const merged = docOf(stored);
    expect(eventsOf(merged).length).toBe(1);
    expect(merged.store.pendingStructs).not.toBeNull();
  });

  it('[S22] the device reports what it set aside, the server keeps it for the admins, and a reload keeps the rows, the count and the report', async () => {
    const s = await setup();
    const dbName = `poison-reload-${process.pid}`;
    const a = await device(s, new LocalStore(openDb(dbName)));
    const bad = await poison(a, 'foreign');
    a.start();
    await waitFor('report logged', () => s.logs.some((l) => l.includes('"device_set_aside"')));
    const kept = await s.store.getSetting(`device_report:${a.info.deviceId}`);
    const report = parseSetAsideReport(JSON.stringify((JSON.parse(kept ?? '{}') as { report?: unknown }).report ?? null));
    expect(report).toMatchObject({ rows: 1, docs: [bad], docCount: 1, codes: [CloseCode.Forbidden] });
    const res = await fetch(`${s.url}/api/admin/devices/reports`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(res.status).toBe(200);
    const listed = (await res.json()) as { device: string; report: { rows: number } }[];
    expect(listed.map((r) => [r.device, r.report.rows])).toEqual([[a.info.deviceId, 1]]);
    const refused = await fetch(`${s.url}/api/admin/devices/reports`);
    expect(refused.status).toBe(401);

    // The laptop restarts: the same database opened again, a new client.
    a.stop();
    a.store.db.close();
    const reopened = new LocalStore(openDb(dbName));
    expect(await reopened.db.aside.count()).toBe(1);
    const registered = await s.store.getDevice(a.info.deviceId);
    if (registered === null) throw new Error('device lost');
    const b = new NodeDevice({ device: registered, token: a.info.token }, s.wsUrl, reopened);
    devices.push(b);
    b.start();
    await waitFor('status after reload', () => b.status?.phase === 'online' && b.status.setAside === 1);
    // Reported again at the new connection, from what the reopened database holds.
    await waitFor('reported again', () => s.logs.filter((l) => l.includes('"device_set_aside"')).length >= 2);
    expect(b.wire.sent.some((m) => m.type === MsgType.Error)).toBe(true);
    expect(pushed(b).some((p) => p.items.some((i) => i.doc === bad))).toBe(false);
  });
});
