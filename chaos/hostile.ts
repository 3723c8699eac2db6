/**
 * The hostile inputs of fault (d), each a function that sends one thing to a running server and says
 * how it ended: a close code, an HTTP status, or how a raw socket ended. Payloads carry an applicant
 * name and CCCD so the scenario can check the server never logs them.
 */
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import * as encoding from 'lib0/encoding';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { LIMITS, MsgType, PATHS } from '../src/protocol/constants.ts';
import { encodeMessage } from '../src/protocol/messages.ts';
import type { Rng } from './prng.ts';

export const FUZZ_NAME = 'Trần Văn Tinh Nghịch';
export const FUZZ_CCCD = '001099012345';

export interface Target {
  readonly url: string;
  readonly wsUrl: string;
  readonly token: string;
  readonly revokedToken: string;
  readonly adminToken: string;
  readonly unit: string;
  readonly foreignUnit: string;
}

const TIMEOUT_MS = 6_000;

/** A Push frame written by hand, so names and counts the encoder would refuse can be sent. */
export function rawPush(batchId: string, items: readonly { doc: string; update: Uint8Array }[]): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, MsgType.Push);
  encoding.writeVarString(enc, batchId);
  encoding.writeVarUint(enc, items.length);
  for (const it of items) {
    encoding.writeVarString(enc, it.doc);
    encoding.writeVarUint8Array(enc, it.update);
  }
  encoding.writeVarUint(enc, 0);
  return encoding.toUint8Array(enc);
}

/** A dossier's first update carrying personal data, by `writer` (a random client id by default). */
export function piiUpdate(writer?: number): Uint8Array {
  const doc = new Y.Doc();
  if (writer !== undefined) doc.clientID = writer;
  doc.transact(() => {
    const f = doc.getMap('f');
    f.set('name', FUZZ_NAME);
    f.set('cccd', FUZZ_CCCD);
    doc.getArray('events').push([{ id: crypto.randomUUID(), type: 'received', at: Date.now(), officer: 'o', device: 'x' }]);
  });
  return Y.encodeStateAsUpdate(doc);
}

/** Opens /sync (or a path) with these headers, sends frames after the Welcome, returns how it closed. */
export function wsCase(t: Target, opts: { token?: string | null; path?: string; send?: (ws: WebSocket) => void; compress?: boolean }): Promise<string> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = {};
    const token = opts.token === undefined ? t.token : opts.token;
    if (token !== null) headers.authorization = `Bearer ${token}`;
    const ws = new WebSocket(`${t.wsUrl}${opts.path ?? PATHS.sync}`, { headers, maxPayload: LIMITS.maxMessageBytes * 2, perMessageDeflate: opts.compress ?? true });
    const timer = setTimeout(() => {
      ws.terminate();
      resolve('still open');
    }, TIMEOUT_MS);
    const done = (s: string): void => {
      clearTimeout(timer);
      resolve(s);
    };
    let sent = false;
    ws.on('message', () => {
      if (sent || opts.send === undefined) return;
      sent = true;
      opts.send(ws);
    });
    ws.on('error', () => undefined);
    ws.on('unexpected-response', (_req, res) => {
      done(`http ${res.statusCode ?? 0}`);
      ws.terminate();
    });
    ws.on('close', (code) => done(`close ${code}`));
  });
}

/** A client frame, masked as RFC 6455 requires of clients (unless `mask` is false). */
function frame(first: number, payload: Uint8Array, mask = true, claimLength?: number): Buffer {
  const len = claimLength ?? payload.length;
  const head: number[] = [first];
  const m = mask ? 0x80 : 0;
  if (len < 126) head.push(m | len);
  else if (len < 65536) head.push(m | 126, len >> 8, len & 255);
  else head.push(m | 127, 0, 0, 0, 0, (len >>> 24) & 255, (len >>> 16) & 255, (len >>> 8) & 255, len & 255);
  if (!mask) return Buffer.concat([Buffer.from(head), payload]);
  const key = randomBytes(4);
  const body = Buffer.from(payload.map((b, i) => b ^ (key[i % 4] ?? 0)));
  return Buffer.concat([Buffer.from(head), key, body]);
}

