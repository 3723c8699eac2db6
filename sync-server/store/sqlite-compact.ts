/**
 * Compaction (S16) on the SQLite store. A doc's compaction is one IMMEDIATE transaction: the rows are
 * read under the write lock, so no other writer (another process on the same file) can change them
 * between the read and the delete, and a crash at any point leaves every row as it was or the doc
 * compacted, nothing in between. The merge runs inside that transaction; one call reads at most
 * maxRows rows per group, which bounds how long it holds the lock.
 */
import type Database from 'better-sqlite3';
import type { CandidateQuery, Candidates, CompactOptions, CompactResult, LogSize } from './compact-types.ts';
import { COMPACT_MAX_ROWS, COMPACTED_BATCH, CompactTally, groupRows, planGroup } from './compact-plan.ts';
import { SERVER_DEVICE } from './server-rows.ts';
import { StoreError } from './types.ts';

const toBuffer = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);
const asBytes = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

interface Row {
  seq: number;
  unit: string;
  data: Buffer;
}

export class SqliteCompaction {
  private readonly read: Database.Statement<[string, number, number], Row>;
  private readonly write: Database.Statement<[Buffer, string, string, number, string]>;
  private readonly remove: Database.Statement<[string, string]>;
  private readonly scan: Database.Statement<[number, number, number], { seq: number; doc: string }>;
  private readonly biggest: Database.Statement<[string, number], { n: number | null }>;

  constructor(private readonly db: Database.Database) {
    // The oldest rows of each group: a window over the doc's rows, found by the (doc, seq) index.
    this.read = db.prepare(
      `SELECT seq, unit, data FROM (
         SELECT seq, unit, data, row_number() OVER (PARTITION BY unit ORDER BY seq) AS n
         FROM updates WHERE doc = ? AND seq <= ?
       ) WHERE n <= ? ORDER BY seq`,
    );
    this.write = db.prepare('UPDATE updates SET data = ?, device = ?, batch_id = ? WHERE seq = ? AND doc = ?');
    // One statement for a group's deletes: the seqs go in as a JSON array.
    this.remove = db.prepare('DELETE FROM updates WHERE seq IN (SELECT value FROM json_each(?)) AND doc = ?');
    this.scan = db.prepare('SELECT seq, doc FROM updates WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?');
    this.biggest = db.prepare('SELECT MAX(n) AS n FROM (SELECT COUNT(*) AS n FROM updates WHERE doc = ? AND seq <= ? GROUP BY unit)');
  }

  compactDoc(doc: string, options: CompactOptions = {}): CompactResult {
    const maxSeq = options.maxSeq ?? Number.MAX_SAFE_INTEGER;
    const maxRows = options.maxRows ?? COMPACT_MAX_ROWS;
    // Without a sync of the WAL at its commit (synchronous = NORMAL): a power cut may undo the last
    // compactions, which leaves their docs as they were, never half done, and the WAL keeps commits in
    // order, so the next acknowledged batch (synchronous = FULL) syncs them too. A sync per doc would
    // cost more than the compaction itself.
    const sync = Number(this.db.pragma('synchronous', { simple: true }));
    this.db.pragma('synchronous = NORMAL');
    try {
      return this.compactInTransaction(doc, maxSeq, maxRows);
    } finally {
      this.db.pragma(`synchronous = ${sync}`);
    }
  }

  private compactInTransaction(doc: string, maxSeq: number, maxRows: number): CompactResult {
    return this.db
      .transaction((): CompactResult => {
        const read = this.read.all(doc, maxSeq, maxRows + 1).map((r) => ({ seq: r.seq, unit: r.unit, data: asBytes(r.data) }));
        const { groups, more } = groupRows(read, maxRows);
        const tally = new CompactTally();
        for (const rows of groups) {
          const plan = planGroup(rows);
          tally.add(rows, plan);
          if (plan === null) continue;
          // Each row was read in this transaction; one that is not there any more means the file is
          // not what this code believes, and the whole compaction is rolled back.
          for (const w of plan.writes) {
            if (this.write.run(toBuffer(w.data), SERVER_DEVICE, COMPACTED_BATCH, w.seq, doc).changes !== 1) throw conflict(doc);
          }
          if (this.remove.run(JSON.stringify(plan.deletes), doc).changes !== plan.deletes.length) throw conflict(doc);
        }
        return tally.result(doc, more);
      })
      .immediate();
  }

  candidates(q: CandidateQuery): Candidates {
    // One read transaction: the scan and the counts see the same rows.
    return this.db
      .transaction((): Candidates => {
        const rows = this.scan.all(q.afterSeq, q.maxSeq, q.scanRows);
        const touched = [...new Set(rows.map((r) => r.doc))];
        const docs = touched.filter((doc) => (this.biggest.get(doc, q.maxSeq)?.n ?? 0) >= q.minRows);
        const last = rows[rows.length - 1]?.seq ?? q.afterSeq;
        // A scan cut short resumes after its last row; a whole one covers everything up to maxSeq.
        return { docs, scannedTo: rows.length === q.scanRows ? last : Math.max(q.afterSeq, q.maxSeq) };
      })
      .deferred();
  }

  logSize(): LogSize {
    const counts = this.db.prepare<[], { rows: number; bytes: number | null }>('SELECT COUNT(*) AS rows, SUM(length(data)) AS bytes FROM updates').get();
    // dbstat: the pages of the log's table and of every index on it (free space inside them included).
    const pages = this.db
      .prepare<[], { bytes: number | null }>(
        "SELECT SUM(pgsize) AS bytes FROM dbstat WHERE name IN (SELECT name FROM sqlite_schema WHERE tbl_name = 'updates')",
      )
      .get();
    return { rows: counts?.rows ?? 0, dataBytes: counts?.bytes ?? 0, storedBytes: pages?.bytes ?? 0 };
  }
}

function conflict(doc: string): StoreError {
  return new StoreError('compaction_conflict', `rows of ${doc} changed during its compaction`);
}
