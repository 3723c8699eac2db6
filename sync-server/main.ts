/**
 * The sync server, on one SQLite file (embedded default) or, with DATABASE_URL, on PostgreSQL as one
 * node of the data center (several may share one database).
 *
 * Two modes. `npm start` runs `main.ts --demo` (or MOTCUA_MODE=demo): it seeds the demo commune's
 * officers and a demo enrollment code and says DEMO everywhere. `npm run serve` (no flag, or
 * MOTCUA_MODE=production) is production: it never seeds demo data and refuses to start on a store that
 * holds some (seed.ts productionProblems).
 *
 * Env: PORT (8080), HOST (0.0.0.0), DATA_DIR (./data), DATABASE_URL, STATIC_DIR (./dist), ADMIN_TOKEN
 * (32+ characters; when unset a token is made once, printed once and kept only as its hash:
 * admin-token.ts), TRUSTED_PROXY_HEADER (client-address.ts). Prints `READY port=<port>` last:
 * harnesses wait for it. COMPACT_MIN_ROWS (8; 0 turns it off), COMPACT_INTERVAL_MS,
 * COMPACT_DOCS_PER_TICK: the log's compactor. A store without a procedure catalog gets the one the PWA
 * ships (public/data/procedures.json).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { adminTokenProblem, resolveAdminToken, type AdminToken } from './admin-token.ts';
import { seedCatalog } from './catalog.ts';
import { compactorFromEnv } from './compactor.ts';
import { isDiskFull } from './disk-full.ts';
import { openStoreFromEnv } from './open-store.ts';
import { DEMO_OFFICERS, DEMO_PASSWORD, DEMO_UNIT, productionProblems, seedDemo, seedIfEmpty, type DemoSeed } from './seed.ts';
import { DEFAULT_MAX_BUSY, startServer } from './server.ts';
import { PgFanout } from './pg-fanout.ts';

type Mode = 'demo' | 'production';

/** Config errors end the process with 2 before anything is opened or written. */
function refuse(lines: readonly string[], code = 2): never {
  for (const l of lines) console.error(l);
  process.exit(code);
}

function modeFrom(argv: readonly string[], env: string | undefined): Mode {
  const flag = argv.includes('--demo');
  const named = env === undefined || env === '' ? null : env;
  if (named !== null && named !== 'demo' && named !== 'production') {
    refuse([`MOTCUA_MODE không hợp lệ / invalid MOTCUA_MODE: ${named} (demo | production)`]);
  }
  if (flag && named === 'production') refuse(['--demo mâu thuẫn với MOTCUA_MODE=production / --demo contradicts MOTCUA_MODE=production']);
  return flag || named === 'demo' ? 'demo' : 'production';
}

function portFromEnv(value: string | undefined): number {
  const port = Number(value ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) refuse([`PORT không hợp lệ / invalid PORT: ${value ?? ''}`]);
  return port;
}

/** A whole number from the environment within [min, max]; exits with a message otherwise. */
function intFromEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) refuse([`${name} không hợp lệ / invalid ${name}: ${raw} (${min}-${max})`]);
  return n;
}

/** Checks of the environment alone, before the store is opened. */
function checkEnv(): void {
  const problem = adminTokenProblem(process.env.ADMIN_TOKEN);
  if (problem !== null) refuse([problem]);
  const header = process.env.TRUSTED_PROXY_HEADER ?? '';
  if (header !== '' && !/^[A-Za-z0-9-]+$/.test(header)) {
    refuse([`TRUSTED_PROXY_HEADER không phải tên header / is not a header name: ${header}`]);
  }
}

function adminLine(admin: AdminToken): string {
  switch (admin.source) {
    case 'created':
      return `Mã quản trị mới (chỉ hiện lần này, hãy lưu lại) / New admin token (shown only now, keep it): ${admin.token}`;
    case 'stored':
      return 'Đã có mã quản trị; đổi mã: `npm run admin-token` / An admin token exists; to rotate it: `npm run admin-token`';
    case 'env':
      return 'Mã quản trị lấy từ ADMIN_TOKEN / Admin token from ADMIN_TOKEN';
  }
}

const out = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

function demoLines(demo: DemoSeed): string[] {
  const logins = DEMO_OFFICERS.map((o) => `${o.username} / ${DEMO_PASSWORD}`).join(', ');
  const until = new Date(demo.expiresAt).toISOString().slice(0, 10);
  return [
    `Đăng nhập thử / Demo login: ${logins} (${DEMO_UNIT} Phường Thanh Khê)`,
    `Mã đăng ký thiết bị thử (1 lượt, đến ${until}) / Demo device enrollment code (1 use, until ${until}): ${demo.code}`,
  ];
}

