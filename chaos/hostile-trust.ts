/**
 * Hostile inputs of a device that holds a valid token and tries to write what it may not (S19, S20)
 * or to take more of the node than its share (S21): another writer's client id, the server's stamps
 * written or deleted, a grant without its transfer, a flood of bytes or sockets. Each must end with
 * its named close code, and nothing of it may be stored (fuzz.ts compares the unit's docs).
 */
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { LIMITS, MsgType, PATHS } from '../src/protocol/constants.ts';
import { encodeMessage } from '../src/protocol/messages.ts';
import { eventsOf, writerIdOf } from '../src/worker/dossier-doc.ts';
import { encodeSync } from '../sync-server/live-protocol.ts';
import { STAMP_MAP } from '../sync-server/store/server-rows.ts';
import type { ChaosDevice } from './devices.ts';
import { piiUpdate, rawPush, wsCase, type HostileCase, type Target } from './hostile.ts';
import type { Rng } from './prng.ts';
import { sleep } from './server-proc.ts';

/** What the trust cases need beyond a token: whose device it is, flood devices, a stored stamp. */
export interface TrustTarget {
  /** The attacking device's id: its own client id is writerIdOf(deviceId). */
  readonly deviceId: string;
  /** Another device of the same commune (its id, to write as it). */
  readonly otherDeviceId: string;
  /** Tokens of devices of the attacked commune used only for floods (a flood spends their quota). */
  readonly byteFlooder: string;
  readonly socketFlooder: string;
  /** A dossier of the commune with a server stamp, and an update by the attacker deleting that stamp. */
  readonly stampDeletion: { readonly doc: string; readonly update: Uint8Array };
}

const TIMEOUT_MS = 6_000;

/** A stored dossier's stamp, and an update by `writer` deleting it: the device's pulled rows, merged. */
export async function stampDeletion(device: ChaosDevice, rng: Rng, writer: number): Promise<{ doc: string; update: Uint8Array }> {
  const doc = await device.intakeOne(rng, 'Phạm Văn Dấu', '001099000111');
  const until = Date.now() + 15_000;
  for (;;) {
    const rows = (await device.store.db.updates.where('doc').equals(doc).toArray()).map((r) => r.data);
    const y = new Y.Doc();
    for (const u of rows) Y.applyUpdate(y, u);
    const id = eventsOf(y).get(0)?.id;
    if (id !== undefined && y.getMap(STAMP_MAP).has(id)) {
      y.clientID = writer;
      const before = Y.encodeStateVector(y);
      y.getMap(STAMP_MAP).delete(id);
      return { doc, update: Y.encodeStateAsUpdate(y, before) };
    }
    if (Date.now() > until) throw new Error('the stamp of the prepared dossier never arrived');
    await sleep(50);
  }
}

/** A y-websocket "update" frame. */
const liveUpdate = (u: Uint8Array): Uint8Array => encodeSync((enc) => syncProtocol.writeUpdate(enc, u));

/** An update by `client` setting `key` in the root map `root`. */
function setBy(client: number, root: string, key: string, value: unknown): Uint8Array {
  const y = new Y.Doc();
  y.clientID = client;
  y.getMap(root).set(key, value);
  return Y.encodeStateAsUpdate(y);
}

/** An intake by the attacker itself, with a transfer event to `to` (or none). */
function ownIntake(writer: number, rng: Rng, to: string | null): Uint8Array {
  const y = new Y.Doc();
  y.clientID = writer;
  y.transact(() => {
    y.getMap('f').set('code', rng.uuid());
    if (to !== null) {
      y.getArray('events').push([{ id: rng.uuid(), type: 'transferred', at: Date.now(), officer: 'o', device: 'x', data: { kind: 'other_commune', name: 'UBND', unit: to } }]);
    }
  });
  return Y.encodeStateAsUpdate(y);
}

/**
 * Sends frames of nearly LIMITS.maxMessageBytes of junk from one device, a socket after another (each
 * junk frame closes its socket 4400), until the server says something else: its byte quota (4430).
 */