/** Raw bytes on a TCP socket after a valid upgrade; the server's close code, or how the socket ended. */
export function rawCase(t: Target, bytes: (rng: Rng) => Buffer, rng: Rng, endAfterWrite = false): Promise<string> {
  const { hostname, port } = new URL(t.url);
  return new Promise((resolve) => {
    const sock = connect(Number(port), hostname);
    let buf = Buffer.alloc(0);
    let upgraded = false;
    const timer = setTimeout(() => {
      sock.destroy();
      resolve('still open');
    }, TIMEOUT_MS);
    const done = (s: string): void => {
      clearTimeout(timer);
      sock.destroy();
      resolve(s);
    };
    sock.on('connect', () => {
      sock.write(
        `GET ${PATHS.sync} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer ${t.token}\r\n\r\n`,
      );
    });
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (!upgraded) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        if (!buf.subarray(0, 12).toString().includes('101')) return done(`http ${buf.subarray(9, 12).toString()}`);
        upgraded = true;
        buf = buf.subarray(end + 4);
        sock.write(bytes(rng));
        if (endAfterWrite) sock.end();
      }
      // Server frames are unmasked: find a close frame (opcode 8) and read its code.
      let i = 0;
      while (i + 2 <= buf.length) {
        const op = (buf[i] ?? 0) & 0x0f;
        let len = (buf[i + 1] ?? 0) & 0x7f;
        let off = i + 2;
        if (len === 126) {
          len = buf.readUInt16BE(off);
          off += 2;
        }
        if (off + len > buf.length) break;
        if (op === 8) return done(len >= 2 ? `close ${buf.readUInt16BE(off)}` : 'close (no code)');
        i = off + len;
      }
    });
    sock.on('error', () => undefined);
    sock.on('close', () => done(upgraded ? 'socket ended' : 'refused'));
  });
}

async function http(t: Target, method: string, path: string, body?: string | Buffer, admin = false, contentType = 'application/json'): Promise<string> {
  try {
    const res = await fetch(`${t.url}${path}`, {
      method,
      headers: { 'content-type': contentType, ...(admin ? { authorization: `Bearer ${t.adminToken}` } : {}) },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : new Uint8Array(body) }),
    });
    await res.arrayBuffer().catch(() => undefined);
    return `http ${res.status}`;
  } catch {
    return 'http failed';
  }
}

/** One kind of hostile input; `X` is what it needs of the target beyond a Target. */
export interface HostileCase<X = unknown> {
  readonly kind: string;
  /** Outcomes that count as a named refusal. */
  readonly expect: readonly string[];
  run(t: Target & X, rng: Rng): Promise<string>;
}

/**
 * Random bytes that Y.decodeUpdate refuses. Some random strings do decode (seed 2025 found one), and
 * the server then stores them like any update of the device's own commune: see docs/chaos.md.
 */
function undecodable(r: Rng): Uint8Array {
  for (;;) {
    const bytes = Uint8Array.from({ length: r.int(1, 200) }, () => r.int(0, 255));
    try {
      Y.decodeUpdate(bytes);
    } catch {
      return bytes;
    }
  }
}

const doc = (unit: string, rng: Rng): string => `${unit}/dossier/${rng.uuid()}`;

