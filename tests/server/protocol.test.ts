/** [S8] The catch-up codec: every message round-trips; anything truncated, garbled or padded is refused. */
import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import { LIMITS, MsgType } from '../../src/protocol/constants.ts';
import { decodeMessage, encodeMessage, ProtocolError, type Message } from '../../src/protocol/messages.ts';

const DOC = '20209/dossier/0b7e3f5c-1d2a-4c3b-8e9f-0123456789ab';
const QUEUE = '20209/queue/2026-11-22';

const SAMPLES: readonly Message[] = [
  {
    type: MsgType.Welcome,
    protocol: 1,
    deviceId: '5d0c4c3e-6a53-4c65-9b1e-2f8f0e7c1a10',
    unit: '20209',
    headSeq: 123_456,
    serverTime: 1_795_000_000_000,
    lastBatchId: 'batch-9',
    lastBatchSeqs: [7, 8, 9, 300],
  },
  { type: MsgType.Welcome, protocol: 1, deviceId: 'd', unit: '20209', headSeq: 0, serverTime: 0, lastBatchId: '', lastBatchSeqs: [] },
  {
    type: MsgType.Push,
    batchId: 'b-1',
    items: [
      { doc: DOC, update: new Uint8Array([1, 2, 3]) },
      { doc: QUEUE, update: new Uint8Array(0) },
    ],
    grants: [],
  },
  {
    type: MsgType.Push,
    batchId: 'b-2',
    items: [{ doc: DOC, update: new Uint8Array([4]) }],
    grants: [
      { doc: DOC, unit: '20194' },
      { doc: '20209/dossier/1b7e3f5c-1d2a-4c3b-8e9f-0123456789ab', unit: '20212' },
    ],
  },
  { type: MsgType.Push, batchId: 'empty', items: [], grants: [] },
  { type: MsgType.PushAck, batchId: 'b-1', seqs: [41, 42, 43], headSeq: 43, serverTime: 1_795_000_000_001 },
  { type: MsgType.Pull, since: 0, limit: 1 },
  { type: MsgType.Pull, since: 2 ** 40, limit: LIMITS.maxPullRows },
  {
    type: MsgType.PullBatch,
    items: [
      { doc: DOC, seq: 10, update: new Uint8Array([9, 9]), row: '{"id":"x","applicantName":"Nguyễn Văn An"}' },
      { doc: QUEUE, seq: 12, update: new Uint8Array([0]) },
    ],
    cursor: 12,
    more: true,
  },
  { type: MsgType.PullBatch, items: [], cursor: 5, more: false },
  { type: MsgType.Notify, headSeq: 99 },
  { type: MsgType.Error, code: 2, message: 'Ổ đĩa đầy', ref: 'b-1' },
  { type: MsgType.Reserve, reqId: 3, days: ['261122', '261123'], size: 100, held: [] },
  { type: MsgType.Reserve, reqId: 4, days: [], size: 100, held: [{ day: '261122', start: 101, end: 400 }] },
  { type: MsgType.Reserved, reqId: 3, blocks: [{ day: '261122', start: 1, end: 100 }] },
  { type: MsgType.Ping, nonce: 0 },
  { type: MsgType.Pong, nonce: 2 ** 31 },
  { type: MsgType.Epoch, epoch: 'k2dX0oQ1y9bq3VZl6cWm3A', parentEpoch: 'p0aTq7MZbGvE1xLh2Jc8Rw', forkSeq: 4_321 },
  { type: MsgType.Epoch, epoch: 'e', parentEpoch: '', forkSeq: 0 },
  { type: MsgType.AskStates, reqId: 17, docs: [DOC, QUEUE] },
  {
    type: MsgType.States,
    reqId: 17,
    states: [
      { doc: DOC, state: new Uint8Array([0, 1, 9, 3]) },
      { doc: QUEUE, state: null },
    ],
  },
  { type: MsgType.States, reqId: 18, states: [] },
];

function expectProtocolError(frame: Uint8Array): void {
  expect(() => decodeMessage(frame)).toThrow(ProtocolError);
}

function frame(write: (enc: encoding.Encoder) => void): Uint8Array {
  const enc = encoding.createEncoder();
  write(enc);
  return encoding.toUint8Array(enc);
}