async function byteFlood(t: Target, token: string): Promise<string> {
  const junk = randomBytes(LIMITS.maxMessageBytes - 1024);
  const rounds = Math.ceil(LIMITS.maxDeviceBytesPerMinute / junk.length) + 2;
  let out = 'never refused';
  for (let i = 0; i < rounds; i++) {
    out = await wsCase(t, { token, send: (ws) => ws.send(junk), compress: false });
    if (out !== 'close 4400') return out;
  }
  return out;
}

/** Opens LIMITS.maxSocketsPerDevice + 1 live sockets of one device; how the last one ended. */
async function socketFlood(t: Target & TrustTarget, token: string): Promise<string> {
  const open: WebSocket[] = [];
  const one = (): Promise<string> =>
    new Promise((resolve) => {
      const ws = new WebSocket(`${t.wsUrl}${PATHS.yjs}/${t.unit}/queue/2026-12-01`, { headers: { authorization: `Bearer ${token}` } });
      open.push(ws);
      ws.on('error', () => undefined);
      const timer = setTimeout(() => resolve('still open'), TIMEOUT_MS);
      // The server greets an accepted live socket with its sync step 1; a refused one is closed.
      ws.once('message', () => (clearTimeout(timer), resolve('open')));
      ws.once('close', (code) => (clearTimeout(timer), resolve(`close ${code}`)));
    });
  try {
    let out = 'open';
    for (let i = 0; i <= LIMITS.maxSocketsPerDevice && out === 'open'; i++) out = await one();
    return out;
  } finally {
    for (const ws of open) ws.terminate();
  }
}

export const TRUST_CASES: readonly HostileCase<TrustTarget>[] = [
  {
    kind: 'foreign_client_id',
    expect: ['close 4421'],
    run: (t, r) => {
      // A random id (a stock Y.Doc), or another device's.
      const update = r.int(0, 1) === 0 ? piiUpdate() : piiUpdate(writerIdOf(t.otherDeviceId));
      return wsCase(t, { send: (ws) => ws.send(rawPush(r.uuid(), [{ doc: `${t.unit}/dossier/${r.uuid()}`, update }])) });
    },
  },
  {
    kind: 'live_foreign_client_id',
    expect: ['close 4421'],
    run: (t, r) => wsCase(t, { path: `${PATHS.yjs}/${t.unit}/queue/2026-12-01`, send: (ws) => ws.send(liveUpdate(setBy(new Y.Doc().clientID, 'queue', 'called', r.int(1, 99)))) }),
  },
  {
    kind: 'forged_grant',
    expect: ['close 4423'],
    run: (t, r) => {
      // No transfer event, or one naming another commune than the grant.
      const update = ownIntake(writerIdOf(t.deviceId), r, r.int(0, 1) === 0 ? null : t.unit);
      const doc = `${t.unit}/dossier/${r.uuid()}`;
      return wsCase(t, { send: (ws) => ws.send(encodeMessage({ type: MsgType.Push, batchId: r.uuid(), items: [{ doc, update }], grants: [{ doc, unit: t.foreignUnit }] })) });
    },
  },
  {
    kind: 'forged_stamp',
    expect: ['close 4422'],
    run: (t, r) => {
      const update = setBy(writerIdOf(t.deviceId), STAMP_MAP, r.uuid(), r.int(0, 2 ** 40));
      const doc = `${t.unit}/dossier/${r.uuid()}`;
      return r.int(0, 1) === 0
        ? wsCase(t, { send: (ws) => ws.send(rawPush(r.uuid(), [{ doc, update }])) })
        : wsCase(t, { path: `${PATHS.yjs}/${doc}`, send: (ws) => ws.send(liveUpdate(update)) });
    },
  },
  {
    kind: 'stamp_delete',
    expect: ['close 4422'],
    run: (t, r) => wsCase(t, { send: (ws) => ws.send(rawPush(r.uuid(), [t.stampDeletion])) }),
  },
  { kind: 'byte_flood', expect: ['close 4430'], run: (t) => byteFlood(t, t.byteFlooder) },
  { kind: 'socket_flood', expect: ['close 4431'], run: (t) => socketFlood(t, t.socketFlooder) },
];
