/**
 * A node SIGKILLed in the middle of compacting (S16): a child process compacts the log in small
 * steps, it is killed at a random moment, and the store reopened must hold every group's state with
 * its highest seq, no Yjs item in two rows, and no more rows than before. Several rounds with
 * different delays, new rows pushed before each, on a SQLite file and on PostgreSQL.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgStore } from '../../sync-server/store/pg.ts';
import { SqliteStore } from '../../sync-server/store/sqlite.ts';
import type { SyncStore } from '../../sync-server/store/types.ts';
import { createTestDatabase, type TestDatabase } from '../support/pg.ts';
import { heldTwiceIn, invariant, rowCount, viewLog } from './compaction-check.ts';
import { Writer } from './compaction-util.ts';

const A = '20209';
const B = '20194';
const DOCS = 24;
const ROWS_PER_ROUND = 12;
const docA = (n: number): string => `${A}/dossier/00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
/** Milliseconds after the child's first commit at which it is killed, one round each. */
const DELAYS = [0, 40, 150, 400];

const dir = mkdtempSync(join(tmpdir(), 'motcua-compact-kill-'));
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
}, 60_000);
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await db.drop();
});

/** New rows for every doc, from writers that keep their client ids (one doc is granted to B). */
async function pushRound(store: SyncStore, writers: Writer[], round: number): Promise<void> {
  for (let i = 0; i < ROWS_PER_ROUND; i++) {
    const items = writers.map((w, n) => ({ doc: docA(n), unit: A, data: i % 3 === 0 ? w.note(`r${round}i${i} `) : w.set(`r${round}-${i}`, String(n)) }));
    const grants = round === 0 && i === 2 ? [{ doc: docA(0), unit: B }] : [];
    await store.appendBatch(`dev-${i % 2}`, `r${round}-b${i}`, items, { grants });
  }
}

interface Outcome {
  readonly killedMidway: boolean;
  readonly commits: number;
}

/** Runs the compacting child and kills it `delay` ms after its first commit (or lets it finish). */
async function killMidway(args: readonly string[], delay: number): Promise<Outcome> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/support/compact-loop.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  let commits = 0;
  let done = false;
  let killTimer: NodeJS.Timeout | null = null;
  for await (const line of createInterface({ input: child.stdout })) {
    if (line === 'done') done = true;
    if (!line.startsWith('compacted ')) continue;
    commits++;
    killTimer ??= setTimeout(() => child.kill('SIGKILL'), delay);
  }
  const code = await exited;
  if (killTimer !== null) clearTimeout(killTimer);
  if (!done && code !== null) throw new Error(`compacting child failed (${code}): ${stderr}`);
  return { killedMidway: !done, commits };
}

function runKillRounds(name: string, open: () => Promise<SyncStore>, childArgs: () => readonly string[]): void {
  it(`[S16] ${name}: a node SIGKILLed while compacting loses nothing and duplicates nothing`, async () => {
    const writers = Array.from({ length: DOCS }, () => new Writer());
    let killed = 0;
    for (const [round, delay] of DELAYS.entries()) {
      const store = await open();
      if (round === 0) await store.putUnits([{ code: A, name: 'Phường Thanh Khê' }, { code: B, name: 'Phường Hải Vân' }]);
      await pushRound(store, writers, round);
      const before = await viewLog(store, [A, B]);
      await store.close();

      const outcome = await killMidway(childArgs(), delay);
      if (outcome.killedMidway) killed++;

      const reopened = await open();
      const after = await viewLog(reopened, [A, B]);
      expect(invariant(after), `round ${round}, killed after ${outcome.commits} commits`).toEqual(invariant(before));
      expect(heldTwiceIn(after)).toEqual([]);
      expect(rowCount(after)).toBeLessThanOrEqual(rowCount(before));
      await reopened.close();
    }
    // The rounds are only worth something if most kills landed in the middle of the work.
    expect(killed).toBeGreaterThanOrEqual(DELAYS.length - 1);
  }, 180_000);
}

describe('compaction under SIGKILL', () => {
  const file = join(dir, 'kill.sqlite');
  runKillRounds('SQLite', async () => new SqliteStore(file), () => ['sqlite', file]);
  runKillRounds('PostgreSQL', () => PgStore.open({ connectionString: db.url, schema: 'kill_rounds', max: 2 }), () => ['pg', db.url, 'kill_rounds']);
});
