/**
 * The admin API's bearer token. Only its sha256 is kept (setting `admin_token_sha256`), like device
 * tokens: a copied database or backup does not give admin rights, and the token is printed once, when
 * it is made (first start without ADMIN_TOKEN, or `npm run admin-token`). ADMIN_TOKEN from the
 * environment wins over the stored hash and must be long enough not to be guessed.
 */
import { hashToken, newToken } from './auth.ts';
import type { SyncStore } from './store/types.ts';

export const ADMIN_TOKEN_HASH_SETTING = 'admin_token_sha256';
/** Where versions before the hash kept the token itself: read once to hash it, then blanked. */
const LEGACY_SETTING = 'admin_token';
export const MIN_ADMIN_TOKEN_LENGTH = 32;
/** How ServerOptions.adminToken names a hash rather than a token (admin.ts checks either). */
export const HASH_PREFIX = 'sha256:';

export type AdminToken =
  /** From ADMIN_TOKEN: never printed. */
  | { readonly source: 'env'; readonly check: string }
  /** Made now and stored hashed: print it this once. */
  | { readonly source: 'created'; readonly check: string; readonly token: string }
  /** A stored hash from an earlier start (or rotation). */
  | { readonly source: 'stored'; readonly check: string };

/** The refusal message for a short ADMIN_TOKEN, or null when it is fine (or unset). */
export function adminTokenProblem(env: string | undefined): string | null {
  if (env === undefined || env === '' || env.length >= MIN_ADMIN_TOKEN_LENGTH) return null;
  return (
    `ADMIN_TOKEN quá ngắn (${env.length} ký tự, cần ít nhất ${MIN_ADMIN_TOKEN_LENGTH}) / ` +
    `ADMIN_TOKEN is too short (${env.length} characters, at least ${MIN_ADMIN_TOKEN_LENGTH} needed)`
  );
}

/** ADMIN_TOKEN, else the stored hash, else a new token stored hashed. Call adminTokenProblem first. */
export async function resolveAdminToken(store: SyncStore, env: string | undefined): Promise<AdminToken> {
  if (env !== undefined && env !== '') return { source: 'env', check: HASH_PREFIX + hashToken(env) };
  const hash = await store.getSetting(ADMIN_TOKEN_HASH_SETTING);
  if (hash !== null && hash !== '') return { source: 'stored', check: HASH_PREFIX + hash };
  const legacy = await store.getSetting(LEGACY_SETTING);
  if (legacy !== null && legacy !== '') {
    await store.setSetting(ADMIN_TOKEN_HASH_SETTING, hashToken(legacy));
    await store.setSetting(LEGACY_SETTING, '');
    return { source: 'stored', check: HASH_PREFIX + hashToken(legacy) };
  }
  return { source: 'created', ...(await rotateAdminToken(store)) };
}

/** A new token whose hash replaces the stored one; the caller prints the token, once. */
export async function rotateAdminToken(store: SyncStore): Promise<{ token: string; check: string }> {
  const token = newToken();
  await store.setSetting(ADMIN_TOKEN_HASH_SETTING, hashToken(token));
  if (((await store.getSetting(LEGACY_SETTING)) ?? '') !== '') await store.setSetting(LEGACY_SETTING, '');
  return { token, check: HASH_PREFIX + hashToken(token) };
}
