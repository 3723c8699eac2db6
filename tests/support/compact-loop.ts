/**
 * A process that compacts a store's log until nothing is left to compact, in small steps (a few rows
 * per call, so there are many transactions to be killed in the middle of). The compaction tests
 * SIGKILL it at a random moment and check the store it leaves.
 *
 *   node --import tsx tests/support/compact-loop.ts sqlite <file>
 *   node --import tsx tests/support/compact-loop.ts pg <url> <schema>
 *
 * Prints `compacted <doc>` after each committed call and `done` when a whole pass found nothing.
 */
import { PgStore } from '../../sync-server/store/pg.ts';
import { SqliteStore } from '../../sync-server/store/sqlite.ts';
import type { SyncStore } from '../../sync-server/store/types.ts';

async function open(args: readonly string[]): Promise<SyncStore> {
  const [kind, where, schema] = args;
  if (kind === 'sqlite' && where !== undefined) return new SqliteStore(where);
  if (kind === 'pg' && where !== undefined && schema !== undefined) return PgStore.open({ connectionString: where, schema, max: 2 });
  throw new Error('usage: compact-loop.ts sqlite <file> | pg <url> <schema>');
}

async function main(): Promise<void> {
  const store = await open(process.argv.slice(2));
  for (;;) {
    const head = await store.headSeq();
    const { docs } = await store.compactionCandidates({ afterSeq: 0, maxSeq: head, scanRows: 1_000_000, minRows: 2 });
    let progress = false;
    for (const doc of docs) {
      const r = await store.compactDoc(doc, { maxRows: 3 });
      if (r.rowsAfter < r.rowsBefore) progress = true;
      process.stdout.write(`compacted ${doc}\n`);
    }
    if (!progress) break;
  }
  process.stdout.write('done\n');
  await store.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