describe('[S8] catch-up codec', () => {
  it('round-trips every message type', () => {
    const types = new Set(SAMPLES.map((m) => m.type));
    expect(types).toEqual(new Set(Object.values(MsgType)));
    for (const msg of SAMPLES) expect(decodeMessage(encodeMessage(msg))).toEqual(msg);
  });

  it('refuses every truncation of every message', () => {
    for (const msg of SAMPLES) {
      const bytes = encodeMessage(msg);
      for (let len = 0; len < bytes.length; len++) expectProtocolError(bytes.subarray(0, len));
    }
  });

  it('refuses a trailing byte after any message', () => {
    for (const msg of SAMPLES) {
      const bytes = encodeMessage(msg);
      const padded = new Uint8Array(bytes.length + 1);
      padded.set(bytes);
      expectProtocolError(padded);
    }
  });

  it('refuses garbage: unknown types, overlong varints, malformed doc names and broken limits', () => {
    expectProtocolError(new Uint8Array([0]));
    expectProtocolError(new Uint8Array([99, 0]));
    expectProtocolError(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]));
    const push = (doc: string): Uint8Array =>
      frame((e) => {
        encoding.writeVarUint(e, MsgType.Push);
        encoding.writeVarString(e, 'b');
        encoding.writeVarUint(e, 1);
        encoding.writeVarString(e, doc);
        encoding.writeVarUint8Array(e, new Uint8Array([1]));
        encoding.writeVarUint(e, 0);
      });
    expect(decodeMessage(push(DOC)).type).toBe(MsgType.Push);
    for (const bad of ['20209/dossier/../../etc', '20209/scan/x', '2020/queue/2026-11-22', '20209/queue/2026-11-22/x']) {
      expectProtocolError(push(bad));
    }
    expectProtocolError(encodeMessage({ type: MsgType.Pull, since: 0, limit: 0 }));
    const grant = (unit: string, doc = DOC): Uint8Array => encodeMessage({ type: MsgType.Push, batchId: 'g', items: [], grants: [{ doc, unit }] });
    expect(decodeMessage(grant('20194'))).toEqual({ type: MsgType.Push, batchId: 'g', items: [], grants: [{ doc: DOC, unit: '20194' }] });
    for (const bad of ['2019', '201945', 'abcde', '', '2019x']) expectProtocolError(grant(bad));
    expectProtocolError(grant('20194', '20209/scan/x'));
    const tooManyGrants = Array.from({ length: LIMITS.maxBatchGrants + 1 }, () => ({ doc: DOC, unit: '20194' }));
    expectProtocolError(encodeMessage({ type: MsgType.Push, batchId: 'g', items: [], grants: tooManyGrants }));
    expectProtocolError(encodeMessage({ type: MsgType.Pull, since: 0, limit: LIMITS.maxPullRows + 1 }));
    expectProtocolError(encodeMessage({ type: MsgType.Push, batchId: '', items: [] }));
    expectProtocolError(encodeMessage({ type: MsgType.Push, batchId: 'x'.repeat(LIMITS.maxBatchIdLength + 1), items: [] }));
    expectProtocolError(encodeMessage({ type: MsgType.Reserve, reqId: 1, days: ['2611xx'], size: 1 }));
    expectProtocolError(encodeMessage({ type: MsgType.Reserve, reqId: 1, days: ['261122'], size: LIMITS.maxBlockSize + 1 }));
    expectProtocolError(encodeMessage({ type: MsgType.Reserved, reqId: 1, blocks: [{ day: '261122', start: 5, end: 4 }] }));
    expectProtocolError(encodeMessage({ type: MsgType.Reserve, reqId: 1, days: [], size: 1, held: [{ day: '261122', start: 5, end: 4 }] }));
    expectProtocolError(encodeMessage({ type: MsgType.Reserve, reqId: 1, days: [], size: 1, held: [{ day: '26112', start: 1, end: 4 }] }));
    const manyHeld = Array.from({ length: LIMITS.maxReserveDays + 1 }, () => ({ day: '261122', start: 1, end: 2 }));
    expectProtocolError(encodeMessage({ type: MsgType.Reserve, reqId: 1, days: [], size: 1, held: manyHeld }));
    // A declared length far past the frame: refused without reading outside it.
    expectProtocolError(
      frame((e) => {
        encoding.writeVarUint(e, MsgType.Push);
        encoding.writeVarString(e, 'b');
        encoding.writeVarUint(e, 1);
        encoding.writeVarString(e, DOC);
        encoding.writeVarUint(e, 1000);
      }),
    );
    expectProtocolError(
      frame((e) => {
        encoding.writeVarUint(e, MsgType.Push);
        encoding.writeVarString(e, 'b');
        encoding.writeVarUint(e, LIMITS.maxBatchItems + 1);
      }),
    );
    // A version-1 Push (no grant count after the items) is refused: the codec stays strict.
    expectProtocolError(
      frame((e) => {
        encoding.writeVarUint(e, MsgType.Push);
        encoding.writeVarString(e, 'b');
        encoding.writeVarUint(e, 0);
      }),
    );
  });

  it('[S17] refuses an empty or overlong epoch, an empty or oversized AskStates, and a state past its limit or with a bad flag', () => {
    expectProtocolError(encodeMessage({ type: MsgType.Epoch, epoch: '', parentEpoch: '', forkSeq: 0 }));
    expectProtocolError(encodeMessage({ type: MsgType.Epoch, epoch: 'x'.repeat(LIMITS.maxEpochLength + 1), parentEpoch: '', forkSeq: 0 }));
    expectProtocolError(encodeMessage({ type: MsgType.Epoch, epoch: 'e', parentEpoch: 'x'.repeat(LIMITS.maxEpochLength + 1), forkSeq: 0 }));
    expectProtocolError(encodeMessage({ type: MsgType.AskStates, reqId: 1, docs: [] }));
    expectProtocolError(encodeMessage({ type: MsgType.AskStates, reqId: 1, docs: Array.from({ length: LIMITS.maxStateDocs + 1 }, () => DOC) }));
    expect(decodeMessage(encodeMessage({ type: MsgType.AskStates, reqId: 1, docs: Array.from({ length: LIMITS.maxStateDocs }, () => DOC) })).type).toBe(
      MsgType.AskStates,
    );
    expectProtocolError(encodeMessage({ type: MsgType.AskStates, reqId: 1, docs: ['20209/scan/x'] }));
    const big = new Uint8Array(LIMITS.maxStateBytes + 1);
    expectProtocolError(encodeMessage({ type: MsgType.States, reqId: 1, states: [{ doc: DOC, state: big }] }));
    expectProtocolError(encodeMessage({ type: MsgType.States, reqId: 1, states: Array.from({ length: LIMITS.maxStateDocs + 1 }, () => ({ doc: DOC, state: null })) }));
    expectProtocolError(
      frame((e) => {
        encoding.writeVarUint(e, MsgType.States);
        encoding.writeVarUint(e, 1);
        encoding.writeVarUint(e, 1);
        encoding.writeVarString(e, DOC);
        encoding.writeVarUint(e, 2);
      }),
    );
  });

  it('writes the grants after the items, and a Push without grants as an empty list', () => {
    const bytes = encodeMessage({ type: MsgType.Push, batchId: 'b', items: [{ doc: DOC, update: new Uint8Array([7]) }], grants: [{ doc: DOC, unit: '20194' }] });
    const expected = frame((e) => {
      encoding.writeVarUint(e, MsgType.Push);
      encoding.writeVarString(e, 'b');
      encoding.writeVarUint(e, 1);
      encoding.writeVarString(e, DOC);
      encoding.writeVarUint8Array(e, new Uint8Array([7]));
      encoding.writeVarUint(e, 1);
      encoding.writeVarString(e, DOC);
      encoding.writeVarString(e, '20194');
    });
    expect(bytes).toEqual(expected);
    expect(decodeMessage(encodeMessage({ type: MsgType.Push, batchId: 'b', items: [] }))).toEqual({ type: MsgType.Push, batchId: 'b', items: [], grants: [] });
  });

  it('refuses a random sample of garbage frames without throwing anything else', () => {
    let seed = 42;
    const rand = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let i = 0; i < 2000; i++) {
      const bytes = new Uint8Array(1 + Math.floor(rand() * 40)).map(() => Math.floor(rand() * 256));
      try {
        decodeMessage(bytes);
      } catch (e) {
        expect(e).toBeInstanceOf(ProtocolError);
      }
    }
  });
});
