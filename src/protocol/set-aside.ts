/**
 * What a device tells the server about the changes it set aside (S22): sent as the message of a
 * MsgType.Error with ErrorCode.SetAside at each connection while any are set aside. No personal data:
 * counts, close codes, and doc names (a unit code and a random UUID).
 */
import { LIMITS } from './constants.ts';
import { parseDocName } from './doc-names.ts';

export interface SetAsideReport {
  /** Outbox rows set aside. */
  rows: number;
  /** The docs they belong to, as many as fit in the message (docCount says how many there are). */
  docs: string[];
  docCount: number;
  /** The close codes they were refused with (CloseCode.MessageTooBig: too large to send), ascending. */
  codes: number[];
  /** When the oldest was set aside (ms). */
  oldestAt: number;
}

/** MsgType.Error's message is a string of at most this many characters (messages.ts). */
export const MAX_REPORT_CHARS = 1000;

/** The report as JSON within MAX_REPORT_CHARS: docs that do not fit are left out of the list, not the count. */
export function encodeSetAsideReport(r: SetAsideReport): string {
  let docs = r.docs;
  let text = JSON.stringify({ ...r, docs });
  while (text.length > MAX_REPORT_CHARS && docs.length > 0) {
    docs = docs.slice(0, Math.floor(docs.length / 2));
    text = JSON.stringify({ ...r, docs });
  }
  return text;
}

const count = (v: unknown, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;

/** A report read defensively (it comes from a device): null for anything not shaped like one. */
export function parseSetAsideReport(text: string): SetAsideReport | null {
  if (text.length > MAX_REPORT_CHARS) return null;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
  const o = v as Record<string, unknown>;
  const { rows, docs, docCount, codes, oldestAt } = o;
  if (!count(rows, Number.MAX_SAFE_INTEGER) || !count(docCount, Number.MAX_SAFE_INTEGER) || !count(oldestAt, Number.MAX_SAFE_INTEGER)) return null;
  if (!Array.isArray(docs) || !docs.every((d) => typeof d === 'string' && d.length <= LIMITS.maxDocNameLength && parseDocName(d) !== null)) return null;
  if (!Array.isArray(codes) || codes.length > 64 || !codes.every((c) => count(c, 4999))) return null;
  return { rows, docs: docs as string[], docCount, codes: codes as number[], oldestAt };
}
