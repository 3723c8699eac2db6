/**
 * `npm run serve`, the production start: no demo data, the admin token shown once and kept only as its
 * hash, `npm run admin-token` to rotate it, and the refusals (a store with demo data or a code that
 * never expires, a short ADMIN_TOKEN).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN_HASH_SETTING } from '../../sync-server/admin-token.ts';
import { hashEnrollmentCode, hashToken } from '../../sync-server/auth.ts';
import { DEMO_CODE_SETTING, DEMO_UNIT, loadUnits } from '../../sync-server/seed.ts';
import { SqliteStore } from '../../sync-server/store/sqlite.ts';
import { printed, runToExit, startMain } from './main-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'motcua-prod-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const NEW_TOKEN = 'Mã quản trị mới';

const serve = (dataDir: string, env: Record<string, string> = {}) => startMain({ DATA_DIR: dataDir, STATIC_DIR: join(dir, 'no-dist'), ...env });
const refused = (dataDir: string, env: Record<string, string> = {}) =>
  runToExit('sync-server/main.ts', { DATA_DIR: dataDir, STATIC_DIR: join(dir, 'no-dist'), ...env });

async function adminStatus(port: number, token: string): Promise<number> {
  return (await fetch(`http://127.0.0.1:${port}/api/admin/stats`, { headers: { authorization: `Bearer ${token}` } })).status;
}

/** The SQLite store a run left, opened while no server runs on it. */
async function withStore<T>(dataDir: string, fn: (store: SqliteStore) => Promise<T>): Promise<T> {
  mkdirSync(dataDir, { recursive: true });
  const store = new SqliteStore(join(dataDir, 'motcua.sqlite'));
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

describe('production start (npm run serve)', () => {
  it('seeds no demo data, prints a new admin token once and stores only its sha256; later starts say how to rotate it', async () => {
    const dataDir = join(dir, 'fresh');
    const first = await serve(dataDir);
    const token = printed(first.lines, NEW_TOKEN) ?? '';
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const health = (await (await fetch(`http://127.0.0.1:${first.port}/api/health`)).json()) as { demo?: unknown };
    expect(health.demo).toBe(false);
    expect(await adminStatus(first.port, token)).toBe(200);
    expect(await first.stop()).toBe(0);
    expect(first.lines[1]).toBe('Chế độ vận hành / Production mode');
    const text = first.lines.join('\n');
    expect(text).not.toMatch(/DEMO|Đăng nhập thử|Mã đăng ký/);

    await withStore(dataDir, async (store) => {
      expect(await store.getSetting(ADMIN_TOKEN_HASH_SETTING)).toBe(hashToken(token));
      expect(await store.getSetting('admin_token')).toBeNull();
      expect(await store.getSetting(DEMO_CODE_SETTING)).toBeNull();
      expect(await store.listOfficers(DEMO_UNIT)).toEqual([]);
      expect(await store.listUnits()).toHaveLength(94);
    });

    const second = await serve(dataDir);
    expect(await adminStatus(second.port, token)).toBe(200);
    expect(await adminStatus(second.port, `${token}x`)).toBe(401);
    expect(await second.stop()).toBe(0);
    expect(second.lines.join('\n')).not.toContain(token);
    expect(second.lines).toContain('Đã có mã quản trị; đổi mã: `npm run admin-token` / An admin token exists; to rotate it: `npm run admin-token`');
  }, 60_000);

  it('npm run admin-token replaces the stored hash: after a restart the new token works and the old one does not', async () => {
    const dataDir = join(dir, 'rotate');
    const first = await serve(dataDir);
    const old = printed(first.lines, NEW_TOKEN) ?? '';
    expect(await first.stop()).toBe(0);

    const rotated = await runToExit('sync-server/rotate-admin-token.ts', { DATA_DIR: dataDir });
    expect(rotated.code).toBe(0);
    const fresh = printed(rotated.stdout.split('\n'), NEW_TOKEN) ?? '';
    expect(fresh).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(fresh).not.toBe(old);
    await withStore(dataDir, async (store) => expect(await store.getSetting(ADMIN_TOKEN_HASH_SETTING)).toBe(hashToken(fresh)));

    const run = await serve(dataDir);
    try {
      expect(await adminStatus(run.port, fresh)).toBe(200);
      expect(await adminStatus(run.port, old)).toBe(401);
    } finally {
      expect(await run.stop()).toBe(0);
    }
  }, 60_000);

  it('refuses to start (exit 2, bilingual) on a store where a demo start left demo officers and a demo code', async () => {
    const dataDir = join(dir, 'was-demo');
    const demo = await startMain({ DATA_DIR: dataDir, STATIC_DIR: join(dir, 'no-dist') }, ['--demo']);
    expect(await demo.stop()).toBe(0);
    const exit = await refused(dataDir);
    expect(exit.code).toBe(2);
    expect(exit.stderr).toContain('Không chạy chế độ vận hành trên kho dữ liệu này / Refusing to start in production on this store:');
    expect(exit.stderr).toContain('- có tài khoản cán bộ thử (demo) / demo officer accounts are present');
    expect(exit.stderr).toContain('- có mã đăng ký thiết bị thử (demo) / a demo enrollment code is present');
    expect(exit.stdout).not.toContain('READY');
  }, 60_000);

  it('refuses a store with an enrollment code that never expires (what earlier versions seeded), and nothing else wrong', async () => {
    const dataDir = join(dir, 'legacy-code');
    await withStore(dataDir, async (store) => {
      await store.putUnits(loadUnits());
      await store.createEnrollment({ codeHash: hashEnrollmentCode('AAAA-BBBB-CCCC'), unit: DEMO_UNIT, role: 'counter', usesLeft: 1, expiresAt: null, createdAt: 1 });
      await store.setSetting(DEMO_CODE_SETTING, 'AAAA-BBBB-CCCC');
    });
    const exit = await refused(dataDir);
    expect(exit.code).toBe(2);
    expect(exit.stderr).toContain('- có 1 mã đăng ký thiết bị không hết hạn / 1 enrollment code(s) without expiry are present');
    expect(exit.stderr).not.toContain('tài khoản cán bộ thử');
  }, 60_000);

  it('refuses any code without expiry, even one no demo setting names; a used-up one does not count', async () => {
    const dataDir = join(dir, 'open-ended-code');
    await withStore(dataDir, async (store) => {
      await store.putUnits(loadUnits());
      await store.createEnrollment({ codeHash: hashEnrollmentCode('DDDD-EEEE-FFFF'), unit: DEMO_UNIT, role: 'counter', usesLeft: 3, expiresAt: null, createdAt: 1 });
      await store.createEnrollment({ codeHash: hashEnrollmentCode('GGGG-HHHH-JJJJ'), unit: DEMO_UNIT, role: 'counter', usesLeft: 0, expiresAt: null, createdAt: 1 });
    });
    const exit = await refused(dataDir);
    expect(exit.code).toBe(2);
    expect(exit.stderr).toContain('- có 1 mã đăng ký thiết bị không hết hạn / 1 enrollment code(s) without expiry are present');
    expect(exit.stderr).not.toContain('mã đăng ký thiết bị thử');
  }, 60_000);

  it('refuses an ADMIN_TOKEN shorter than 32 characters before opening the store, and never prints it', async () => {
    const dataDir = join(dir, 'short-token');
    const exit = await refused(dataDir, { ADMIN_TOKEN: 'short-admin-token-31-characters' });
    expect(exit.code).toBe(2);
    expect(exit.stderr).toContain('ADMIN_TOKEN quá ngắn (31 ký tự, cần ít nhất 32) / ADMIN_TOKEN is too short (31 characters, at least 32 needed)');
    expect(exit.stderr + exit.stdout).not.toContain('short-admin-token-31-characters');

    const run = await serve(dataDir, { ADMIN_TOKEN: 'long-admin-token-of-32-characters' });
    try {
      expect(await adminStatus(run.port, 'long-admin-token-of-32-characters')).toBe(200);
      expect(run.lines).toContain('Mã quản trị lấy từ ADMIN_TOKEN / Admin token from ADMIN_TOKEN');
      expect(run.lines.join('\n')).not.toContain('long-admin-token-of-32-characters');
    } finally {
      expect(await run.stop()).toBe(0);
    }
  }, 60_000);

  it('refuses an unknown MOTCUA_MODE', async () => {
    const exit = await refused(join(dir, 'mode'), { MOTCUA_MODE: 'staging' });
    expect(exit.code).toBe(2);
    expect(exit.stderr).toContain('MOTCUA_MODE không hợp lệ / invalid MOTCUA_MODE: staging (demo | production)');
  });
});
