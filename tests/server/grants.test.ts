/** [S12] Any-center intake: a dossier transferred to another commune, over /sync and /yjs. */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { CloseCode, MsgType, PATHS } from '../../src/protocol/constants.ts';
import type { PullItem } from '../../src/protocol/messages.ts';
import { encodeSync } from '../../sync-server/live-protocol.ts';
import { SERVER_DEVICE } from '../../sync-server/store/server-rows.ts';
import {
  addDevice,
  addTransfer,
  change,
  deviceDoc,
  docOf,
  dossierDoc,
  fieldsUpdate,
  OTHER_UNIT,
  pullAll,
  startTestServer,
  SyncTestClient,
  THIRD_UNIT,
  type TestDevice,
  type TestServer,
  writerOf,
} from './helpers.ts';

let t: TestServer | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

const connect = SyncTestClient.welcomed;

function fieldsOf(items: readonly PullItem[], doc: string): Record<string, unknown> {
  return docOf(items.filter((it) => it.doc === doc).map((it) => it.update)).getMap('f').toJSON();
}

/** An edit by `by` made on top of what it pulled: causally after it, as a device's would be. */
function editAfter(items: readonly PullItem[], by: TestDevice, edit: (doc: Y.Doc) => void): Uint8Array {
  const doc = docOf(items.map((it) => it.update));
  // Set after loading, as devices do (src/worker/dossier-doc.ts docFromUpdates).
  doc.clientID = writerOf(by);
  return change(doc, edit);
}

/** The close code of a raw /yjs connection to `doc`. */
function liveClose(server: TestServer, token: string, doc: string): Promise<number> {
  const ws = new WebSocket(`${server.wsUrl}${PATHS.yjs}/${doc}`, { headers: { authorization: `Bearer ${token}` } });
  ws.on('error', () => undefined);
  return new Promise((resolve) => ws.on('close', (code) => resolve(code)));
}

/** Opens /yjs on `doc` and returns the first sync step 2's content as a Y.Doc (what the server holds). */
async function liveState(server: TestServer, token: string, doc: string): Promise<Y.Doc> {
  const ws = new WebSocket(`${server.wsUrl}${PATHS.yjs}/${doc}`, { headers: { authorization: `Bearer ${token}` } });
  const mine = new Y.Doc();
  await new Promise((resolve) => ws.once('open', resolve));
  ws.send(encodeSync((enc) => syncProtocol.writeSyncStep1(enc, mine)));
  await new Promise<void>((resolve) => {
    ws.on('message', (data: Buffer) => {
      const dec = decoding.createDecoder(new Uint8Array(data));
      if (decoding.readVarUint(dec) !== 0) return;
      const sub = syncProtocol.readSyncMessage(dec, encoding.createEncoder(), mine, null);
      if (sub === syncProtocol.messageYjsSyncStep2) resolve();
    });
  });
  ws.close();
  return mine;
}

