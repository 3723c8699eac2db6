/** First-start data, and the officer password hashes that devices check offline with WebCrypto. */
import { describe, expect, it } from 'vitest';
import { hashEnrollmentCode, hashPassword, PASSWORD_HASH, verifyPassword } from '../../sync-server/auth.ts';
import { DEMO_PASSWORD, DEMO_UNIT, loadUnits, seedIfEmpty, unusedDemoCode } from '../../sync-server/seed.ts';
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

  it('seeds an empty store once: units, two demo officers, one single-use demo code', async () => {
    const store = new MemoryStore();
    expect(await seedIfEmpty(store)).toBe(true);
    expect(await store.listUnits()).toHaveLength(94);
    const officers = await store.listOfficers(DEMO_UNIT);
    expect(officers.map((o) => [o.username, o.displayName, o.role])).toEqual([
      ['demo', 'Cán bộ Demo', 'counter'],
      ['lanhdao', 'Lãnh đạo Demo', 'leader'],
    ]);
    for (const o of officers) {
      expect(o.iterations).toBe(100_000);
      expect(Buffer.from(o.salt, 'base64')).toHaveLength(16);
      expect(await webCryptoCheck(DEMO_PASSWORD, o.salt, o.iterations)).toBe(o.hash);
    }
    const code = await unusedDemoCode(store);
    expect(code).not.toBeNull();
    expect((await store.getEnrollment(hashEnrollmentCode(code ?? '')))?.usesLeft).toBe(1);

    expect(await seedIfEmpty(store)).toBe(false);
    expect(await unusedDemoCode(store)).toBe(code);
    await store.enrollDevice(hashEnrollmentCode(code ?? ''), Date.now(), { id: 'd', label: 'x', tokenHash: 'h', createdAt: 1 });
    expect(await unusedDemoCode(store)).toBeNull();
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
