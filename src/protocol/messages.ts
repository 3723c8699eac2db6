/**
 * The catch-up channel's messages and their binary codec (lib0 encoding, like y-protocols).
 * Every frame is validated on arrival on both sides: a frame that does not decode completely, carries
 * trailing bytes, or breaks a limit throws ProtocolError, which the receiver turns into a BadFrame close.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { AppError } from '../domain/errors.ts';
import { LIMITS, MsgType } from './constants.ts';
import { isUnitCode, parseDocName } from './doc-names.ts';

export class ProtocolError extends AppError {
  constructor(message: string) {
    super('bad_frame', message);
  }
}

export interface PushItem {
  readonly doc: string;
  readonly update: Uint8Array;
}
/**
 * Any-center intake (rule S12): from the batch that carries it on, devices of `unit` read and write
 * `doc` although its name holds another home unit. Idempotent; a grant to the home unit changes nothing.
 */
export interface Grant {
  readonly doc: string;
  /** A commune's 5-digit code, which the server must know. */
  readonly unit: string;
}
export interface PullItem {
  readonly doc: string;
  /** Highest server sequence number merged into this update. */
  readonly seq: number;
  readonly update: Uint8Array;
  /**
   * JSON of the doc's list row as the server projected it (the last item of a dossier doc in a page),
   * or ''. A device holding nothing of the doc stores it with the update instead of decoding the
   * doc: how a new device takes in a year of its commune at thousands of dossiers a second.
   */
  readonly row?: string;
}
export interface Block {
  /** Day as YYMMDD (Vietnam time). */
  readonly day: string;
  /** Inclusive range of dossier numbers for that day. */
  readonly start: number;
  readonly end: number;
}

export type Message =
  | {
      readonly type: typeof MsgType.Welcome;
      readonly protocol: number;
      readonly deviceId: string;
      readonly unit: string;
      readonly headSeq: number;
      readonly serverTime: number;
      /** The device's last batch the server stored, so a batch confirmed just before a drop is not re-sent. */
      readonly lastBatchId: string;
      readonly lastBatchSeqs: readonly number[];
    }
  | {
      readonly type: typeof MsgType.Push;
      readonly batchId: string;
      readonly items: readonly PushItem[];
      /**
       * Written with the batch, in the same transaction. Always on the wire (a count, then each grant
       * after the items); optional here only so a sender with none may leave it out. Decoded: always set.
       */
      readonly grants?: readonly Grant[];
    }
  | {
      readonly type: typeof MsgType.PushAck;
      readonly batchId: string;
      readonly seqs: readonly number[];
      readonly headSeq: number;
      readonly serverTime: number;
    }
  | { readonly type: typeof MsgType.Pull; readonly since: number; readonly limit: number }
  | {
      readonly type: typeof MsgType.PullBatch;
      readonly items: readonly PullItem[];
      readonly cursor: number;
      readonly more: boolean;
    }
  | { readonly type: typeof MsgType.Notify; readonly headSeq: number }
  | { readonly type: typeof MsgType.Error; readonly code: number; readonly message: string; readonly ref: string }
  | { readonly type: typeof MsgType.Reserve; readonly reqId: number; readonly days: readonly string[]; readonly size: number }
  | { readonly type: typeof MsgType.Reserved; readonly reqId: number; readonly blocks: readonly Block[] }
  | { readonly type: typeof MsgType.Ping; readonly nonce: number }
  | { readonly type: typeof MsgType.Pong; readonly nonce: number };

export type MessageOf<T extends MsgType> = Extract<Message, { type: T }>;

const DAY_RE = /^\d{6}$/;

function writeSeqs(enc: encoding.Encoder, seqs: readonly number[]): void {
  // Delta-encoded: a batch's seqs are nearly contiguous, so each costs about one byte.
  encoding.writeVarUint(enc, seqs.length);
  let prev = 0;
  for (const s of seqs) {
    encoding.writeVarUint(enc, s - prev);
    prev = s;
  }
}

function readSeqs(dec: decoding.Decoder, max: number): number[] {
  const n = readCount(dec, max, 'seqs');
  const out: number[] = [];
  let prev = 0;
  for (let i = 0; i < n; i++) {
    prev += decoding.readVarUint(dec);
    out.push(prev);
  }
  return out;
}

function readCount(dec: decoding.Decoder, max: number, what: string): number {
  const n = decoding.readVarUint(dec);
  if (n > max) throw new ProtocolError(`${what}: ${n} exceeds ${max}`);
  return n;
}

function readString(dec: decoding.Decoder, max: number, what: string): string {
  const s = decoding.readVarString(dec);
  if (s.length > max) throw new ProtocolError(`${what}: too long`);
  return s;
}

function readDoc(dec: decoding.Decoder): string {
  const doc = readString(dec, LIMITS.maxDocNameLength, 'doc');
  if (parseDocName(doc) === null) throw new ProtocolError('doc: malformed name');
  return doc;
}

function readUpdate(dec: decoding.Decoder): Uint8Array {
  const len = decoding.peekVarUint(dec);
  if (len > LIMITS.maxUpdateBytes) throw new ProtocolError('update: too large');
  // Copy: the decoder's view points into the frame buffer, which the transport may reuse.
  return decoding.readVarUint8Array(dec).slice();
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
      break;
    case MsgType.Reserved:
      encoding.writeVarUint(enc, msg.reqId);
      encoding.writeVarUint(enc, msg.blocks.length);
      for (const b of msg.blocks) {
        encoding.writeVarString(enc, b.day);
        encoding.writeVarUint(enc, b.start);
        encoding.writeVarUint(enc, b.end);
      }
      break;
    case MsgType.Ping:
    case MsgType.Pong:
      encoding.writeVarUint(enc, msg.nonce);
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
      return { type, reqId, days, size };
    }
    case MsgType.Reserved: {
      const reqId = decoding.readVarUint(dec);
      const n = readCount(dec, LIMITS.maxReserveDays, 'blocks');
      const blocks: Block[] = [];
      for (let i = 0; i < n; i++) {
        const day = readString(dec, 6, 'day');
        if (!DAY_RE.test(day)) throw new ProtocolError('day: not YYMMDD');
        const start = decoding.readVarUint(dec);
        const end = decoding.readVarUint(dec);
        if (end < start) throw new ProtocolError('block: end before start');
        blocks.push({ day, start, end });
      }
      return { type, reqId, blocks };
    }
    case MsgType.Ping:
    case MsgType.Pong:
      return { type, nonce: decoding.readVarUint(dec) };
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
