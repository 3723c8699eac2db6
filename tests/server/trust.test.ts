/** [S19] [S20] What a device may write over /sync: its own client ids, never the server's `st`, grants only with their transfer. */
import { afterEach, describe, expect, it } from 'vitest';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { CloseCode, MsgType } from '../../src/protocol/constants.ts';
import { EPOCH_SETTING } from '../../sync-server/epoch.ts';
import { STAMP_MAP } from '../../sync-server/store/server-rows.ts';
import { checkDocUpdates } from '../../sync-server/trust.ts';
import { MemoryStore } from '../../sync-server/store/memory.ts';
import {
  addDevice,
  addTransfer,
  change,
  deviceDoc,
  docOf,
  dossierDoc,
  dossierEvent,
  fieldsUpdate,
  OTHER_UNIT,
  pullAll,
  refusals,
  startTestServer,
  SyncTestClient,
  THIRD_UNIT,
  type TestDevice,
  type TestServer,
} from './helpers.ts';

let t: TestServer | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

const connect = SyncTestClient.welcomed;

/** Pushes one batch and says how it ended: the ack's seqs, or the close code. */
async function pushEnds(server: TestServer, by: TestDevice, items: { doc: string; update: Uint8Array }[], grants: { doc: string; unit: string }[] = []): Promise<number | 'ack'> {
  const c = await connect(server, by.token);
  c.send({ type: MsgType.Push, batchId: `b-${Math.random()}`, items, grants });
  const ended = await c.next(MsgType.PushAck).then(
    () => 'ack' as const,
    async () => (await c.closed).code,
  );
  c.close();
  return ended;
}

/** An honest device is still served: a dossier of its own is acknowledged. */
async function stillServes(server: TestServer): Promise<void> {
  const honest = await addDevice(server.store);
  expect(await pushEnds(server, honest, [{ doc: dossierDoc(), update: fieldsUpdate({ name: 'An' }, honest) }])).toBe('ack');
}

/** A store whose epoch record names another copy: it starts with a new epoch whose parent is 'old' (a restore, S17). */
async function restoredStore(): Promise<MemoryStore> {
  const store = new MemoryStore();
  const record = { epoch: 'old', parentEpoch: '', forkSeq: 0, fingerprint: 'another copy', restore: '' };
  await store.setSetting(EPOCH_SETTING, JSON.stringify(record));
  return store;
}

