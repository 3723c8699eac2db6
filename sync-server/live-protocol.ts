/**
 * The y-websocket wire format, as the stock client speaks it (y-websocket 3, y-protocols 1):
 * a varuint message type, 0 sync (then a y-protocols sync message) or 1 awareness (then a varuint8array
 * awareness update); 3 asks for everyone's awareness. Frames are parsed completely, and checked, before
 * anything is applied, so a bad frame changes nothing and closes only its own socket.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import { LIMITS } from '../src/protocol/constants.ts';
import { ProtocolError } from '../src/protocol/messages.ts';
import { checkStateVector, checkYjsUpdate } from './yupdates.ts';

export const LiveMsg = { sync: 0, awareness: 1, auth: 2, queryAwareness: 3 } as const;

export type LiveFrame =
  | { readonly kind: 'step1'; readonly stateVector: Uint8Array }
  /** Sync step 2 and incremental updates both carry a Yjs update the server must store. */
  | { readonly kind: 'update'; readonly update: Uint8Array; readonly empty: boolean }
  | { readonly kind: 'awareness'; readonly update: Uint8Array }
  | { readonly kind: 'queryAwareness' };

function parseUnchecked(dec: decoding.Decoder): LiveFrame {
  const type = decoding.readVarUint(dec);
  switch (type) {
    case LiveMsg.sync: {
      const sub = decoding.readVarUint(dec);
      const payload = decoding.readVarUint8Array(dec).slice();
      if (sub === syncProtocol.messageYjsSyncStep1) {
        checkStateVector(payload);
        return { kind: 'step1', stateVector: payload };
      }
      if (sub === syncProtocol.messageYjsSyncStep2 || sub === syncProtocol.messageYjsUpdate) {
        // Stored rows travel again in pull pages, whose decoder refuses updates past this limit.
        if (payload.byteLength > LIMITS.maxUpdateBytes) throw new ProtocolError('update: too large');
        return { kind: 'update', update: payload, empty: checkYjsUpdate(payload).empty };
      }
      throw new ProtocolError(`sync: unknown step ${sub}`);
    }
    case LiveMsg.awareness: {
      const update = decoding.readVarUint8Array(dec).slice();
      checkAwarenessUpdate(update);
      return { kind: 'awareness', update };
    }
    case LiveMsg.queryAwareness:
      return { kind: 'queryAwareness' };
    default:
      throw new ProtocolError(`live: unknown message type ${type}`);
  }
}

/** Parses one frame; ProtocolError for anything truncated, unknown, undecodable or with trailing bytes. */
export function parseLiveFrame(frame: Uint8Array): LiveFrame {
  const dec = decoding.createDecoder(frame);
  let parsed: LiveFrame;
  try {
    parsed = parseUnchecked(dec);
  } catch (e) {
    if (e instanceof ProtocolError) throw e;
    throw new ProtocolError(`live: undecodable frame: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (decoding.hasContent(dec)) throw new ProtocolError('live: trailing bytes');
  return parsed;
}

/**
 * An awareness update is a list of (client id, clock, JSON state). Checked in full up front because
 * y-protocols applies entries one by one and would keep the ones before a bad entry.
 */
function checkAwarenessUpdate(update: Uint8Array): void {
  const dec = decoding.createDecoder(update);
  const n = decoding.readVarUint(dec);
  for (let i = 0; i < n; i++) {
    decoding.readVarUint(dec);
    decoding.readVarUint(dec);
    JSON.parse(decoding.readVarString(dec));
  }
  if (decoding.hasContent(dec)) throw new ProtocolError('awareness: trailing bytes');
}

export function encodeSync(write: (enc: encoding.Encoder) => void): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, LiveMsg.sync);
  write(enc);
  return encoding.toUint8Array(enc);
}

export function encodeAwareness(update: Uint8Array): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, LiveMsg.awareness);
  encoding.writeVarUint8Array(enc, update);
  return encoding.toUint8Array(enc);
}
