/**
 * Device tokens, the upgrade handshake's subprotocol choice, scope, and officer password hashes.
 *
 * A device token is 32 random bytes in base64url: every character is an RFC 7230 token character, so
 * it can ride in Sec-WebSocket-Protocol (browsers cannot set headers on an upgrade). Only its sha256
 * is stored: a copied database does not let anyone impersonate a device.
 */
import { createHash, pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import { CloseCode, SUBPROTOCOL, TOKEN_PROTOCOL_PREFIX } from '../src/protocol/constants.ts';
import type { Device, SyncStore } from './store/types.ts';

const pbkdf2Async = promisify(pbkdf2);

/** 43 base64url characters: what `newToken` makes. Anything else is refused before hashing. */
const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Comma-separated header values as a list; Node joins repeated headers with ', '. */
function protocolList(req: IncomingMessage): string[] {
  const raw = req.headers['sec-websocket-protocol'];
  if (raw === undefined) return [];
  return raw
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

/** The bearer token of a request: `Authorization: Bearer <t>` (Node clients) or `bearer.<t>` (browsers). */
export function tokenFromRequest(req: IncomingMessage): string | null {
  const auth = req.headers.authorization;
  if (auth !== undefined) {
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    return m?.[1] ?? null;
  }
  const entry = protocolList(req).find((p) => p.startsWith(TOKEN_PROTOCOL_PREFIX));
  return entry === undefined ? null : entry.slice(TOKEN_PROTOCOL_PREFIX.length);
}

/**
 * ws `handleProtocols`: select our subprotocol when offered (a browser fails the handshake if it
 * offered protocols and the server picks one it did not offer) and never the bearer entry, which
 * would echo the token back in the response headers. Offered nothing of ours: select nothing.
 */
export function selectProtocol(protocols: Set<string>): string | false {
  return protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false;
}

export type AuthResult =
  | { readonly ok: true; readonly device: Device }
  | { readonly ok: false; readonly code: typeof CloseCode.Unauthorized | typeof CloseCode.Revoked };

export async function authenticate(store: SyncStore, req: IncomingMessage): Promise<AuthResult> {
  const token = tokenFromRequest(req);
  if (token === null || !TOKEN_RE.test(token)) return { ok: false, code: CloseCode.Unauthorized };
  const device = await store.getDeviceByTokenHash(hashToken(token));
  if (device === null) return { ok: false, code: CloseCode.Unauthorized };
  if (device.revokedAt !== null) return { ok: false, code: CloseCode.Revoked };
  return { ok: true, device };
}

/** The units a device reads and writes: its own commune, or every unit for a department device. */
export function scopeOf(device: Device): readonly string[] | 'all' {
  return device.role === 'department' ? 'all' : [device.unit];
}

export function inScope(device: Device, unit: string): boolean {
  return device.role === 'department' || device.unit === unit;
}

/**
 * Officer passwords (S23): PBKDF2-SHA256, 600,000 iterations (OWASP's figure for PBKDF2-SHA256),
 * 16-byte salt, 32-byte key, base64. Devices verify them offline with WebCrypto (`deriveBits`), so
 * these parameters are part of the protocol. Each hash carries its own iteration count: hashes made
 * with 100,000 before still verify, and a device upgrades them locally (src/worker/officer-auth.ts).
 */
export const PASSWORD_HASH = { iterations: 600_000, saltBytes: 16, keyBytes: 32, digest: 'sha256' } as const;

export const MIN_PASSWORD_LENGTH = 10;

/** Why a new password is refused (Vietnamese), or null when it may be set. */
export function passwordProblem(password: unknown): string | null {
  if (typeof password !== 'string') return 'Thiếu mật khẩu';
  // Counted in code points, as the officer counts what they typed.
  if ([...password].length < MIN_PASSWORD_LENGTH) return `Mật khẩu phải có ít nhất ${MIN_PASSWORD_LENGTH} ký tự`;
  if (password.length > 256) return 'Mật khẩu quá dài (tối đa 256 ký tự)';
  return null;
}

export interface PasswordHash {
  readonly salt: string;
  readonly hash: string;
  readonly iterations: number;
}

export async function hashPassword(password: string, salt: Buffer = randomBytes(PASSWORD_HASH.saltBytes)): Promise<PasswordHash> {
  const key = await pbkdf2Async(password, salt, PASSWORD_HASH.iterations, PASSWORD_HASH.keyBytes, PASSWORD_HASH.digest);
  return { salt: salt.toString('base64'), hash: key.toString('base64'), iterations: PASSWORD_HASH.iterations };
}

export async function verifyPassword(password: string, stored: PasswordHash): Promise<boolean> {
  const expected = Buffer.from(stored.hash, 'base64');
  const key = await pbkdf2Async(password, Buffer.from(stored.salt, 'base64'), stored.iterations, expected.length, PASSWORD_HASH.digest);
  return expected.length > 0 && timingSafeEqual(key, expected);
}

/**
 * Enrollment codes are typed by an officer: 12 characters of Crockford base32 (no I, L, O, U), shown as
 * XXXX-XXXX-XXXX, 60 bits. Input is normalised the Crockford way (case, dashes and spaces ignored;
 * O read as 0, I and L as 1) and only the sha256 of the normal form is stored.
 */
const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export function newEnrollmentCode(): string {
  // 256 is a multiple of 32, so `byte & 31` picks every character with the same probability.
  const chars = [...randomBytes(12)].map((b) => CODE_ALPHABET[b & 31] ?? '0').join('');
  return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8)}`;
}

export function hashEnrollmentCode(code: string): string {
  const normal = code
    .toUpperCase()
    .replace(/[\s-]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  return createHash('sha256').update(normal, 'utf8').digest('hex');
}
