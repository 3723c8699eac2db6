/**
 * `npm run bench:compact`: compaction of the server's log (S16) on a ward's year, on SQLite and on
 * PostgreSQL: the log's size before and after compacting every doc, the time per 1,000 docs from the
 * first thousand to the last (flat = linear in the number of docs), and one doc with many updates
 * (time against updates, with Y.mergeUpdates of them all at once beside it). Prints a table and
 * writes bench/compaction-results.json (git-ignored; docs/benchmarks.md holds a copy with the machine).
 *
 *   BENCH_COMPACT_DOSSIERS=44000   dossiers of the year's log (440,000 is the whole year: about 9 min
 *                                  to generate once, cached in bench/.cache, then ~25 min to run)
 *   BENCH_COMPACT_ONLY=sqlite,pg,hot
 *   BENCH_COMPACT_HOT=1000,5000,10000,50000   updates of the one-doc runs
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { PgStore } from '../sync-server/store/pg.ts';
import { SqliteStore } from '../sync-server/store/sqlite.ts';
import { createTestDatabase } from '../tests/support/pg.ts';
import { hotDoc, type HotDoc } from './compaction/hot.ts';
import { compactAll, linearity, type CompactionRun } from './compaction/measure.ts';
import { copyLog, vacuumSizes } from './compaction/pg.ts';
import { yearLog } from './compaction/year.ts';

const YEAR = 440_000;
const DOSSIERS = Number(process.env.BENCH_COMPACT_DOSSIERS ?? 44_000);
const ONLY = new Set((process.env.BENCH_COMPACT_ONLY ?? 'sqlite,pg,hot').split(','));
const HOT = (process.env.BENCH_COMPACT_HOT ?? '1000,5000,10000,50000').split(',').map(Number);
/** Y.mergeUpdates of every update at once is timed up to this many (50,000 took 91 s). */
const NAIVE_MAX = 10_000;

const log = (msg: string): void => console.log(`[compact] ${msg}`);
const mb = (n: number): number => Math.round((n / 1e6) * 10) / 10;

interface StoreReport {
  readonly run: CompactionRun;
  /** The backend's own size of the log's files, before and after (see each store's fields). */
  readonly files: Record<string, number>;
}

function sqliteFile(path: string): { fileBytes: number; usedBytes: number } {
  const db = new Database(path);
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
    const pages = Number(db.pragma('page_count', { simple: true }));
    const free = Number(db.pragma('freelist_count', { simple: true }));
    const size = Number(db.pragma('page_size', { simple: true }));
    return { fileBytes: pages * size, usedBytes: (pages - free) * size };
  } finally {
    db.close();
  }
}

async function onSqlite(dir: string): Promise<StoreReport> {
  const path = join(dir, 'year.sqlite');
  await yearLog(path, DOSSIERS, log);
  const fileBefore = sqliteFile(path);
  const store = new SqliteStore(path);
  log('SQLite: compacting every doc');
  const run = await compactAll(store, log);
  await store.close();
  const fileAfter = sqliteFile(path);
  const db = new Database(path);
  db.exec('VACUUM');
  db.close();
  const vacuumed = sqliteFile(path);
  return { run, files: { fileBytesBefore: fileBefore.fileBytes, fileBytesAfter: fileAfter.fileBytes, usedBytesAfter: fileAfter.usedBytes, fileBytesAfterVacuum: vacuumed.fileBytes } };
}

async function onPostgres(dir: string): Promise<StoreReport> {
  const path = join(dir, 'year.sqlite');
  await yearLog(path, DOSSIERS, log);
  const db = await createTestDatabase('motcua_bench');
  try {
    const store = await PgStore.open({ connectionString: db.url, schema: 'bench', max: 2 });
    log('PostgreSQL: copying the log');
    await copyLog(path, store);
    log('PostgreSQL: compacting every doc');
    const run = await compactAll(store, log);
    const vacuumed = await vacuumSizes(store);
    await store.close();
    return { run, files: { relationBytesBefore: run.before.storedBytes, relationBytesAfter: run.after.storedBytes, relationBytesAfterVacuum: vacuumed.afterVacuum, relationBytesAfterVacuumFull: vacuumed.afterVacuumFull } };
  } finally {
    await db.drop();
  }
}

