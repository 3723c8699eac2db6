/** First-start data, and the officer password hashes that devices check offline with WebCrypto. */
import { describe, expect, it } from 'vitest';
import { hashEnrollmentCode, hashPassword, PASSWORD_HASH, verifyPassword } from '../../sync-server/auth.ts';
import {
  DEMO_CODE_TTL_MS,
  DEMO_PASSWORD,
  DEMO_UNIT,
  isDemoStore,
  loadUnits,
  productionProblems,
  seedDemo,
  seedIfEmpty,
} from '../../sync-server/seed.ts';
import { MemoryStore } from '../../sync-server/store/memory.ts';

/** What the browser does: PBKDF2-SHA256 with WebCrypto, compared with the stored base64 hash. */
async function webCryptoCheck(password: string, salt: string, iterations: number): Promise<string> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(password), 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits(
    { name: 'PBKDF2', hash: 'SHA-256', salt: Buffer.from(salt, 'base64'), iterations },
    key,
    256,
  );
  return Buffer.from(bits).toString('base64');
}

describe('seed', () => {
  it('loads the 94 units of Đà Nẵng from the bundled file', () => {
    const units = loadUnits();
    expect(units).toHaveLength(94);
    expect(units.find((u) => u.code === DEMO_UNIT)?.name).toBe('Phường Thanh Khê');
  });

  it('seeds the units of an empty store once, and no demo data', async () => {
    const store = new MemoryStore();
    expect(await seedIfEmpty(store)).toBe(true);
    expect(await store.listUnits()).toHaveLength(94);
    expect(await seedIfEmpty(store)).toBe(false);
    expect(await store.listOfficers(DEMO_UNIT)).toEqual([]);
    expect(await isDemoStore(store)).toBe(false);
    expect(await productionProblems(store)).toEqual([]);
  });

  it('demo mode: two demo officers once, a single-use demo code that expires, renewed once used or expired', async () => {
    const store = new MemoryStore();
    await seedIfEmpty(store);
    const now = Date.UTC(2026, 11, 1);
    const first = await seedDemo(store, now);
    expect(first.officersCreated).toBe(true);
    expect(first.expiresAt).toBe(now + DEMO_CODE_TTL_MS);
    expect(DEMO_PASSWORD.length).toBeGreaterThanOrEqual(10);
    const officers = await store.listOfficers(DEMO_UNIT);
    expect(officers.map((o) => [o.username, o.displayName, o.role])).toEqual([
      ['demo', 'Cán bộ Demo', 'counter'],
      ['lanhdao', 'Lãnh đạo Demo', 'leader'],
    ]);
    for (const o of officers) {
      expect(o.iterations).toBe(PASSWORD_HASH.iterations);
      expect(Buffer.from(o.salt, 'base64')).toHaveLength(16);
      expect(await webCryptoCheck(DEMO_PASSWORD, o.salt, o.iterations)).toBe(o.hash);
    }
    expect(await store.getEnrollment(hashEnrollmentCode(first.code))).toMatchObject({ usesLeft: 1, expiresAt: now + DEMO_CODE_TTL_MS });
    expect(await isDemoStore(store)).toBe(true);

    // A later demo start while the code works: the same code, no new officers.
    const again = await seedDemo(store, now + 1000);
    expect(again).toEqual({ officersCreated: false, code: first.code, expiresAt: first.expiresAt });
    expect(await store.listOfficers(DEMO_UNIT)).toHaveLength(2);
    // Used: the next demo start makes a new one.
    await store.enrollDevice(hashEnrollmentCode(first.code), now + 2000, { id: 'd', label: 'x', tokenHash: 'h', createdAt: 1 });
    const renewed = await seedDemo(store, now + 3000);
    expect(renewed.code).not.toBe(first.code);
    // Expired: a new one too.
    const expired = await seedDemo(store, renewed.expiresAt);
    expect(expired.code).not.toBe(renewed.code);
    expect(expired.expiresAt).toBe(renewed.expiresAt + DEMO_CODE_TTL_MS);
  });

  it('production refuses demo officers seeded before the marker existed, by their usernames', async () => {
    const store = new MemoryStore();
    await seedIfEmpty(store);
    await store.putOfficer({ id: 'o', unit: DEMO_UNIT, username: 'lanhdao', displayName: 'x', role: 'leader', ...(await hashPassword('0123456789')) });
    expect(await productionProblems(store)).toEqual(['có tài khoản cán bộ thử (demo) / demo officer accounts are present']);
    const other = new MemoryStore();
    await seedIfEmpty(other);
    await other.putOfficer({ id: 'o', unit: '20194', username: 'lanhdao', displayName: 'x', role: 'leader', ...(await hashPassword('0123456789')) });
    expect(await productionProblems(other)).toEqual([]);
  });
});

describe('officer password hashes', () => {
  it('use PBKDF2-SHA256, 600,000 iterations, a 16-byte salt and a 32-byte key, as WebCrypto checks them', async () => {
    expect(PASSWORD_HASH).toEqual({ iterations: 600_000, saltBytes: 16, keyBytes: 32, digest: 'sha256' });
    const h = await hashPassword('mật khẩu');
    expect(Buffer.from(h.hash, 'base64')).toHaveLength(32);
    expect(await webCryptoCheck('mật khẩu', h.salt, h.iterations)).toBe(h.hash);
    expect(await verifyPassword('mật khẩu', h)).toBe(true);
    expect(await verifyPassword('mat khau', h)).toBe(false);
  });
});
