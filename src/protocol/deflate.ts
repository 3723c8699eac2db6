/**
 * The Deflated envelope's compression, on both sides (fflate: pure JS, synchronous, so frames are
 * decoded in arrival order without an async gap). Inflation is bounded: input is fed in small slices
 * and stops as soon as the output passes the limit, so a small "zip bomb" frame cannot make the
 * receiver allocate gigabytes before the check. Raw deflate marks its own end: bytes after the final
 * block are not read (as zlib does), and the inflated message is itself checked for trailing bytes.
 */
import { deflateSync, Inflate } from 'fflate';

/** Deflate can expand input at most ~1032x, so a 1 KB slice adds at most ~1 MB past the limit. */
const SLICE = 1024;

export class InflateLimitError extends Error {}

export function deflateRaw(data: Uint8Array, level: 6 | 9): Uint8Array {
  return deflateSync(data, { level });
}

export function inflateRaw(data: Uint8Array, maxBytes: number): Uint8Array {
  const parts: Uint8Array[] = [];
  let total = 0;
  let done = false;
  const inflater = new Inflate((chunk, final) => {
    total += chunk.byteLength;
    if (total > maxBytes) throw new InflateLimitError(`inflated frame exceeds ${maxBytes} bytes`);
    parts.push(chunk);
    if (final) done = true;
  });
  for (let i = 0; i < data.byteLength; i += SLICE) {
    inflater.push(data.subarray(i, Math.min(data.byteLength, i + SLICE)), i + SLICE >= data.byteLength);
  }
  if (data.byteLength === 0) inflater.push(data, true);
  if (!done) throw new Error('truncated deflate stream');
  if (parts.length === 1) return parts[0] as Uint8Array;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}