async function main(): Promise<void> {
  const mode = modeFrom(process.argv.slice(2), process.env.MOTCUA_MODE);
  const port = portFromEnv(process.env.PORT);
  const host = process.env.HOST ?? '0.0.0.0';
  const staticDir = resolve(process.env.STATIC_DIR ?? './dist');
  const compaction = compactorFromEnv(process.env) ?? false;
  const maxBusySessions = intFromEnv('SYNC_MAX_BUSY', DEFAULT_MAX_BUSY, 1, 10_000);
  checkEnv();
  const { store, pg, description } = await openStoreFromEnv();
  const boot = async () => {
    const seeded = await seedIfEmpty(store);
    const catalog = await seedCatalog(store);
    const demo = mode === 'demo' ? await seedDemo(store) : null;
    // Checked before the admin token is made: a refused start prints no secret and writes none.
    const problems = mode === 'production' ? await productionProblems(store) : [];
    const admin = problems.length === 0 ? await resolveAdminToken(store, process.env.ADMIN_TOKEN) : null;
    return { seeded, catalog, demo, problems, admin };
  };
  // Nodes of one database starting together seed it once.
  const { seeded, catalog, demo, problems, admin } = pg !== null ? await pg.underStartupLock(boot) : await boot();
  if (admin === null) {
    await store.close();
    refuse([
      'Không chạy chế độ vận hành trên kho dữ liệu này / Refusing to start in production on this store:',
      ...problems.map((p) => `- ${p}`),
      'Dữ liệu thử chỉ dành cho `npm start`; hãy chạy thật trên kho mới (DATA_DIR hoặc DATABASE_URL khác) /',
      'Demo data belongs to `npm start`; run production on a fresh store (another DATA_DIR or DATABASE_URL).',
    ]);
  }
  const server = await startServer({
    port,
    host,
    store,
    staticDir,
    adminToken: admin.check,
    compaction,
    maxBusySessions,
    // On PostgreSQL this process is one node of the data center: it hears the other nodes' commits.
    ...(pg === null ? {} : { cluster: (hub, log) => PgFanout.start(pg, hub, log) }),
  });

  out('Máy chủ đồng bộ Một cửa / Motcua sync server');
  out(
    mode === 'demo'
      ? 'CHẾ ĐỘ DÙNG THỬ (DEMO): không nhập dữ liệu thật / DEMO MODE: do not enter real data'
      : 'Chế độ vận hành / Production mode',
  );
  out(`Lưu trữ / Storage: ${description}`);
  if (seeded) out(`Đã tạo dữ liệu ban đầu / Seeded: ${(await store.listUnits()).length} đơn vị / units`);
  if (demo?.officersCreated === true) out(`Đã tạo dữ liệu thử / Demo data created: đơn vị thử / demo unit ${DEMO_UNIT}`);
  if (catalog.published !== null) {
    out(`Đã công bố danh mục thủ tục / Catalog published: ${catalog.published.count} thủ tục, phiên bản / version ${catalog.published.version}`);
  }
  if (catalog.problem !== null) out(`Chưa có danh mục thủ tục / No catalog published: ${catalog.problem}`);
  out(`Địa chỉ / URL: http://localhost:${server.port}`);
  if (!existsSync(join(staticDir, 'index.html'))) {
    out(`Chưa có giao diện trong ${staticDir}: hãy chạy \`npm run build\` / No UI build in ${staticDir}: run \`npm run build\``);
  }
  if (demo !== null) for (const line of demoLines(demo)) out(line);
  out(adminLine(admin));

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    out(`Đang dừng / Stopping (${signal})`);
    // A stuck close must not keep the process alive forever.
    setTimeout(() => process.exit(1), 10_000).unref();
    server
      .close()
      .then(() => store.close())
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        console.error(err);
        process.exit(1);
      });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  // Last, after the handlers: a harness may signal the moment it reads this line, and a signal that
  // comes before its handler ends the process with no clean stop.
  out(`READY port=${server.port}`);
}

main().catch((err: unknown) => {
  const code = (err as { code?: unknown }).code;
  if (code === 'EADDRINUSE') console.error(`Cổng đang bận / Port in use: ${process.env.PORT ?? 8080}`);
  else if (isDiskFull(err)) console.error(`Ổ đĩa đã đầy / The disk is full: ${err instanceof Error ? err.message : String(err)}`);
  else console.error(err);
  process.exit(1);
});
