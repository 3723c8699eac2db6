/** The CLI as `npm start` runs it: what it prints, and a clean stop on SIGTERM that keeps its data. */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { catalogVersion } from '../../src/domain/catalog-import.ts';
import { parseCatalog } from '../../src/domain/catalog.ts';
import type { CatalogResponse, EnrollResponse } from '../../src/protocol/http.ts';
import { SEED_CATALOG_URL } from '../../sync-server/catalog.ts';
import { createTestDatabase } from '../support/pg.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'motcua-main-'));
const seed = parseCatalog(JSON.parse(readFileSync(SEED_CATALOG_URL, 'utf8')));
const seedVersion = catalogVersion(seed.procedures);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  readonly lines: string[];
  readonly port: number;
  stop(): Promise<number | null>;
}

/** Starts main.ts and resolves once it printed READY. */
function start(env: Record<string, string>): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'sync-server/main.ts'], {
    cwd: ROOT,
    // DATABASE_URL set even when empty: one in the developer's shell must not change what is tested.
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', STATIC_DIR: join(dir, 'no-dist'), DATABASE_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const lines: string[] = [];
  return new Promise((resolve, reject) => {
    void exited.then((code) => reject(new Error(`exited ${code} before READY:\n${lines.join('\n')}`)));
    if (child.stdout === null) throw new Error('no stdout');
    createInterface({ input: child.stdout }).on('line', (line) => {
      lines.push(line);
      const m = /^READY port=(\d+)$/.exec(line);
      if (m === null) return;
      resolve({
        lines,
        port: Number(m[1]),
        stop: () => {
          child.kill('SIGTERM');
          return exited;
        },
      });
    });
  });
}

describe('main.ts', () => {
  it('prints the URL, demo login, enrollment code and admin token, then READY; stops cleanly on SIGTERM', async () => {
    const dataDir = join(dir, 'data');
    const first = await start({ DATA_DIR: dataDir, ADMIN_TOKEN: '' });
    const health = await fetch(`http://127.0.0.1:${first.port}/api/health`);
    expect(health.status).toBe(200);
    expect(await first.stop()).toBe(0);
    expect(existsSync(join(dataDir, 'motcua.sqlite'))).toBe(true);

    const url = `http://localhost:${first.port}`;
    const printed = first.lines.slice(0, first.lines.findIndex((l) => l.startsWith('READY')) + 1);
    const code = /: ([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})$/.exec(printed.find((l) => l.startsWith('Mã đăng ký')) ?? '')?.[1];
    const token = /: (\S{43})$/.exec(printed.find((l) => l.startsWith('Mã quản trị')) ?? '')?.[1];
    expect(code).toBeDefined();
    expect(token).toBeDefined();
    expect(printed).toEqual([
      'Máy chủ đồng bộ Một cửa / Motcua sync server',
      `Lưu trữ / Storage: SQLite ${join(dataDir, 'motcua.sqlite')}`,
      'Đã tạo dữ liệu ban đầu / Seeded: 94 đơn vị / units, đơn vị thử / demo unit 20209',
      `Đã công bố danh mục thủ tục / Catalog published: ${seed.procedures.length} thủ tục, phiên bản / version ${seedVersion}`,
      `Địa chỉ / URL: ${url}`,
      `Chưa có giao diện trong ${join(dir, 'no-dist')}: hãy chạy \`npm run build\` / No UI build in ${join(dir, 'no-dist')}: run \`npm run build\``,
      'Đăng nhập thử / Demo login: demo / demo1234, lanhdao / demo1234 (20209 Phường Thanh Khê)',
      `Mã đăng ký thiết bị thử (1 lượt) / Demo device enrollment code (1 use): ${code ?? ''}`,
      `Mã quản trị / Admin token: ${token ?? ''}`,
      `READY port=${first.port}`,
    ]);

    // Second start on the same data: no reseeding, the same code and admin token.
    const second = await start({ DATA_DIR: dataDir, ADMIN_TOKEN: '' });
    const stats = await fetch(`http://127.0.0.1:${second.port}/api/admin/stats`, { headers: { authorization: `Bearer ${token ?? ''}` } });
    expect(stats.status).toBe(200);
    expect(await second.stop()).toBe(0);
    expect(second.lines.some((l) => l.startsWith('Đã tạo dữ liệu'))).toBe(false);
    expect(second.lines).toContain(`Mã đăng ký thiết bị thử (1 lượt) / Demo device enrollment code (1 use): ${code ?? ''}`);
    expect(second.lines).toContain(`Mã quản trị / Admin token: ${token ?? ''}`);
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
          expect(run.lines[1]).toMatch(/^Lưu trữ \/ Storage: PostgreSQL postgres:\/\/postgres:\*\*\*@/);
          expect(run.lines.join('\n')).not.toContain('secret-pw');
        }
        expect([a, b].filter((r) => r.lines.some((l) => l.startsWith('Đã tạo dữ liệu'))).length).toBe(1);
        const code = /: (\S+)$/.exec(a.lines.find((l) => l.startsWith('Mã đăng ký')) ?? '')?.[1] ?? '';
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
    const run = await start({ DATA_DIR: join(dir, 'catalog'), ADMIN_TOKEN: '' });
    try {
      const code = /: (\S+)$/.exec(run.lines.find((l) => l.startsWith('Mã đăng ký')) ?? '')?.[1] ?? '';
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
