/** The shapes of log compaction (rule S16), apart from types.ts so the interface file stays short. */

export interface CompactOptions {
  /**
   * Only rows with seq <= maxSeq are read. The background compactor leaves recent rows alone (the other
   * nodes' fan-out reads them by seq); default: every row.
   */
  readonly maxSeq?: number;
  /** Rows read per group in one call, oldest first (default COMPACT_MAX_ROWS). */
  readonly maxRows?: number;
}

/** What one compactDoc call did; rows and bytes count the rows it read and what replaced them. */
export interface CompactResult {
  readonly doc: string;
  /** Groups merged: the doc's home rows, and separately the copies of each unit it was granted to. */
  readonly groups: number;
  readonly rowsBefore: number;
  readonly rowsAfter: number;
  /** Bytes of update data (not of the backend's pages). */
  readonly bytesBefore: number;
  readonly bytesAfter: number;
  /** A group had more rows than one call reads, and this call made progress: call again. */
  readonly more: boolean;
  /** Another node was compacting this doc: nothing was read or written. */
  readonly busy: boolean;
}

export interface CandidateQuery {
  /** The scan starts after this seq... */
  readonly afterSeq: number;
  /** ...and stops at this one, or after `scanRows` rows. */
  readonly maxSeq: number;
  readonly scanRows: number;
  /** A doc is a candidate when one of its groups has at least this many rows with seq <= maxSeq. */
  readonly minRows: number;
}

export interface Candidates {
  /** Docs with a row in the scanned range that pass minRows, in the order of their first such row. */
  readonly docs: readonly string[];
  /** Every row with seq <= scannedTo was scanned; the next scan starts here. */
  readonly scannedTo: number;
}

/** The size of the replication log. */
export interface LogSize {
  readonly rows: number;
  /** Bytes of update data. */
  readonly dataBytes: number;
  /**
   * Bytes the backend holds for the log's table and indexes (SQLite: their pages, free space inside
   * them included; PostgreSQL: pg_total_relation_size, dead rows included until VACUUM); the memory
   * store counts its data bytes.
   */
  readonly storedBytes: number;
}