export const CASES: readonly HostileCase[] = [
  { kind: 'no_token', expect: ['close 4401'], run: (t) => wsCase(t, { token: null }) },
  { kind: 'malformed_token', expect: ['close 4401'], run: (t, r) => wsCase(t, { token: `x${r.int(0, 1e6)}'; DROP TABLE` }) },
  { kind: 'forged_token', expect: ['close 4401'], run: (t) => wsCase(t, { token: randomBytes(32).toString('base64url') }) },
  { kind: 'revoked_token', expect: ['close 4402'], run: (t) => wsCase(t, { token: t.revokedToken }) },
  {
    kind: 'garbage_message',
    expect: ['close 4400'],
    run: (t, r) => wsCase(t, { send: (ws) => ws.send(Buffer.from(Array.from({ length: r.int(1, 300) }, () => r.int(0, 255)))) }),
  },
  {
    kind: 'truncated_message',
    expect: ['close 4400'],
    run: (t, r) => {
      const full = encodeMessage({ type: MsgType.Push, batchId: r.uuid(), items: [{ doc: doc(t.unit, r), update: piiUpdate() }], grants: [] });
      return wsCase(t, { send: (ws) => ws.send(full.subarray(0, r.int(1, full.length - 1))) });
    },
  },
  {
    kind: 'trailing_bytes',
    expect: ['close 4400'],
    run: (t, r) => wsCase(t, { send: (ws) => ws.send(Buffer.concat([encodeMessage({ type: MsgType.Pull, since: 0, limit: 10 }), Buffer.from([r.int(0, 255)])])) }),
  },
  {
    kind: 'garbage_yjs',
    expect: ['close 4400'],
    run: (t, r) => wsCase(t, { send: (ws) => ws.send(rawPush(r.uuid(), [{ doc: doc(t.unit, r), update: undecodable(r) }])) }),
  },
  {
    kind: 'truncated_yjs',
    expect: ['close 4400'],
    run: (t, r) => {
      const u = piiUpdate();
      return wsCase(t, { send: (ws) => ws.send(rawPush(r.uuid(), [{ doc: doc(t.unit, r), update: u.subarray(0, r.int(1, u.length - 2)) }])) });
    },
  },
  { kind: 'foreign_doc', expect: ['close 4403'], run: (t, r) => wsCase(t, { send: (ws) => ws.send(rawPush(r.uuid(), [{ doc: doc(t.foreignUnit, r), update: piiUpdate() }])) }) },
  {
    kind: 'path_trick_doc',
    expect: ['close 4400'],
    run: (t, r) => {
      const name = r.pick([`${t.unit}/dossier/../../${t.foreignUnit}/dossier/x`, `${t.unit}/dossier/%2e%2e`, `${t.unit}/../etc/passwd`, `/${t.unit}/dossier/${r.uuid()}`, `${t.unit}\\dossier\\x`]);
      return wsCase(t, { send: (ws) => ws.send(rawPush(r.uuid(), [{ doc: name, update: piiUpdate() }])) });
    },
  },
  { kind: 'text_frame', expect: ['close 4400'], run: (t) => wsCase(t, { send: (ws) => ws.send(`{"name":"${FUZZ_NAME}"}`) }) },
  { kind: 'oversized_message', expect: ['close 1009'], run: (t) => wsCase(t, { send: (ws) => ws.send(randomBytes(LIMITS.maxMessageBytes + 1024)) }) },
  {
    kind: 'flood',
    expect: ['close 4429'],
    run: (t) =>
      wsCase(t, {
        send: (ws) => {
          for (let i = 0; i < LIMITS.maxMessagesPerSecond * 3; i++) ws.send(encodeMessage({ type: MsgType.Ping, nonce: i }));
        },
      }),
  },
  {
    kind: 'huge_batch',
    expect: ['close 4400'],
    run: (t, r) => {
      const u = piiUpdate();
      const items = Array.from({ length: LIMITS.maxBatchItems + 1 }, () => ({ doc: doc(t.unit, r), update: u }));
      return wsCase(t, { send: (ws) => ws.send(rawPush(r.uuid(), items)) });
    },
  },
  { kind: 'huge_batch_id', expect: ['close 4400'], run: (t, r) => wsCase(t, { send: (ws) => ws.send(rawPush('b'.repeat(r.int(65, 5000)), [{ doc: doc(t.unit, r), update: piiUpdate() }])) }) },
  { kind: 'ws_bad_rsv', expect: ['close 1002'], run: (t, r) => rawCase(t, () => frame(0x80 | (r.pick([0x40, 0x20, 0x10])) | 0x2, Buffer.from([4, 0, 10])), r) },
  { kind: 'ws_bad_opcode', expect: ['close 1002'], run: (t, r) => rawCase(t, () => frame(0x80 | r.pick([0x3, 0x4, 0x5, 0xb, 0xc, 0xf]), Buffer.from([1, 2, 3])), r) },
  { kind: 'ws_unmasked', expect: ['close 1002'], run: (t, r) => rawCase(t, () => frame(0x82, Buffer.from([10, 1]), false), r) },
  { kind: 'ws_truncated_frame', expect: ['socket ended', 'close 1006', 'close 1002'], run: (t, r) => rawCase(t, () => frame(0x82, Buffer.alloc(10, 7), true, 1000).subarray(0, 16), r, true) },
  { kind: 'ws_huge_length', expect: ['close 1009'], run: (t, r) => rawCase(t, () => frame(0x82, Buffer.alloc(8), true, 2 ** 31), r) },
  {
    kind: 'ws_control_too_long',
    expect: ['close 1002'],
    run: (t, r) => rawCase(t, () => frame(0x89, Buffer.alloc(200, 1)), r),
  },
  { kind: 'live_foreign_doc', expect: ['close 4403'], run: (t, r) => wsCase(t, { path: `${PATHS.yjs}/${doc(t.foreignUnit, r)}` }) },
  {
    kind: 'live_path_trick',
    expect: ['close 4404', 'close 4403', 'http 404'],
    run: (t, r) => wsCase(t, { path: `${PATHS.yjs}/${r.pick([`${t.unit}/dossier/..%2f..%2f${t.foreignUnit}`, `${t.unit}/../${t.foreignUnit}/dossier/x`, `${t.unit}/dossier/%00`, `${t.unit}/secrets/x`])}` }),
  },
  { kind: 'http_enroll_garbage', expect: ['http 400', 'http 415', 'http 429'], run: (t, r) => http(t, 'POST', '/api/enroll', randomBytes(r.int(1, 200))) },
  { kind: 'http_enroll_bad_code', expect: ['http 400', 'http 403', 'http 404', 'http 429'], run: (t) => http(t, 'POST', '/api/enroll', JSON.stringify({ code: 'AAAA-BBBB-CCCC', label: FUZZ_NAME })) },
  { kind: 'http_enroll_huge', expect: ['http 413', 'http 400', 'http 429'], run: (t) => http(t, 'POST', '/api/enroll', Buffer.alloc(10 * 1024 * 1024, 0x61)) },
  { kind: 'http_admin_forged', expect: ['http 401'], run: (t) => http(t, 'GET', '/api/admin/stats') },
  { kind: 'http_admin_bad_unit', expect: ['http 400'], run: (t, r) => http(t, 'GET', `/api/admin/docs?unit=${encodeURIComponent(r.pick(['../..', '2020%', `${t.unit}/../x`, '']))}`, undefined, true) },
  { kind: 'http_path_traversal', expect: ['http 404', 'http 400', 'http 403'], run: (t, r) => http(t, 'GET', r.pick(['/%2e%2e/%2e%2e/etc/passwd', '/..%2f..%2fpackage.json', '/static/../../sync-server/main.ts'])) },
];
