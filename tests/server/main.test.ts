/** The CLI as `npm start` runs it (demo mode): what it prints, and a clean stop on SIGTERM that keeps its data. */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { catalogVersion } from '../../src/domain/catalog-import.ts';
import { parseCatalog } from '../../src/domain/catalog.ts';
import type { CatalogResponse, EnrollResponse } from '../../src/protocol/http.ts';
import { SEED_CATALOG_URL } from '../../sync-server/catalog.ts';
import { createTestDatabase } from '../support/pg.ts';
import { printed, startMain } from './main-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'motcua-main-'));
const seed = parseCatalog(JSON.parse(readFileSync(SEED_CATALOG_URL, 'utf8')));
const seedVersion = catalogVersion(seed.procedures);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A demo start, as `npm start` makes it, with no UI build. */
const start = (env: Record<string, string>) => startMain({ STATIC_DIR: join(dir, 'no-dist'), ...env }, ['--demo']);
const DEMO_CODE = 'Mã đăng ký thiết bị thử';

describe('main.ts', () => {
  it('in demo mode prints DEMO, the URL, demo logins, an expiring demo code and a new admin token once, then READY; stops cleanly on SIGTERM', async () => {
    const dataDir = join(dir, 'data');
    const first = await start({ DATA_DIR: dataDir });
    const health = await fetch(`http://127.0.0.1:${first.port}/api/health`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { demo?: unknown }).demo).toBe(true);
    expect(await first.stop()).toBe(0);
    expect(existsSync(join(dataDir, 'motcua.sqlite'))).toBe(true);

    const url = `http://localhost:${first.port}`;
    const banner = first.lines.slice(0, first.lines.findIndex((l) => l.startsWith('READY')) + 1);
    const code = printed(banner, DEMO_CODE) ?? '';
    const token = printed(banner, 'Mã quản trị mới') ?? '';
    expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const until = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
    expect(banner).toEqual([
      'Máy chủ đồng bộ Một cửa / Motcua sync server',
      'CHẾ ĐỘ DÙNG THỬ (DEMO): không nhập dữ liệu thật / DEMO MODE: do not enter real data',
      `Lưu trữ / Storage: SQLite ${join(dataDir, 'motcua.sqlite')}`,
      'Đã tạo dữ liệu ban đầu / Seeded: 94 đơn vị / units',
      'Đã tạo dữ liệu thử / Demo data created: đơn vị thử / demo unit 20209',
      `Đã công bố danh mục thủ tục / Catalog published: ${seed.procedures.length} thủ tục, phiên bản / version ${seedVersion}`,
      `Địa chỉ / URL: ${url}`,
      `Chưa có giao diện trong ${join(dir, 'no-dist')}: hãy chạy \`npm run build\` / No UI build in ${join(dir, 'no-dist')}: run \`npm run build\``,
      'Đăng nhập thử / Demo login: demo / demo123456, lanhdao / demo123456 (20209 Phường Thanh Khê)',
      `${DEMO_CODE} (1 lượt, đến ${until}) / Demo device enrollment code (1 use, until ${until}): ${code}`,
      `Mã quản trị mới (chỉ hiện lần này, hãy lưu lại) / New admin token (shown only now, keep it): ${token}`,
      `READY port=${first.port}`,
    ]);

    // Second start on the same data: no reseeding, the same code while it is unused; the admin token
    // still works but is not printed again.
    const second = await start({ DATA_DIR: dataDir });
    const stats = await fetch(`http://127.0.0.1:${second.port}/api/admin/stats`, { headers: { authorization: `Bearer ${token}` } });
    expect(stats.status).toBe(200);
    expect(await second.stop()).toBe(0);
    expect(second.lines.some((l) => l.startsWith('Đã tạo dữ liệu'))).toBe(false);
    expect(printed(second.lines, DEMO_CODE)).toBe(code);
    expect(second.lines.join('\n')).not.toContain(token);
    expect(second.lines).toContain('Đã có mã quản trị; đổi mã: `npm run admin-token` / An admin token exists; to rotate it: `npm run admin-token`');
    expect(second.lines.some((l) => l.startsWith('Đã công bố danh mục'))).toBe(false);
  });

  it('with DATABASE_URL, runs as a data-center node on PostgreSQL: two nodes seed once, never print the password, and share one store', async () => {
    const db = await createTestDatabase('motcua_main');
    try {
      const url = new URL(db.url);
      url.password = 'secret-pw';
      // Trust auth accepts any password: the banner must hide it all the same.
      const env = { DATABASE_URL: url.toString(), ADMIN_TOKEN: 'main-test-admin-token-0123456789' };
      const [a, b] = await Promise.all([start(env), start(env)]);
      try {
        for (const run of [a, b]) {
          expect(run.lines[2]).toMatch(/^Lưu trữ \/ Storage: PostgreSQL postgres:\/\/postgres:\*\*\*@/);
          expect(run.lines.join('\n')).not.toContain('secret-pw');
        }
        expect([a, b].filter((r) => r.lines.some((l) => l.startsWith('Đã tạo dữ liệu'))).length).toBe(1);
        const code = printed(a.lines, DEMO_CODE) ?? '';
        // Enrolled through node A, the device is known to node B.
        const enrolled = (await (await fetch(`http://127.0.0.1:${a.port}/api/enroll`, { method: 'POST', body: JSON.stringify({ code, label: 'M' }) })).json()) as EnrollResponse;
        const res = await fetch(`http://127.0.0.1:${b.port}/api/catalog`, { headers: { authorization: `Bearer ${enrolled.token}` } });
        expect(res.status).toBe(200);
      } finally {
        expect(await a.stop()).toBe(0);
        expect(await b.stop()).toBe(0);
      }
    } finally {
      await db.drop();
    }
  }, 60_000);

  it('serves the seeded catalog to an enrolled device', async () => {
    const run = await start({ DATA_DIR: join(dir, 'catalog') });
    try {
      const code = printed(run.lines, DEMO_CODE) ?? '';
      const base = `http://127.0.0.1:${run.port}`;
      const enrolled = (await (await fetch(`${base}/api/enroll`, { method: 'POST', body: JSON.stringify({ code, label: 'M' }) })).json()) as EnrollResponse;
      const res = await fetch(`${base}/api/catalog`, { headers: { authorization: `Bearer ${enrolled.token}` } });
      expect(res.status).toBe(200);
      expect(res.headers.get('etag')).toBe(`"${seedVersion}"`);
      const body = (await res.json()) as CatalogResponse;
      expect(body.version).toBe(seedVersion);
      expect(body.procedures).toEqual(JSON.parse(readFileSync(SEED_CATALOG_URL, 'utf8')));
    } finally {
      await run.stop();
    }
  });
});
