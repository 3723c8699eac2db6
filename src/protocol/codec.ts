/**
 * The pieces every catch-up message is built from, each checked against its limit as it is read: a
 * count, a bounded string, a doc name, a byte string. A reader throws ProtocolError; lib0 throws plain
 * Errors on truncated input, which decodeMessage turns into ProtocolError too.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { AppError } from '../domain/errors.ts';
import { LIMITS } from './constants.ts';
import { parseDocName } from './doc-names.ts';

export class ProtocolError extends AppError {
  constructor(message: string) {
    super('bad_frame', message);
  }
}

export function writeSeqs(enc: encoding.Encoder, seqs: readonly number[]): void {
  // Delta-encoded: a batch's seqs are nearly contiguous, so each costs about one byte.
  encoding.writeVarUint(enc, seqs.length);
  let prev = 0;
  for (const s of seqs) {
    encoding.writeVarUint(enc, s - prev);
    prev = s;
  }
}

export function readSeqs(dec: decoding.Decoder, max: number): number[] {
  const n = readCount(dec, max, 'seqs');
  const out: number[] = [];
  let prev = 0;
  for (let i = 0; i < n; i++) {
    prev += decoding.readVarUint(dec);
    out.push(prev);
  }
  return out;
}

export function readCount(dec: decoding.Decoder, max: number, what: string): number {
  const n = decoding.readVarUint(dec);
  if (n > max) throw new ProtocolError(`${what}: ${n} exceeds ${max}`);
  return n;
}

export function readString(dec: decoding.Decoder, max: number, what: string): string {
  const s = decoding.readVarString(dec);
  if (s.length > max) throw new ProtocolError(`${what}: too long`);
  return s;
}

export function readDoc(dec: decoding.Decoder): string {
  const doc = readString(dec, LIMITS.maxDocNameLength, 'doc');
  if (parseDocName(doc) === null) throw new ProtocolError('doc: malformed name');
  return doc;
}

/** A byte string of at most `max` bytes, refused before it is read. */
export function readBytes(dec: decoding.Decoder, max: number, what: string): Uint8Array {
  const len = decoding.peekVarUint(dec);
  if (len > max) throw new ProtocolError(`${what}: too large`);
  // Copy: the decoder's view points into the frame buffer, which the transport may reuse.
  return decoding.readVarUint8Array(dec).slice();
}

export function readUpdate(dec: decoding.Decoder): Uint8Array {
  return readBytes(dec, LIMITS.maxUpdateBytes, 'update');
}
