/**
 * `npm start` / `npm run serve`: the sync server, on one SQLite file (embedded default) or, with
 * DATABASE_URL, on PostgreSQL as one node of the data center (several may share one database).
 * Env: PORT (8080), HOST (0.0.0.0), DATA_DIR (./data), DATABASE_URL, STATIC_DIR (./dist), ADMIN_TOKEN
 * (generated once and kept in the database when unset). Prints `READY port=<port>` last: harnesses
 * wait for it.
 * COMPACT_MIN_ROWS (8; 0 turns it off), COMPACT_INTERVAL_MS, COMPACT_DOCS_PER_TICK: the log's compactor.
 * A store without a procedure catalog gets the one the PWA ships (public/data/procedures.json).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { newToken } from './auth.ts';
import { seedCatalog } from './catalog.ts';
import { compactorFromEnv } from './compactor.ts';
import { DEMO_OFFICERS, DEMO_PASSWORD, DEMO_UNIT, seedIfEmpty, unusedDemoCode } from './seed.ts';
import { DEFAULT_MAX_BUSY, startServer } from './server.ts';
import { PgFanout } from './pg-fanout.ts';
import { PgStore } from './store/pg.ts';
import { SqliteStore } from './store/sqlite.ts';
import type { SyncStore } from './store/types.ts';

const ADMIN_TOKEN_SETTING = 'admin_token';

function portFromEnv(value: string | undefined): number {
  const port = Number(value ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`PORT không hợp lệ / invalid PORT: ${value ?? ''}`);
    process.exit(2);
  }
  return port;
}

/** A whole number from the environment within [min, max]; exits with a message otherwise. */
function intFromEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    console.error(`${name} không hợp lệ / invalid ${name}: ${raw} (${min}-${max})`);
    process.exit(2);
  }
  return n;
}

/** ADMIN_TOKEN from the environment, else the one kept in the database, else a new one kept there. */
async function adminToken(store: SyncStore): Promise<{ token: string; fromEnv: boolean }> {
  const env = process.env.ADMIN_TOKEN;
  if (env !== undefined && env !== '') return { token: env, fromEnv: true };
  const kept = await store.getSetting(ADMIN_TOKEN_SETTING);
  if (kept !== null) return { token: kept, fromEnv: false };
  const token = newToken();
  await store.setSetting(ADMIN_TOKEN_SETTING, token);
  return { token, fromEnv: false };
}

/** The URL without its password, for the banner. */
function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return '(DATABASE_URL)';
  }
}

async function main(): Promise<void> {
  const port = portFromEnv(process.env.PORT);
  const host = process.env.HOST ?? '0.0.0.0';
  const dataDir = resolve(process.env.DATA_DIR ?? './data');
  const staticDir = resolve(process.env.STATIC_DIR ?? './dist');
  const databaseUrl = process.env.DATABASE_URL ?? '';
  const compaction = compactorFromEnv(process.env) ?? false;
  let store: SyncStore;
  if (databaseUrl !== '') {
    store = await PgStore.open({ connectionString: databaseUrl });
  } else {
    mkdirSync(dataDir, { recursive: true });
    store = new SqliteStore(join(dataDir, 'motcua.sqlite'));
  }
  const boot = async () => ({ seeded: await seedIfEmpty(store), catalog: await seedCatalog(store), admin: await adminToken(store) });
  // Nodes of one database starting together seed it once.
  const { seeded, catalog, admin } = store instanceof PgStore ? await store.underStartupLock(boot) : await boot();
  const pgStore = store instanceof PgStore ? store : null;
  const server = await startServer({
    port,
    host,
    store,
    staticDir,
    adminToken: admin.token,
    compaction,
    maxBusySessions: intFromEnv('SYNC_MAX_BUSY', DEFAULT_MAX_BUSY, 1, 10_000),
    // On PostgreSQL this process is one node of the data center: it hears the other nodes' commits.
    ...(pgStore === null ? {} : { cluster: (hub, log) => PgFanout.start(pgStore, hub, log) }),
  });

  const out = (line: string): void => {
    process.stdout.write(`${line}\n`);
  };
  out('Máy chủ đồng bộ Một cửa / Motcua sync server');
  out(
    databaseUrl === ''
      ? `Lưu trữ / Storage: SQLite ${join(dataDir, 'motcua.sqlite')}`
      : `Lưu trữ / Storage: PostgreSQL ${redactUrl(databaseUrl)}`,
  );
  if (seeded) {
    const units = (await store.listUnits()).length;
    out(`Đã tạo dữ liệu ban đầu / Seeded: ${units} đơn vị / units, đơn vị thử / demo unit ${DEMO_UNIT}`);
  }
  if (catalog.published !== null) {
    out(`Đã công bố danh mục thủ tục / Catalog published: ${catalog.published.count} thủ tục, phiên bản / version ${catalog.published.version}`);
  }
  if (catalog.problem !== null) out(`Chưa có danh mục thủ tục / No catalog published: ${catalog.problem}`);
  out(`Địa chỉ / URL: http://localhost:${server.port}`);
  if (!existsSync(join(staticDir, 'index.html'))) {
    out(`Chưa có giao diện trong ${staticDir}: hãy chạy \`npm run build\` / No UI build in ${staticDir}: run \`npm run build\``);
  }
  const logins = DEMO_OFFICERS.map((o) => `${o.username} / ${DEMO_PASSWORD}`).join(', ');
  out(`Đăng nhập thử / Demo login: ${logins} (${DEMO_UNIT} Phường Thanh Khê)`);
  const code = await unusedDemoCode(store);
  if (code !== null) out(`Mã đăng ký thiết bị thử (1 lượt) / Demo device enrollment code (1 use): ${code}`);
  if (!admin.fromEnv) out(`Mã quản trị / Admin token: ${admin.token}`);
  out(`READY port=${server.port}`);

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
}

main().catch((err: unknown) => {
  const code = (err as { code?: unknown }).code;
  if (code === 'EADDRINUSE') console.error(`Cổng đang bận / Port in use: ${process.env.PORT ?? 8080}`);
  else console.error(err);
  process.exit(1);
});
