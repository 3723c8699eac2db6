/**
 * Officer sign-in that works offline: the server hands the unit's officers to the device at enrollment
 * as PBKDF2-SHA256 hashes (never passwords); the device checks a password with WebCrypto. The
 * parameters must match sync-server/auth.ts.
 */
import type { OfficerCredential } from '../protocol/http.ts';

function fromBase64(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export async function pbkdf2(password: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(password), 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, key, 256);
  return new Uint8Array(bits);
}

/** Compares without an early exit, so timing does not tell how many bytes matched. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

export async function verifyOfficer(
  officers: readonly OfficerCredential[],
  username: string,
  password: string,
): Promise<OfficerCredential | null> {
  const officer = officers.find((o) => o.username === username.trim().toLowerCase());
  if (officer === undefined) return null;
  const derived = await pbkdf2(password, fromBase64(officer.salt), officer.iterations);
  return sameBytes(derived, fromBase64(officer.hash)) ? officer : null;
}
