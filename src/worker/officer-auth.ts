/**
 * Officer sign-in that works offline (S23): the server hands the unit's officers to the device as
 * PBKDF2-SHA256 hashes (never passwords); the device checks a password with WebCrypto. The parameters
 * must match sync-server/auth.ts. A hash made with fewer iterations than UPGRADE_ITERATIONS (the
 * 100,000 of older servers) is upgraded on the device at the first sign-in that verifies it: the
 * device keeps its own 600,000-iteration verifier, used while the server's record is unchanged.
 */
import type { OfficerCredential } from '../protocol/http.ts';

/** Iterations of the hashes the server makes now (sync-server/auth.ts PASSWORD_HASH). */
export const UPGRADE_ITERATIONS = 600_000;

/** A device-side verifier of one officer, valid while the server's salt and hash are these. */
export interface LocalVerifier {
  readonly serverSalt: string;
  readonly serverHash: string;
  readonly salt: string;
  readonly hash: string;
  readonly iterations: number;
}

export type Verifiers = Record<string, LocalVerifier>;

function fromBase64(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function toBase64(bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
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

async function matches(password: string, salt: string, hash: string, iterations: number): Promise<boolean> {
  if (hash === '' || iterations < 1) return false;
  return sameBytes(await pbkdf2(password, fromBase64(salt), iterations), fromBase64(hash));
}

/** The officer who may sign in with this username: a disabled one never can. */
export function findOfficer(officers: readonly OfficerCredential[], username: string): OfficerCredential | undefined {
  const name = username.trim().toLowerCase();
  return officers.find((o) => o.username === name && o.disabled !== true);
}

/** Whether a verifier still stands for the server's record of the officer (a reset drops it). */
export const verifierFits = (v: LocalVerifier | undefined, o: OfficerCredential): v is LocalVerifier =>
  v !== undefined && v.serverSalt === o.salt && v.serverHash === o.hash;

export interface Verified {
  readonly officer: OfficerCredential;
  /** A new verifier to keep (the server's hash had fewer iterations than UPGRADE_ITERATIONS). */
  readonly upgrade: LocalVerifier | null;
}

export async function verifyOfficer(
  officers: readonly OfficerCredential[],
  username: string,
  password: string,
  verifiers: Verifiers = {},
): Promise<Verified | null> {
  const officer = findOfficer(officers, username);
  if (officer === undefined) return null;
  const local = verifiers[officer.id];
  if (verifierFits(local, officer)) {
    return (await matches(password, local.salt, local.hash, local.iterations)) ? { officer, upgrade: null } : null;
  }
  if (!(await matches(password, officer.salt, officer.hash, officer.iterations))) return null;
  if (officer.iterations >= UPGRADE_ITERATIONS) return { officer, upgrade: null };
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const hash = await pbkdf2(password, salt, UPGRADE_ITERATIONS);
  return {
    officer,
    upgrade: { serverSalt: officer.salt, serverHash: officer.hash, salt: toBase64(salt), hash: toBase64(hash), iterations: UPGRADE_ITERATIONS },
  };
}
