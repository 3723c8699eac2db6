/** [S8] The server's parser of y-websocket frames, and how it packs pull pages. */
import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { LIMITS } from '../../src/protocol/constants.ts';
import { ProtocolError } from '../../src/protocol/messages.ts';
import { parseLiveFrame } from '../../sync-server/live-protocol.ts';
import type { UpdateRow } from '../../sync-server/store/types.ts';
import { buildPullPage, MERGE_CHUNK_ROWS, PULL_PAGE_BYTES } from '../../sync-server/yupdates.ts';
import { fieldsUpdate, readFields } from './helpers.ts';

const frame = (write: (enc: encoding.Encoder) => void): Uint8Array => {
  const enc = encoding.createEncoder();
  write(enc);
  return encoding.toUint8Array(enc);
};

describe('[S8] y-websocket frames', () => {
  it('parses what the stock client sends', () => {
    const doc = new Y.Doc();
    doc.getMap('m').set('k', 1);
    const step1 = frame((e) => {
      encoding.writeVarUint(e, 0);
      syncProtocol.writeSyncStep1(e, doc);
    });
    expect(parseLiveFrame(step1).kind).toBe('step1');
    const update = frame((e) => {
      encoding.writeVarUint(e, 0);
      syncProtocol.writeUpdate(e, Y.encodeStateAsUpdate(doc));
    });
    expect(parseLiveFrame(update)).toMatchObject({ kind: 'update', empty: false });
    const step2Empty = frame((e) => {
      encoding.writeVarUint(e, 0);
      syncProtocol.writeSyncStep2(e, doc, Y.encodeStateVector(doc));
    });
    expect(parseLiveFrame(step2Empty)).toMatchObject({ kind: 'update', empty: true });
    const awareness = new awarenessProtocol.Awareness(doc);
    awareness.setLocalState({ user: 'Quầy 1' });
    const aw = frame((e) => {
      encoding.writeVarUint(e, 1);
      encoding.writeVarUint8Array(e, awarenessProtocol.encodeAwarenessUpdate(awareness, [doc.clientID]));
    });
    expect(parseLiveFrame(aw).kind).toBe('awareness');
    awareness.destroy();
    expect(parseLiveFrame(new Uint8Array([3])).kind).toBe('queryAwareness');
  });

  it('refuses unknown types, bad updates, bad awareness JSON, truncation and trailing bytes', () => {
    const bad = [
      new Uint8Array([]),
      new Uint8Array([9]),
      new Uint8Array([0, 7, 0]),
      new Uint8Array([0, 2, 3, 0xff, 0xff, 0xff]),
      new Uint8Array([0, 0, 2, 0xff, 0xff]),
      frame((e) => {
        encoding.writeVarUint(e, 1);
        encoding.writeVarUint8Array(
          e,
          frame((a) => {
            encoding.writeVarUint(a, 1);
            encoding.writeVarUint(a, 5);
            encoding.writeVarUint(a, 1);
            encoding.writeVarString(a, '{not json');
          }),
        );
      }),
      new Uint8Array([3, 0]),
      new Uint8Array([0, 2, 10, 0]),
    ];
    for (const f of bad) expect(() => parseLiveFrame(f), `frame ${f.join(',')}`).toThrow(ProtocolError);
  });

  it('refuses an update larger than a pull page may carry', () => {
    const doc = new Y.Doc();
    doc.getText('t').insert(0, 'x'.repeat(LIMITS.maxUpdateBytes));
    const big = frame((e) => {
      encoding.writeVarUint(e, 0);
      syncProtocol.writeUpdate(e, Y.encodeStateAsUpdate(doc));
    });
    expect(() => parseLiveFrame(big)).toThrow(/too large/);
  });
});

const row = (seq: number, doc: string, data: Uint8Array): UpdateRow => ({ seq, doc, unit: '20209', device: 'd', batchId: 'b', data, receivedAt: 0 });

describe('pull pages', () => {
  it('merges a doc’s rows into one item carrying the highest seq, in seq order', () => {
    const page = buildPullPage({
      rows: [row(1, 'a', fieldsUpdate({ x: 1 })), row(2, 'b', fieldsUpdate({ y: 2 })), row(3, 'a', fieldsUpdate({ z: 3 }))],
      lastScanned: 5,
      more: false,
    });
    expect(page.cursor).toBe(5);
    expect(page.items.map((i) => [i.doc, i.seq])).toEqual([
      ['b', 2],
      ['a', 3],
    ]);
    expect(readFields([page.items[1]?.update ?? new Uint8Array()])).toEqual({ x: 1, z: 3 });
  });

  it('merges in bounded chunks, and cuts a page by bytes with the cursor at the last row sent', () => {
    const many = Array.from({ length: MERGE_CHUNK_ROWS + 1 }, (_, i) => row(i + 1, 'a', fieldsUpdate({ [`k${i}`]: i })));
    const chunked = buildPullPage({ rows: many, lastScanned: many.length, more: false });
    expect(chunked.items.map((i) => i.seq)).toEqual([MERGE_CHUNK_ROWS, MERGE_CHUNK_ROWS + 1]);

    const big = new Uint8Array(LIMITS.maxUpdateBytes - 10);
    const rows = Array.from({ length: 6 }, (_, i) => row(i + 1, `d${i}`, big));
    const cut = buildPullPage({ rows, lastScanned: 6, more: false });
    const sent = Math.floor(PULL_PAGE_BYTES / big.byteLength);
    expect(cut).toMatchObject({ cursor: sent, more: true });
    expect(cut.items).toHaveLength(sent);
  });
});
