/** [S19] [S8] [S21] The /yjs endpoint checks a live update as a Push is checked (trust.ts). */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { CloseCode, LIMITS, PATHS } from '../../src/protocol/constants.ts';
import { liveWriterIdOf, writerIdOf } from '../../src/worker/dossier-doc.ts';
import { encodeSync } from '../../sync-server/live-protocol.ts';
import { STAMP_MAP } from '../../sync-server/store/server-rows.ts';
import { addDevice, docOf, dossierDoc, refusals, startTestServer, UNIT, type TestDevice, type TestServer } from './helpers.ts';

let t: TestServer | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

const QUEUE_DOC = `${UNIT}/queue/2026-12-01`;

interface Live {
  readonly ws: WebSocket;
  readonly closed: Promise<number>;
  /** Sends a Yjs update as a y-websocket client does (sync message "update"). */
  update(update: Uint8Array): void;
}

/** A raw y-websocket client of `doc`, open once the server greeted it. */
async function live(server: TestServer, by: TestDevice, doc: string): Promise<Live> {
  const ws = new WebSocket(`${server.wsUrl}${PATHS.yjs}/${doc}`, { headers: { authorization: `Bearer ${by.token}` } });
  ws.on('error', () => undefined);
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  await new Promise((resolve) => ws.once('message', resolve));
  return { ws, closed, update: (u) => ws.send(encodeSync((enc) => syncProtocol.writeUpdate(enc, u))) };
}

/** An update setting `key` in the root map `root`, by client `client`. */
function setBy(client: number, root: string, key: string, value: unknown): Uint8Array {
  const y = new Y.Doc();
  y.clientID = client;
  y.getMap(root).set(key, value);
  return Y.encodeStateAsUpdate(y);
}

describe('/yjs applies the checks of a Push', () => {
  it('[S19] a random client id (a stock Y.Doc) closes 4421 and stores nothing; an owned live slot in the same room is stored', async () => {
    t = await startTestServer();
    const a = await addDevice(t.store);
    const bad = await live(t, a, QUEUE_DOC);
    bad.update(setBy(new Y.Doc().clientID, 'queue', 'called', 1));
    expect(await bad.closed).toBe(CloseCode.ForeignWriter);
    expect(await t.store.readDoc(QUEUE_DOC)).toEqual([]);
    expect(refusals(t)).toEqual([expect.objectContaining({ device: a.device.id, code: CloseCode.ForeignWriter, rule: 'S19' })]);

    const good = await live(t, a, QUEUE_DOC);
    good.update(setBy(liveWriterIdOf(a.device.id, 3), 'queue', 'called', 2));
    const store = t.store;
    await expect.poll(async () => docOf(await store.readDoc(QUEUE_DOC)).getMap('queue').get('called')).toBe(2);
    // Another device's id is as foreign as a random one.
    const b = await addDevice(t.store);
    good.update(setBy(writerIdOf(b.device.id), 'queue', 'called', 3));
    expect(await good.closed).toBe(CloseCode.ForeignWriter);
    expect(docOf(await t.store.readDoc(QUEUE_DOC)).getMap('queue').get('called')).toBe(2);
  });

  it('[S8] a dossier update naming a root dossiers do not have closes 4400 (the roots check a Push has)', async () => {
    t = await startTestServer();
    const a = await addDevice(t.store);
    const doc = dossierDoc();
    const c = await live(t, a, doc);
    c.update(setBy(writerIdOf(a.device.id), 'notes', 'x', 1));
    expect(await c.closed).toBe(CloseCode.BadFrame);
    expect(await t.store.readDoc(doc)).toEqual([]);
  });

  it('[S19] a live write in `st` closes 4422 and stores nothing', async () => {
    t = await startTestServer();
    const a = await addDevice(t.store);
    const doc = dossierDoc();
    const c = await live(t, a, doc);
    c.update(setBy(writerIdOf(a.device.id), STAMP_MAP, 'e1', 1));
    expect(await c.closed).toBe(CloseCode.ServerRoot);
    expect(await t.store.readDoc(doc)).toEqual([]);
  });

  it('[S21] a live update that would take the doc past LIMITS.maxDocUpdates rows closes 4413 and stores nothing', async () => {
    t = await startTestServer();
    const a = await addDevice(t.store);
    const writer = new Y.Doc();
    writer.clientID = liveWriterIdOf(a.device.id, 1);
    const rows: Uint8Array[] = [];
    writer.on('update', (u: Uint8Array) => rows.push(u));
    for (let i = 0; i < LIMITS.maxDocUpdates; i++) writer.getMap('queue').set('n', i);
    await t.store.appendBatch('another-device', 'full', rows.map((data) => ({ doc: QUEUE_DOC, unit: UNIT, data })));
    const c = await live(t, a, QUEUE_DOC);
    rows.length = 0;
    writer.getMap('queue').set('n', -1);
    c.update(rows[0] ?? new Uint8Array());
    expect(await c.closed).toBe(CloseCode.DocTooLarge);
    expect(await t.store.readDoc(QUEUE_DOC)).toHaveLength(LIMITS.maxDocUpdates);
    expect(refusals(t)).toEqual([expect.objectContaining({ code: CloseCode.DocTooLarge, rule: 'S21' })]);
  });
});