describe('[S19] a device writes only with its own client ids', () => {
  it('[S19] an update with another client id closes 4421, writes nothing of the batch, is logged, and the server serves others', async () => {
    t = await startTestServer();
    const [a, b] = await Promise.all([addDevice(t.store), addDevice(t.store)]);
    const own = dossierDoc();
    // Its own dossier first, then one written as device b: the whole batch is refused.
    const ended = await pushEnds(t, a, [
      { doc: own, update: fieldsUpdate({ name: 'An' }, a) },
      { doc: dossierDoc(), update: fieldsUpdate({ name: 'Giả' }, b) },
    ]);
    expect(ended).toBe(CloseCode.ForeignWriter);
    expect(await t.store.headSeq()).toBe(0);
    expect(await t.store.readDoc(own)).toEqual([]);
    expect(refusals(t)).toEqual([{ device: a.device.id, unit: a.device.unit, code: CloseCode.ForeignWriter, rule: 'S19' }].map((r) => expect.objectContaining(r)));
    // A random id (a stock Y.Doc) is as foreign as another device's.
    expect(await pushEnds(t, a, [{ doc: dossierDoc(), update: fieldsUpdate({ name: 'Ngẫu nhiên' }) }])).toBe(CloseCode.ForeignWriter);
    await stillServes(t);
  });

  it('[S19] sending back what the server holds of others passes: a device pushes the whole doc it pulled, with its own edit', async () => {
    t = await startTestServer();
    const [a, b] = await Promise.all([addDevice(t.store), addDevice(t.store)]);
    const doc = dossierDoc();
    expect(await pushEnds(t, a, [{ doc, update: fieldsUpdate({ name: 'An' }, a) }])).toBe('ack');
    const cb = await connect(t, b.token);
    const pulled = docOf((await pullAll(cb, 100)).items.map((it) => it.update));
    cb.close();
    pulled.clientID = deviceDoc(b).clientID;
    pulled.getMap('f').set('phone', '0905');
    // Y.encodeStateAsUpdate with no state vector: a's items again, and b's new one (a step 2 sends this).
    expect(await pushEnds(t, b, [{ doc, update: Y.encodeStateAsUpdate(pulled) }])).toBe('ack');
    expect(docOf(await t.store.readDoc(doc)).getMap('f').toJSON()).toEqual({ name: 'An', phone: '0905' });
    // But an item of a past the clock the server holds is new, and foreign.
    const forged = docOf(await t.store.readDoc(doc));
    forged.clientID = deviceDoc(a).clientID;
    forged.getMap('f').set('name', 'Giả');
    expect(await pushEnds(t, b, [{ doc, update: Y.encodeStateAsUpdate(forged) }])).toBe(CloseCode.ForeignWriter);
    expect(docOf(await t.store.readDoc(doc)).getMap('f').get('name')).toBe('An');
  });

  it('[S19] writing in `st`, or deleting a server stamp there, closes 4422 and writes nothing', async () => {
    t = await startTestServer();
    const a = await addDevice(t.store);
    const doc = dossierDoc();
    const mine = deviceDoc(a);
    const first = change(mine, (d) => d.getArray('events').push([dossierEvent('e1')]));
    expect(await pushEnds(t, a, [{ doc, update: first }])).toBe('ack');
    const head = await t.store.headSeq();
    // A stamp of its own choosing, with its own client id, placed first (names `st`) or next to the
    // server's (names only its neighbour).
    Y.applyUpdate(mine, Y.mergeUpdates(await t.store.readDoc(doc)));
    mine.clientID = deviceDoc(a).clientID;
    const forged = change(mine, (d) => d.getMap(STAMP_MAP).set('e1', 1));
    expect(await pushEnds(t, a, [{ doc, update: forged }])).toBe(CloseCode.ServerRoot);
    const fresh = deviceDoc(a);
    fresh.getMap(STAMP_MAP).set('e9', 1);
    expect(await pushEnds(t, a, [{ doc: dossierDoc(), update: Y.encodeStateAsUpdate(fresh) }])).toBe(CloseCode.ServerRoot);
    // Deleting the server's stamp: a delete set naming its item.
    const held = docOf(await t.store.readDoc(doc));
    held.clientID = deviceDoc(a).clientID;
    const deletion = change(held, (d) => d.getMap(STAMP_MAP).delete('e1'));
    expect(await pushEnds(t, a, [{ doc, update: deletion }])).toBe(CloseCode.ServerRoot);
    expect(await t.store.headSeq()).toBe(head);
    expect(typeof docOf(await t.store.readDoc(doc)).getMap(STAMP_MAP).get('e1')).toBe('number');
    expect(refusals(t).map((r) => [r.code, r.rule])).toEqual(Array.from({ length: 3 }, () => [CloseCode.ServerRoot, 'S19']));
    // Deleting anyone's field is allowed (an officer clears another's entry).
    const other = await addDevice(t.store);
    const cleared = docOf(await t.store.readDoc(doc));
    cleared.clientID = deviceDoc(other).clientID;
    expect(await pushEnds(t, other, [{ doc, update: change(cleared, (d) => d.getArray('events').delete(0, 1)) }])).toBe('ack');
  });

  it('[S19] within the restore window after a new epoch, others\' items and stamps are taken and logged; outside it, refused', async () => {
    const sentBack = (): { doc: string; update: Uint8Array } => {
      // What a device holds of a dossier the restored copy lost: another device's intake and the stamp.
      const y = new Y.Doc();
      y.getArray('events').push([dossierEvent('lost')]);
      y.getMap(STAMP_MAP).set('lost', 1_700_000_000_000);
      return { doc: dossierDoc(), update: Y.encodeStateAsUpdate(y) };
    };
    t = await startTestServer({ store: await restoredStore() });
    const inWindow = await addDevice(t.store);
    const back = sentBack();
    expect(await pushEnds(t, inWindow, [back])).toBe('ack');
    expect(docOf(await t.store.readDoc(back.doc)).getMap(STAMP_MAP).get('lost')).toBe(1_700_000_000_000);
    const accepted = t.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.ev === 'restore_accept');
    expect(accepted).toEqual([expect.objectContaining({ device: inWindow.device.id, docs: 1, foreign: 1, serverRoot: 1 })]);
    // The carried stamp is not stamped again (S13).
    expect((await t.store.readDoc(back.doc)).length).toBe(1);
    await t.close();

    // The window closed (0 days): the same send-back is refused.
    t = await startTestServer({ store: await restoredStore(), restoreWindowMs: 0 });
    const late = await addDevice(t.store);
    expect(await pushEnds(t, late, [sentBack()])).toBe(CloseCode.ServerRoot);
    // A store that began empty has no window at all.
    await t.close();
    t = await startTestServer();
    const fresh = await addDevice(t.store);
    expect(await pushEnds(t, fresh, [sentBack()])).toBe(CloseCode.ServerRoot);
  });
});

