/**
 * The catch-up channel's messages and their binary codec (lib0 encoding, like y-protocols).
 * Every frame is validated on arrival on both sides: a frame that does not decode completely, carries
 * trailing bytes, or breaks a limit throws ProtocolError, which the receiver turns into a BadFrame close.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { ProtocolError, readBytes, readCount, readDoc, readSeqs, readString, readUpdate, writeSeqs } from './codec.ts';
import { LIMITS, MsgType } from './constants.ts';
import { isUnitCode } from './doc-names.ts';
import type { Block, DocState, Grant, Message, PullItem, PushItem } from './message-types.ts';

export { ProtocolError } from './codec.ts';

export type { Block, DocState, Grant, Message, MessageOf, PullItem, PushItem } from './message-types.ts';

const DAY_RE = /^\d{6}$/;

function writeBlocks(enc: encoding.Encoder, blocks: readonly Block[]): void {
  encoding.writeVarUint(enc, blocks.length);
  for (const b of blocks) {
    encoding.writeVarString(enc, b.day);
    encoding.writeVarUint(enc, b.start);
    encoding.writeVarUint(enc, b.end);
  }
}

function readBlocks(dec: decoding.Decoder, what: string): Block[] {
  const n = readCount(dec, LIMITS.maxReserveDays, what);
  const blocks: Block[] = [];
  for (let i = 0; i < n; i++) {
    const day = readString(dec, 6, 'day');
    if (!DAY_RE.test(day)) throw new ProtocolError('day: not YYMMDD');
    const start = decoding.readVarUint(dec);
    const end = decoding.readVarUint(dec);
    if (end < start) throw new ProtocolError('block: end before start');
    blocks.push({ day, start, end });
  }
  return blocks;
}

export function encodeMessage(msg: Message): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, msg.type);
  switch (msg.type) {
    case MsgType.Welcome:
      encoding.writeVarUint(enc, msg.protocol);
      encoding.writeVarString(enc, msg.deviceId);
      encoding.writeVarString(enc, msg.unit);
      encoding.writeVarUint(enc, msg.headSeq);
      encoding.writeVarUint(enc, msg.serverTime);
      encoding.writeVarString(enc, msg.lastBatchId);
      writeSeqs(enc, msg.lastBatchSeqs);
      break;
    case MsgType.Push:
      encoding.writeVarString(enc, msg.batchId);
      encoding.writeVarUint(enc, msg.items.length);
      for (const it of msg.items) {
        encoding.writeVarString(enc, it.doc);
        encoding.writeVarUint8Array(enc, it.update);
      }
      encoding.writeVarUint(enc, msg.grants?.length ?? 0);
      for (const g of msg.grants ?? []) {
        encoding.writeVarString(enc, g.doc);
        encoding.writeVarString(enc, g.unit);
      }
      break;
    case MsgType.PushAck:
      encoding.writeVarString(enc, msg.batchId);
      writeSeqs(enc, msg.seqs);
      encoding.writeVarUint(enc, msg.headSeq);
      encoding.writeVarUint(enc, msg.serverTime);
      break;
    case MsgType.Pull:
      encoding.writeVarUint(enc, msg.since);
      encoding.writeVarUint(enc, msg.limit);
      break;
    case MsgType.PullBatch:
      encoding.writeVarUint(enc, msg.cursor);
      encoding.writeVarUint(enc, msg.more ? 1 : 0);
      encoding.writeVarUint(enc, msg.items.length);
      for (const it of msg.items) {
        encoding.writeVarString(enc, it.doc);
        encoding.writeVarUint(enc, it.seq);
        encoding.writeVarUint8Array(enc, it.update);
        encoding.writeVarString(enc, it.row ?? '');
      }
      break;
    case MsgType.Notify:
      encoding.writeVarUint(enc, msg.headSeq);
      break;
    case MsgType.Error:
      encoding.writeVarUint(enc, msg.code);
      encoding.writeVarString(enc, msg.message);
      encoding.writeVarString(enc, msg.ref);
      break;
    case MsgType.Reserve:
      encoding.writeVarUint(enc, msg.reqId);
      encoding.writeVarUint(enc, msg.days.length);
      for (const d of msg.days) encoding.writeVarString(enc, d);
      encoding.writeVarUint(enc, msg.size);
      writeBlocks(enc, msg.held ?? []);
      break;
    case MsgType.Reserved:
      encoding.writeVarUint(enc, msg.reqId);
      writeBlocks(enc, msg.blocks);
      break;
    case MsgType.Ping:
    case MsgType.Pong:
      encoding.writeVarUint(enc, msg.nonce);
      break;
    case MsgType.Epoch:
      encoding.writeVarString(enc, msg.epoch);
      encoding.writeVarString(enc, msg.parentEpoch);
      encoding.writeVarUint(enc, msg.forkSeq);
      break;
    case MsgType.AskStates:
      encoding.writeVarUint(enc, msg.reqId);
      encoding.writeVarUint(enc, msg.docs.length);
      for (const d of msg.docs) encoding.writeVarString(enc, d);
      break;
    case MsgType.States:
      encoding.writeVarUint(enc, msg.reqId);
      encoding.writeVarUint(enc, msg.states.length);
      for (const st of msg.states) {
        encoding.writeVarString(enc, st.doc);
        encoding.writeVarUint(enc, st.state === null ? 0 : 1);
        if (st.state !== null) encoding.writeVarUint8Array(enc, st.state);
      }
      break;
  }
  return encoding.toUint8Array(enc);
}

function decodeBody(dec: decoding.Decoder, type: number): Message {
  switch (type) {
    case MsgType.Welcome: {
      const protocol = decoding.readVarUint(dec);
      const deviceId = readString(dec, 64, 'deviceId');
      const unit = readString(dec, 16, 'unit');
      const headSeq = decoding.readVarUint(dec);
      const serverTime = decoding.readVarUint(dec);
      const lastBatchId = readString(dec, LIMITS.maxBatchIdLength, 'batchId');
      const lastBatchSeqs = readSeqs(dec, LIMITS.maxBatchItems);
      return { type, protocol, deviceId, unit, headSeq, serverTime, lastBatchId, lastBatchSeqs };
    }
    case MsgType.Push: {
      const batchId = readString(dec, LIMITS.maxBatchIdLength, 'batchId');
      if (batchId.length === 0) throw new ProtocolError('batchId: empty');
      const n = readCount(dec, LIMITS.maxBatchItems, 'items');
      const items: PushItem[] = [];
      for (let i = 0; i < n; i++) items.push({ doc: readDoc(dec), update: readUpdate(dec) });
      const g = readCount(dec, LIMITS.maxBatchGrants, 'grants');
      const grants: Grant[] = [];
      for (let i = 0; i < g; i++) {
        const doc = readDoc(dec);
        const unit = readString(dec, 5, 'unit');
        if (!isUnitCode(unit)) throw new ProtocolError('grant: unit is not a 5-digit code');
        grants.push({ doc, unit });
      }
      return { type, batchId, items, grants };
    }
    case MsgType.PushAck: {
      const batchId = readString(dec, LIMITS.maxBatchIdLength, 'batchId');
      const seqs = readSeqs(dec, LIMITS.maxBatchItems);
      return { type, batchId, seqs, headSeq: decoding.readVarUint(dec), serverTime: decoding.readVarUint(dec) };
    }
    case MsgType.Pull: {
      const since = decoding.readVarUint(dec);
      const limit = decoding.readVarUint(dec);
      if (limit === 0 || limit > LIMITS.maxPullRows) throw new ProtocolError('pull: bad limit');
      return { type, since, limit };
    }
    case MsgType.PullBatch: {
      const cursor = decoding.readVarUint(dec);
      const more = decoding.readVarUint(dec) === 1;
      const n = readCount(dec, LIMITS.maxPullRows, 'items');
      const items: PullItem[] = [];
      for (let i = 0; i < n; i++) {
        const doc = readDoc(dec);
        const seq = decoding.readVarUint(dec);
        const update = readUpdate(dec);
        const row = readString(dec, LIMITS.maxRowChars, 'row');
        items.push(row === '' ? { doc, seq, update } : { doc, seq, update, row });
      }
      return { type, items, cursor, more };
    }
    case MsgType.Notify:
      return { type, headSeq: decoding.readVarUint(dec) };
    case MsgType.Error:
      return { type, code: decoding.readVarUint(dec), message: readString(dec, 1000, 'message'), ref: readString(dec, 200, 'ref') };
    case MsgType.Reserve: {
      const reqId = decoding.readVarUint(dec);
      const n = readCount(dec, LIMITS.maxReserveDays, 'days');
      const days: string[] = [];
      for (let i = 0; i < n; i++) {
        const d = readString(dec, 6, 'day');
        if (!DAY_RE.test(d)) throw new ProtocolError('day: not YYMMDD');
        days.push(d);
      }
      const size = decoding.readVarUint(dec);
      if (size === 0 || size > LIMITS.maxBlockSize) throw new ProtocolError('reserve: bad size');
      return { type, reqId, days, size, held: readBlocks(dec, 'held') };
    }
    case MsgType.Reserved: {
      const reqId = decoding.readVarUint(dec);
      return { type, reqId, blocks: readBlocks(dec, 'blocks') };
    }
    case MsgType.Ping:
    case MsgType.Pong:
      return { type, nonce: decoding.readVarUint(dec) };
    case MsgType.Epoch: {
      const epoch = readString(dec, LIMITS.maxEpochLength, 'epoch');
      if (epoch === '') throw new ProtocolError('epoch: empty');
      const parentEpoch = readString(dec, LIMITS.maxEpochLength, 'parentEpoch');
      return { type, epoch, parentEpoch, forkSeq: decoding.readVarUint(dec) };
    }
    case MsgType.AskStates: {
      const reqId = decoding.readVarUint(dec);
      const n = readCount(dec, LIMITS.maxStateDocs, 'docs');
      if (n === 0) throw new ProtocolError('docs: none asked');
      const docs: string[] = [];
      for (let i = 0; i < n; i++) docs.push(readDoc(dec));
      return { type, reqId, docs };
    }
    case MsgType.States: {
      const reqId = decoding.readVarUint(dec);
      const n = readCount(dec, LIMITS.maxStateDocs, 'states');
      const states: DocState[] = [];
      for (let i = 0; i < n; i++) {
        const doc = readDoc(dec);
        const known = decoding.readVarUint(dec);
        if (known > 1) throw new ProtocolError('state: bad flag');
        states.push({ doc, state: known === 1 ? readBytes(dec, LIMITS.maxStateBytes, 'state') : null });
      }
      return { type, reqId, states };
    }
    default:
      throw new ProtocolError(`unknown message type ${type}`);
  }
}

/** Decodes one frame; throws ProtocolError for anything malformed, truncated or with trailing bytes. */
export function decodeMessage(frame: Uint8Array): Message {
  if (frame.byteLength > LIMITS.maxMessageBytes) throw new ProtocolError('frame too large');
  const dec = decoding.createDecoder(frame);
  let msg: Message;
  try {
    msg = decodeBody(dec, decoding.readVarUint(dec));
  } catch (e) {
    if (e instanceof ProtocolError) throw e;
    // lib0 throws plain Errors on truncated input ("Unexpected end of array" etc.).
    throw new ProtocolError(`undecodable frame: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (decoding.hasContent(dec)) throw new ProtocolError('trailing bytes after message');
  return msg;
}