describe('[S12] a granted unit reads and writes a transferred dossier; no other unit does', () => {
  it('the granted commune pulls the history it never had, above its cursor, then every later change', async () => {
    t = await startTestServer();
    const [a, b, b2, c] = await Promise.all([
      addDevice(t.store),
      addDevice(t.store, OTHER_UNIT),
      addDevice(t.store, OTHER_UNIT),
      addDevice(t.store, THIRD_UNIT),
    ]);
    const ca = await connect(t, a.token);
    const cb = await connect(t, b.token);
    const doc = dossierDoc();
    const other = dossierDoc();
    const mine = deviceDoc(a);
    const intake = change(mine, (d) => {
      d.getMap('f').set('name', 'Trần Thị Bưởi');
      d.getMap('f').set('status', 'received');
    });
    ca.send({
      type: MsgType.Push,
      batchId: 'intake',
      items: [
        { doc, update: intake },
        { doc: other, update: fieldsUpdate({ name: 'Không chuyển' }, a) },
      ],
    });
    await ca.next(MsgType.PushAck);
    // B's devices are past those rows and saw none of them.
    const before = await pullAll(cb, 100);
    expect(before.items).toEqual([]);

    // The transfer: a later batch carries the grant with its event (S20), and a change made with it.
    const transfer = change(mine, (d) => {
      d.getMap('f').set('transferredTo', OTHER_UNIT);
      addTransfer(d, OTHER_UNIT);
    });
    ca.send({ type: MsgType.Push, batchId: 'transfer', items: [{ doc, update: transfer }], grants: [{ doc, unit: OTHER_UNIT }] });
    await ca.next(MsgType.PushAck);
    await cb.next(MsgType.Notify);
    const history = await pullAll(cb, 100, before.cursor);
    expect(history.items.map((it) => it.doc)).toEqual([doc]);
    expect(fieldsOf(history.items, doc)).toEqual({ name: 'Trần Thị Bưởi', status: 'received', transferredTo: OTHER_UNIT });
    expect(await t.store.listGrants(doc)).toEqual([{ doc, unit: OTHER_UNIT, device: a.device.id, grantedAt: expect.any(Number) }]);

    // B writes; A and B's other device get it, B's writer does not get its own row back.
    const accepted = editAfter(history.items, b, (d) => d.getMap('f').set('status', 'accepted'));
    cb.send({ type: MsgType.Push, batchId: 'b-accept', items: [{ doc, update: accepted }] });
    expect((await cb.next(MsgType.PushAck)).seqs).toHaveLength(1);
    await ca.next(MsgType.Notify);
    const atA = await pullAll(ca, 100);
    // The accepted row and the stamp of the transfer event (S13).
    expect(atA.items.map((it) => it.doc)).toEqual([doc]);
    expect(docOf([intake, transfer, ...atA.items.map((it) => it.update)]).getMap('f').get('status')).toBe('accepted');
    expect((await pullAll(cb, 100, history.cursor)).items).toEqual([]);
    const cb2 = await connect(t, b2.token);
    const atB2 = await pullAll(cb2, 100);
    expect(atB2.items.every((it) => it.doc === doc)).toBe(true);
    expect(fieldsOf(atB2.items, doc)).toEqual({ name: 'Trần Thị Bưởi', status: 'accepted', transferredTo: OTHER_UNIT });

    // B opens it live; A's other dossier stays closed to B, and the third commune gets nothing at all.
    expect((await liveState(t, b.token, doc)).getMap('f').get('status')).toBe('accepted');
    expect(await liveClose(t, b.token, other)).toBe(CloseCode.Forbidden);
    expect(await liveClose(t, c.token, doc)).toBe(CloseCode.Forbidden);
    const cc = await connect(t, c.token);
    expect((await pullAll(cc, 100)).items).toEqual([]);
    cc.send({ type: MsgType.Push, batchId: 'c', items: [{ doc, update: fieldsUpdate({ status: 'stolen' }) }] });
    expect((await cc.closed).code).toBe(CloseCode.Forbidden);
    for (const x of [ca, cb, cb2]) x.close();
  });

  it('a granted unit may pass the dossier on; grants are idempotent and one to the home unit changes nothing', async () => {
    t = await startTestServer();
    const [a, b, c] = await Promise.all([addDevice(t.store), addDevice(t.store, OTHER_UNIT), addDevice(t.store, THIRD_UNIT)]);
    const ca = await connect(t, a.token);
    const doc = dossierDoc();
    const mine = deviceDoc(a);
    const g1 = change(mine, (d) => {
      d.getMap('f').set('n', 1);
      addTransfer(d, OTHER_UNIT);
    });
    ca.send({ type: MsgType.Push, batchId: 'g1', items: [{ doc, update: g1 }], grants: [{ doc, unit: OTHER_UNIT }] });
    await ca.next(MsgType.PushAck);
    const head = await t.store.headSeq();
    expect(head).toBe(3); // the row, its event's stamp, and B's history row (which holds both)
    // Stored grants need no event again (a re-send, S20); one to the home unit writes nothing.
    ca.send({ type: MsgType.Push, batchId: 'g2', items: [], grants: [{ doc, unit: OTHER_UNIT }, { doc, unit: a.device.unit }] });
    expect(await ca.next(MsgType.PushAck)).toMatchObject({ seqs: [], headSeq: head });

    const cb = await connect(t, b.token);
    const onward = editAfter((await pullAll(cb, 100)).items, b, (d) => addTransfer(d, THIRD_UNIT));
    cb.send({ type: MsgType.Push, batchId: 'onward', items: [{ doc, update: onward }], grants: [{ doc, unit: THIRD_UNIT }] });
    await cb.next(MsgType.PushAck);
    expect((await t.store.listGrants(doc)).map((g) => g.unit)).toEqual([OTHER_UNIT, THIRD_UNIT]);
    const cc = await connect(t, c.token);
    const atC = await pullAll(cc, 100);
    expect(atC.items.map((it) => it.doc)).toEqual([doc]);
    expect(fieldsOf(atC.items, doc)).toEqual({ n: 1 });
    const rows = await t.store.readSince({ units: [THIRD_UNIT], since: 0, limit: 10 });
    expect(rows.rows.map((r) => r.device)).toEqual([SERVER_DEVICE]);
    for (const x of [ca, cb, cc]) x.close();
  });

  it('refuses a grant of a doc outside the scope (4403) or to an unknown unit (4400), writing nothing of the batch', async () => {
    t = await startTestServer();
    const [a, b] = await Promise.all([addDevice(t.store), addDevice(t.store, OTHER_UNIT)]);
    const foreign = dossierDoc(OTHER_UNIT);
    const ca = await connect(t, a.token);
    // Granting oneself a stranger's dossier is the same as writing it.
    ca.send({ type: MsgType.Push, batchId: 'steal', items: [{ doc: dossierDoc(), update: fieldsUpdate({ a: 1 }) }], grants: [{ doc: foreign, unit: a.device.unit }] });
    expect((await ca.closed).code).toBe(CloseCode.Forbidden);
    const again = await connect(t, a.token);
    again.send({ type: MsgType.Push, batchId: 'nowhere', items: [{ doc: dossierDoc(), update: fieldsUpdate({ a: 1 }) }], grants: [{ doc: dossierDoc(), unit: '99999' }] });
    expect((await again.closed).code).toBe(CloseCode.BadFrame);
    expect(await t.store.headSeq()).toBe(0);
    expect(await t.store.listGrants(foreign)).toEqual([]);
    const cb = await connect(t, b.token);
    expect((await pullAll(cb, 10)).items).toEqual([]);
    cb.close();
  });

  it('a department device reads a granted dossier once, not once per unit', async () => {
    t = await startTestServer();
    const [a, dept] = await Promise.all([addDevice(t.store), addDevice(t.store, OTHER_UNIT, 'department')]);
    const ca = await connect(t, a.token);
    const doc = dossierDoc();
    const mine = deviceDoc(a);
    const g = change(mine, (d) => {
      d.getMap('f').set('n', 1);
      addTransfer(d, OTHER_UNIT);
    });
    ca.send({ type: MsgType.Push, batchId: 'g', items: [{ doc, update: g }], grants: [{ doc, unit: OTHER_UNIT }] });
    await ca.next(MsgType.PushAck);
    ca.send({ type: MsgType.Push, batchId: 'h', items: [{ doc, update: change(mine, (d) => d.getMap('f').set('n', 2)) }] });
    await ca.next(MsgType.PushAck);
    // g: its row (1), its event's stamp (2), B's history row (3); h: its row (4) and B's copy (5).
    expect(await t.store.headSeq()).toBe(5);
    const cd = await connect(t, dept.token);
    cd.send({ type: MsgType.Pull, since: 0, limit: 100 });
    const page = await cd.next(MsgType.PullBatch);
    expect(page.items).toHaveLength(1);
    expect(page.items[0]?.seq).toBe(4);
    expect(page.cursor).toBe(4);
    for (const x of [ca, cd]) x.close();
  });
});
