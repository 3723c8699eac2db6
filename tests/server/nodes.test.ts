/**
 * Two server nodes on one PostgreSQL (rule S15): any device on any node, commits cross by
 * LISTEN/NOTIFY, and a node that lost its listener or restarted misses nothing.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { CloseCode, MsgType, PATHS } from '../../src/protocol/constants.ts';
import { PgFanout } from '../../sync-server/pg-fanout.ts';
import { PgStore } from '../../sync-server/store/pg.ts';
import { createTestDatabase, type TestDatabase } from '../support/pg.ts';
import { addDevice, dossierDoc, dossierEvent, fieldsUpdate, pullAll, startTestServer, SyncTestClient, UNIT, writerOf, type TestDevice, type TestServer } from './helpers.ts';
import { liveWriterIdOf } from '../../src/worker/dossier-doc.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
}, 60_000);
afterAll(async () => {
  await db.drop();
});

interface Node {
  readonly t: TestServer;
  readonly store: PgStore;
  readonly fanout: PgFanout | null;
  close(): Promise<void>;
}

const open: Node[] = [];
const providers: WebsocketProvider[] = [];
afterEach(async () => {
  for (const p of providers.splice(0)) p.destroy();
  for (const n of open.splice(0)) await n.close();
});

let schemaSerial = 0;
const newSchema = (): string => `nodes_${++schemaSerial}`;

/** One node: its own pool, fan-out and HTTP server, on the shared schema. */
async function startNode(schema: string, pollMs = 60_000): Promise<Node> {
  const store = await PgStore.open({ connectionString: db.url, schema, max: 4 });
  let fanout: PgFanout | null = null;
  const t = await startTestServer({
    store,
    cluster: async (hub, log) => (fanout = await PgFanout.start(store, hub, log, { pollMs, reconnectMs: 50 })),
  });
  const node: Node = {
    t,
    store,
    fanout,
    close: async () => {
      await t.close();
      await store.close();
    },
  };
  open.push(node);
  return node;
}

/** Two nodes on a fresh schema, and two devices of UNIT (enrolled through node 1, known to both). */
async function twoNodes(): Promise<{ n1: Node; n2: Node; a: TestDevice; b: TestDevice }> {
  const schema = newSchema();
  const n1 = await startNode(schema);
  const n2 = await startNode(schema);
  return { n1, n2, a: await addDevice(n1.store), b: await addDevice(n1.store) };
}

function within<T>(ms: number, p: Promise<T>, what: string): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms))]);
}

async function push(c: SyncTestClient, doc: string, update: Uint8Array): Promise<number> {
  const batchId = randomUUID();
  c.send({ type: MsgType.Push, batchId, items: [{ doc, update }] });
  const ack = await c.next(MsgType.PushAck);
  return ack.seqs[0] ?? 0;
}

function provider(node: Node, doc: string, token: string, ydoc = new Y.Doc()): WebsocketProvider {
  class AuthorizedWebSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { headers: { authorization: `Bearer ${token}` } });
    }
  }
  const p = new WebsocketProvider(`${node.t.wsUrl}${PATHS.yjs}`, doc, ydoc, {
    disableBc: true,
    WebSocketPolyfill: AuthorizedWebSocket as unknown as typeof globalThis.WebSocket,
  });
  providers.push(p);
  return p;
}

function synced(p: WebsocketProvider): Promise<void> {
  if (p.synced) return Promise.resolve();
  return new Promise((resolve) => p.on('sync', (s: boolean) => s && resolve()));
}

/** A store of its own with two units and one doc of one row: for tests that hold the head by hand. */
async function storeWithDoc(): Promise<{ store: PgStore; doc: string }> {
  const store = await PgStore.open({ connectionString: db.url, schema: newSchema(), max: 4 });
  await store.putUnits([
    { code: UNIT, name: 'Phường Thanh Khê' },
    { code: '20194', name: 'Phường Hải Vân' },
  ]);
  const doc = dossierDoc();
  await store.appendBatch('dev-a', 'b0', [{ doc, unit: UNIT, data: fieldsUpdate({ name: 'An' }) }]);
  return { store, doc };
}

