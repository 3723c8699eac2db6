/** Pulling over /sync: pages merged per doc, scope, the device's own rows, the cursor. */
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { LIMITS, MsgType } from '../../src/protocol/constants.ts';
import {
  addDevice,
  dossierDoc,
  OTHER_UNIT,
  pullAll,
  readFields,
  startTestServer,
  SyncTestClient,
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

/** Two edits of each of `n` dossier docs from device `by` on `c`, pushed in batches of 100 items. */
async function pushDossiers(c: SyncTestClient, by: TestDevice, n: number, unit?: string): Promise<string[]> {
  const docs = Array.from({ length: n }, () => dossierDoc(unit));
  const items = docs.flatMap((doc, i) => {
    const y = new Y.Doc();
    y.clientID = writerOf(by);
    const edits: Uint8Array[] = [];
    y.on('update', (u: Uint8Array) => edits.push(u));
    y.getMap('f').set('name', `hồ sơ ${i}`);
    y.getMap('f').set('status', 'received');
    return edits.map((update) => ({ doc, update }));
  });
  for (let i = 0; i < items.length; i += 100) {
    c.send({ type: MsgType.Push, batchId: `p-${i}`, items: items.slice(i, i + 100) });
    await c.next(MsgType.PushAck);
  }
  return docs;
}

describe('/sync pull', () => {
  it('[S7] brings N changed dossiers in a few round trips, merged per doc', async () => {
    t = await startTestServer();
    const [a, b] = await Promise.all([addDevice(t.store), addDevice(t.store)]);
    const ca = await connect(t, a.token);
    const docs = await pushDossiers(ca, a, 300);
    const head = await t.store.headSeq();
    expect(head).toBe(600);

    const cb = await connect(t, b.token);
    const one = await pullAll(cb, LIMITS.maxPullRows);
    expect(one.trips).toBe(1);
    expect(one.items).toHaveLength(300);
    expect(one.cursor).toBe(head);
    expect(new Set(one.items.map((it) => it.doc))).toEqual(new Set(docs));
    const first = one.items.find((it) => it.doc === docs[7]);
    expect(first?.seq).toBe(16);
    expect(readFields([first?.update ?? new Uint8Array()])).toEqual({ name: 'hồ sơ 7', status: 'received' });

    const paged = await pullAll(cb, 100);
    expect(paged.trips).toBe(Math.ceil(600 / 100));
    expect(paged.cursor).toBe(head);
    const byDoc = new Map<string, Uint8Array[]>();
    for (const it of paged.items) byDoc.set(it.doc, [...(byDoc.get(it.doc) ?? []), it.update]);
    expect(byDoc.size).toBe(300);
    expect(readFields(byDoc.get(docs[299] ?? '') ?? [])).toEqual({ name: 'hồ sơ 299', status: 'received' });

    // Resuming from the last cursor brings nothing new.
    expect(await pullAll(cb, 100, paged.cursor)).toMatchObject({ items: [], cursor: head, trips: 1 });
    ca.close();
    cb.close();
  });

  it('skips the rows the device pushed itself, and still moves its cursor past them', async () => {
    t = await startTestServer();
    const a = await addDevice(t.store);
    const ca = await connect(t, a.token);
    await pushDossiers(ca, a, 5);
    expect(await pullAll(ca, 3)).toEqual({ items: [], cursor: 10, trips: 1 });
    ca.close();
  });

  it('[S9] never returns another commune’s rows; a department device gets every commune', async () => {
    t = await startTestServer();
    const [a, b, other, dept] = await Promise.all([
      addDevice(t.store),
      addDevice(t.store),
      addDevice(t.store, OTHER_UNIT),
      addDevice(t.store, OTHER_UNIT, 'department'),
    ]);
    const ca = await connect(t, a.token);
    const co = await connect(t, other.token);
    const mine = await pushDossiers(ca, a, 3);
    const theirs = await pushDossiers(co, other, 4, OTHER_UNIT);

    const cb = await connect(t, b.token);
    const got = await pullAll(cb, 1);
    expect(new Set(got.items.map((it) => it.doc))).toEqual(new Set(mine));
    // The cursor stops at the last row of its scope (6), not at the head (14, the other commune's rows).
    expect(got.cursor).toBe(6);

    const fromOther = await pullAll(co, 50);
    expect(fromOther.items).toEqual([]);

    const cd = await connect(t, dept.token);
    const all = await pullAll(cd, 50);
    expect(new Set(all.items.map((it) => it.doc))).toEqual(new Set([...mine, ...theirs]));
    for (const c of [ca, cb, co, cd]) c.close();
  });
});