function storeRows(name: string, r: StoreReport): string[] {
  const { run } = r;
  const lin = linearity(run.msPer1000);
  const perDoc = (run.seconds * 1000) / Math.max(1, run.docs);
  return [
    `| ${name} rows | ${run.before.rows.toLocaleString('en')} | ${run.after.rows.toLocaleString('en')} |`,
    `| ${name} update data, MB | ${mb(run.before.dataBytes)} | ${mb(run.after.dataBytes)} |`,
    `| ${name} log table + indexes, MB | ${mb(run.before.storedBytes)} | ${mb(run.after.storedBytes)} |`,
    ...Object.entries(r.files).map(([k, v]) => `| ${name} ${k}, MB | ${mb(v)} | |`),
    `| ${name} compaction | ${run.docs.toLocaleString('en')} docs, ${run.calls.toLocaleString('en')} calls, ${run.seconds.toFixed(1)} s | ${perDoc.toFixed(2)} ms/doc; whole year ≈ ${((perDoc * YEAR) / 60_000).toFixed(1)} min |`,
    `| ${name} ms per 1,000 docs | 2nd ${lin.first}, median ${lin.median}, last ${lin.last} | last / 2nd = ${lin.lastOverFirst} |`,
  ];
}

const dir = mkdtempSync(join(tmpdir(), 'motcua-bench-compact-'));
const started = Date.now();
const results: { sqlite?: StoreReport; pg?: StoreReport; hot?: HotDoc[] } = {};
try {
  if (ONLY.has('sqlite')) results.sqlite = await onSqlite(dir);
  if (ONLY.has('pg')) results.pg = await onPostgres(dir);
  if (ONLY.has('hot')) {
    results.hot = [];
    // Once unmeasured, so the first figure is not the JIT's warm-up.
    await hotDoc(Math.min(...HOT), 0);
    for (const n of HOT) {
      log(`one doc, ${n.toLocaleString('en')} updates`);
      results.hot.push(await hotDoc(n, NAIVE_MAX));
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const machine = { cpus: `${cpus().length} x ${cpus()[0]?.model ?? '?'}`, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version };
const minutes = (Date.now() - started) / 60_000;
const lines = [`| ${DOSSIERS.toLocaleString('en')} dossiers (${((DOSSIERS / YEAR) * 100).toFixed(0)}% of a ward's year) | before | after |`, '|---|---|---|'];
if (results.sqlite !== undefined) lines.push(...storeRows('SQLite', results.sqlite));
if (results.pg !== undefined) lines.push(...storeRows('PostgreSQL', results.pg));
console.log(`\nnpm run bench:compact: ${new Date().toISOString()}, ${machine.cpus}, ${machine.memoryGiB} GiB, Node ${machine.node}, ${minutes.toFixed(1)} min\n`);
console.log(lines.join('\n'));
if (results.hot !== undefined) {
  console.log('\n| one doc: updates | compaction ms | ms per 1,000 updates | calls | rows after | Y.mergeUpdates of all at once, ms |\n|---|---|---|---|---|---|');
  for (const h of results.hot) {
    console.log(`| ${h.updates.toLocaleString('en')} | ${h.compactMs} | ${((h.compactMs * 1000) / h.updates).toFixed(0)} | ${h.calls} | ${h.rowsAfter} | ${h.mergeAllMs ?? 'not run'} |`);
  }
}
writeFileSync(
  new URL('./compaction-results.json', import.meta.url),
  `${JSON.stringify({ at: new Date().toISOString(), minutes: Math.round(minutes * 10) / 10, machine, dossiers: DOSSIERS, ...results }, null, 2)}\n`,
);
console.log('\nwritten: bench/compaction-results.json');