/** Until an append of `store` queues on the log's head (held by the test's own transaction). */
async function untilWaitingForHead(store: PgStore): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const waiting = await store.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%FROM log_head%FOR UPDATE%'",
    );
    if ((waiting.rows[0]?.n ?? 0) > 0) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('[S15] several nodes on one PostgreSQL', () => {
  it('[S15] a batch committed on node 1 is Notified to a device on node 2 within 1 s, and pulled there', async () => {
    const { n1, n2, a, b } = await twoNodes();
    const ca = await SyncTestClient.welcomed(n1.t, a.token);
    const cb = await SyncTestClient.welcomed(n2.t, b.token);

    const doc = dossierDoc();
    const started = Date.now();
    const seq = await push(ca, doc, fieldsUpdate({ name: 'Nguyễn Văn An' }, a));
    const notify = await within(1_000, cb.next(MsgType.Notify), 'Notify on node 2');
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(notify.headSeq).toBeGreaterThanOrEqual(seq);
    const pulled = await pullAll(cb, 100);
    expect(pulled.items.map((it) => it.doc)).toEqual([doc]);
    ca.close();
    cb.close();
  });

  it('[S15] a live edit in a /yjs room on node 1 reaches a client of the same doc on node 2', async () => {
    const { n1, n2, a, b } = await twoNodes();
    const doc = `${UNIT}/queue/2026-11-22`;
    const docA = new Y.Doc();
    const docB = new Y.Doc();
    docA.clientID = liveWriterIdOf(a.device.id, 1);
    docB.clientID = liveWriterIdOf(b.device.id, 1);
    const pa = provider(n1, doc, a.token, docA);
    const pb = provider(n2, doc, b.token, docB);
    await Promise.all([synced(pa), synced(pb)]);

    const arrived = new Promise<number>((resolve) =>
      docB.getMap('calls').observe(() => docB.getMap('calls').has('A001') && resolve(Date.now())),
    );
    const started = Date.now();
    docA.getMap('calls').set('A001', 'Quầy 2');
    expect((await within(1_000, arrived, 'live edit on node 2')) - started).toBeLessThan(1_000);
    // And from node 2 back to node 1.
    const back = new Promise<void>((resolve) => docA.getMap('calls').observe(() => docA.getMap('calls').has('A002') && resolve()));
    docB.getMap('calls').set('A002', 'Quầy 1');
    await within(1_000, back, 'live edit on node 1');
  });

  it('[S15] a node whose listening connection was cut reads what it missed from the last seq it saw', async () => {
    const { n1, n2, a, b } = await twoNodes();
    const ca = await SyncTestClient.welcomed(n1.t, a.token);
    const cb = await SyncTestClient.welcomed(n2.t, b.token);
    const pid = n2.fanout?.listenerPid;
    expect(pid).toBeTypeOf('number');

    // Cut node 2's listener, and commit on node 1 while it is gone (its NOTIFY is lost for node 2).
    await n1.store.pool.query('SELECT pg_terminate_backend($1)', [pid]);
    const seq = await push(ca, dossierDoc(), fieldsUpdate({ name: 'Trần Thị Bình' }, a));
    const notify = await within(5_000, cb.next(MsgType.Notify), 'Notify after the listener came back');
    expect(notify.headSeq).toBeGreaterThanOrEqual(seq);
    expect(n2.fanout?.listenerPid).not.toBe(pid);
    expect(n2.fanout?.seen).toBeGreaterThanOrEqual(seq);
    expect(n2.t.logs.some((l) => l.includes('fanout_listener_lost'))).toBe(true);
    ca.close();
    cb.close();
  });

  it('[S15] a restarted node serves everything committed while it was down', async () => {
    const schema = newSchema();
    const n1 = await startNode(schema);
    let n2 = await startNode(schema);
    const a = await addDevice(n1.store);
    const b = await addDevice(n1.store);
    const cb = await SyncTestClient.welcomed(n2.t, b.token);
    const first = await pullAll(cb, 100);
    cb.close();
    await n2.close();
    open.splice(open.indexOf(n2), 1);

    const ca = await SyncTestClient.welcomed(n1.t, a.token);
    const docs = [dossierDoc(), dossierDoc(), dossierDoc()];
    for (const doc of docs) await push(ca, doc, fieldsUpdate({ code: doc }, a));

    n2 = await startNode(schema);
    const again = await SyncTestClient.welcomed(n2.t, b.token);
    const pulled = await pullAll(again, 100, first.cursor);
    expect(new Set(pulled.items.map((it) => it.doc))).toEqual(new Set(docs));
    ca.close();
    again.close();
  });

  it('[S15] batches committed on both nodes at once become visible in seq order: a cursor never skips a row', async () => {
    const { n1, n2 } = await twoNodes();
    const writers = await Promise.all([addDevice(n1.store), addDevice(n1.store), addDevice(n1.store), addDevice(n1.store)]);
    const stores = [n1.store, n2.store];
    const written: number[] = [];
    let done = false;
    // A reader polling with a cursor while four writers append on two nodes.
    const seen: number[] = [];
    const reader = (async () => {
      let cursor = 0;
      for (;;) {
        const finished = done;
        const page = await n2.store.readSince({ units: [UNIT], since: cursor, limit: 50 });
        seen.push(...page.rows.map((r) => r.seq));
        cursor = page.lastScanned;
        if (finished && !page.more) return;
      }
    })();
    await Promise.all(
      writers.map(async (w, i) => {
        for (let k = 0; k < 40; k++) {
          const store = stores[(i + k) % 2] as PgStore;
          const r = await store.appendBatch(w.device.id, `b-${i}-${k}`, [{ doc: dossierDoc(), unit: UNIT, data: fieldsUpdate({ k }) }]);
          written.push(...r.seqs);
        }
      }),
    );
    done = true;
    await reader;
    expect(seen.length).toBe(written.length);
    expect([...seen].sort((x, y) => x - y)).toEqual([...written].sort((x, y) => x - y));
    expect(seen).toEqual([...seen].sort((x, y) => x - y));
  });

  it('[S10] number blocks reserved on two nodes at once never overlap', async () => {
    const { n1, n2 } = await twoNodes();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? n1 : n2).store.reserveBlocks(UNIT, ['261203'], 7)));
    const numbers = results.flat().flatMap((b) => Array.from({ length: b.end - b.start + 1 }, (_, k) => b.start + k));
    expect(numbers).toHaveLength(140);
    expect(new Set(numbers).size).toBe(140);
    expect(Math.max(...numbers)).toBe(140);
  });

  it('[S13] the same event pushed to both nodes at once is stamped exactly once', async () => {
    const { n1, n2, a, b } = await twoNodes();
    const doc = dossierDoc();
    const y = new Y.Doc();
    y.getArray('events').push([dossierEvent('ev-1')]);
    const update = Y.encodeStateAsUpdate(y);
    const stamps = [{ doc, unit: UNIT, eventIds: ['ev-1'] }];
    const [r1, r2] = await Promise.all([
      n1.store.appendBatch(a.device.id, 'x', [{ doc, unit: UNIT, data: update }], { stamps }),
      n2.store.appendBatch(b.device.id, 'y', [{ doc, unit: UNIT, data: update }], { stamps }),
    ]);
    expect(r1.serverRows.length + r2.serverRows.length).toBe(1);
    const rows = await n1.store.readSince({ units: [UNIT], since: 0, limit: 100 });
    expect(rows.rows.filter((r) => r.device === 'server')).toHaveLength(1);
  });

  it('[S18] two nodes storing events of one dossier at once leave a record that reflects both', async () => {
    const { n1, n2, a, b } = await twoNodes();
    const ca = await SyncTestClient.welcomed(n1.t, a.token);
    const cb = await SyncTestClient.welcomed(n2.t, b.token);
    for (let round = 0; round < 5; round++) {
      const doc = dossierDoc();
      const base = new Y.Doc();
      base.clientID = writerOf(a);
      base.getArray('events').push([{ ...dossierEvent(`r-${round}`), type: 'received' }]);
      const first = Y.encodeStateAsUpdate(base);
      await push(ca, doc, first);
      const edit = (id: string, type: string): Uint8Array => {
        const y = new Y.Doc();
        Y.applyUpdate(y, first);
        y.clientID = writerOf(type === 'accepted' ? a : b);
        const sv = Y.encodeStateVector(y);
        y.getArray('events').push([{ ...dossierEvent(id, 2), type }]);
        return Y.encodeStateAsUpdate(y, sv);
      };
      // Each node reads the stored doc before the other's batch is stored.
      await Promise.all([push(ca, doc, edit(`acc-${round}`, 'accepted')), push(cb, doc, edit(`sup-${round}`, 'supplement_requested'))]);
      const events = await n1.store.dossierEvents(doc);
      expect(events.map((e) => e.eventId).sort()).toEqual([`acc-${round}`, `r-${round}`, `sup-${round}`].sort());
    }
    ca.close();
    cb.close();
  });

  it('[S12] [S15] a grant committed while a batch of the same doc waits for the head makes that batch copy its rows to the granted unit', async () => {
    const { store, doc } = await storeWithDoc();
    try {
      // Another node's grant-writing transaction holds the head (S15) while this node's batch comes.
      const other = await store.pool.connect();
      await other.query('BEGIN');
      await other.query('SELECT seq FROM log_head WHERE id = 1 FOR UPDATE');
      const update = fieldsUpdate({ phone: '0905' });
      const pushed = store.appendBatch('dev-a', 'b1', [{ doc, unit: UNIT, data: update }]);
      // Let the batch read the grants (none yet) and queue on the head.
      await untilWaitingForHead(store);
      await other.query("INSERT INTO grants (doc, unit, device, granted_at) VALUES ($1, '20194', 'dev-b', 1)", [doc]);
      await other.query('COMMIT');
      other.release();
      const r = await pushed;
      expect([...r.units].sort()).toEqual(['20194', UNIT].sort());
      const granted = await store.readSince({ units: ['20194'], since: 0, limit: 100 });
      expect(granted.rows.map((row) => Buffer.from(row.data).equals(Buffer.from(update)))).toContain(true);
    } finally {
      await store.close();
    }
  });

  it('[S12] [S15] a row of a doc stored while its grant waits for the head is in the merged state the granted unit gets', async () => {
    const { store, doc } = await storeWithDoc();
    try {
      const other = await store.pool.connect();
      await other.query('BEGIN');
      const head = (await other.query<{ seq: number }>('SELECT seq FROM log_head WHERE id = 1 FOR UPDATE')).rows[0]?.seq ?? 0;
      // The grant reads the doc's rows (one) and queues on the head.
      const granting = store.appendBatch('dev-a', 'b1', [], { grants: [{ doc, unit: '20194' }] });
      await untilWaitingForHead(store);
      // Another node stores a row of the doc meanwhile.
      const late = fieldsUpdate({ phone: '0905' });
      await other.query(
        "INSERT INTO updates (seq, doc, unit, device, batch_id, data, received_at) VALUES ($1, $2, $3, 'dev-b', 'x', $4, 1)",
        [head + 1, doc, UNIT, Buffer.from(late)],
      );
      await other.query('UPDATE log_head SET seq = $1 WHERE id = 1', [head + 1]);
      await other.query('COMMIT');
      other.release();
      await granting;
      const granted = await store.readSince({ units: ['20194'], since: 0, limit: 100 });
      const y = new Y.Doc();
      for (const row of granted.rows) Y.applyUpdate(y, row.data);
      expect(y.getMap('f').toJSON()).toEqual({ name: 'An', phone: '0905' });
    } finally {
      await store.close();
    }
  });

  it('a device revoked through node 1 is cut off on node 2 at once', async () => {
    const { n1, n2 } = await twoNodes();
    const b = await addDevice(n1.store);
    const cb = await SyncTestClient.welcomed(n2.t, b.token);
    const res = await fetch(`${n1.t.url}/api/admin/devices/${b.device.id}/revoke`, {
      method: 'POST',
      headers: { authorization: 'Bearer test-admin-token' },
    });
    expect(res.status).toBe(200);
    expect((await within(2_000, cb.closed, 'close on node 2')).code).toBe(CloseCode.Revoked);
  });
});