describe('[S20] a grant needs its transfer event in the same batch', () => {
  it('[S20] a grant without the event, or with an event naming another unit, closes 4423 and writes nothing; with it, the grant is stored, and a re-send needs no event', async () => {
    t = await startTestServer();
    const a = await addDevice(t.store);
    const doc = dossierDoc();
    const mine = deviceDoc(a);
    const intake = change(mine, (d) => d.getMap('f').set('name', 'An'));
    expect(await pushEnds(t, a, [{ doc, update: intake }], [{ doc, unit: OTHER_UNIT }])).toBe(CloseCode.UngrantedTransfer);
    expect(await t.store.headSeq()).toBe(0);
    // Now stored without a grant; a grant alone, or with a transfer to a third commune, is refused.
    expect(await pushEnds(t, a, [{ doc, update: intake }])).toBe('ack');
    const head = await t.store.headSeq();
    expect(await pushEnds(t, a, [], [{ doc, unit: OTHER_UNIT }])).toBe(CloseCode.UngrantedTransfer);
    const toThird = docOf(await t.store.readDoc(doc));
    toThird.clientID = deviceDoc(a).clientID;
    const third = change(toThird, (d) => addTransfer(d, THIRD_UNIT));
    expect(await pushEnds(t, a, [{ doc, update: third }], [{ doc, unit: OTHER_UNIT }])).toBe(CloseCode.UngrantedTransfer);
    expect(await t.store.headSeq()).toBe(head);
    expect(await t.store.listGrants(doc)).toEqual([]);
    expect(refusals(t).map((r) => [r.code, r.rule])).toEqual(Array.from({ length: 3 }, () => [CloseCode.UngrantedTransfer, 'S20']));

    // The transfer to OTHER_UNIT with its grant is stored; sent again alone (a reconcile), it passes.
    const toOther = docOf(await t.store.readDoc(doc));
    toOther.clientID = deviceDoc(a).clientID;
    const transfer = change(toOther, (d) => addTransfer(d, OTHER_UNIT));
    expect(await pushEnds(t, a, [{ doc, update: transfer }], [{ doc, unit: OTHER_UNIT }])).toBe('ack');
    expect((await t.store.listGrants(doc)).map((g) => g.unit)).toEqual([OTHER_UNIT]);
    expect(await pushEnds(t, a, [], [{ doc, unit: OTHER_UNIT }])).toBe('ack');
  });
});

describe('[S19] checkDocUpdates, on its own', () => {
  const doc = dossierDoc();
  const owned = (client: number): { owned: ReadonlySet<number>; restoreWindow: boolean } => ({ owned: new Set([client]), restoreWindow: false });
  const stored = (base: Y.Doc | null): { rows: number; bytes: number; base: () => Y.Doc | null } => ({ rows: 1, bytes: 1, base: () => base });

  it('[S19] follows nesting: an item written into a type that hangs under `st` is a write in `st`', () => {
    const server = new Y.Doc();
    const nested = new Y.Map<number>();
    server.getMap(STAMP_MAP).set('box', nested);
    const device = new Y.Doc();
    Y.applyUpdate(device, Y.encodeStateAsUpdate(server));
    device.clientID = 7;
    const before = Y.encodeStateVector(device);
    (device.getMap(STAMP_MAP).get('box') as Y.Map<number>).set('e1', 1);
    const update = Y.encodeStateAsUpdate(device, before);
    expect(() => checkDocUpdates(doc, [update], stored(server), owned(7))).toThrow(expect.objectContaining({ closeCode: CloseCode.ServerRoot }));
    // The same write in a field map is the device's own business.
    const fields = new Y.Doc();
    fields.clientID = 7;
    fields.getMap('f').set('box', 1);
    expect(checkDocUpdates(doc, [Y.encodeStateAsUpdate(fields)], stored(server), owned(7))).toMatchObject({ foreign: 0, serverRoot: 0 });
  });

  it('[S19] a delete set naming the stored stamp among thousands of repeated ranges is caught in one pass', () => {
    const server = new Y.Doc();
    server.getMap(STAMP_MAP).set('e1', 1);
    const stampItem = [...server.store.clients.values()][0]?.[0];
    expect(stampItem).toBeDefined();
    // A v1 update by hand: no structs, one client in the delete set with its ranges (clock, length).
    const enc = encoding.createEncoder();
    encoding.writeVarUint(enc, 0);
    encoding.writeVarUint(enc, 1);
    encoding.writeVarUint(enc, stampItem?.id.client ?? 0);
    encoding.writeVarUint(enc, 20_000);
    for (let i = 0; i < 20_000; i++) {
      encoding.writeVarUint(enc, stampItem?.id.clock ?? 0);
      encoding.writeVarUint(enc, 1);
    }
    const update = encoding.toUint8Array(enc);
    const started = performance.now();
    expect(() => checkDocUpdates(doc, [update], stored(server), owned(7))).toThrow(expect.objectContaining({ closeCode: CloseCode.ServerRoot }));
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
