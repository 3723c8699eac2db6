/**
 * The data center's store: PostgreSQL, shared by several server nodes. Every method is one statement
 * or one transaction; a promise resolves after COMMIT, and PostgreSQL's default synchronous_commit
 * has flushed the WAL by then, which is what a PushAck promises (S2). What keeps the rules across
 * nodes is in pg-append.ts (the log) and the row locks below (ordinals, enrollment uses, number
 * blocks: S10).
 */
import type pg from 'pg';
import type { PoolClient } from 'pg';
import { fail, ok, type Result } from '../../src/domain/errors.ts';
import type { Block } from '../../src/protocol/messages.ts';
import type { CandidateQuery, Candidates, CompactOptions, CompactResult, LogSize } from './compact-types.ts';
import { counterSteps, inDayOrder, lowestFreeOrdinal, parseSeqs, takeBlock, takenOrdinals } from './numbers.ts';
import { appendBatchPg, type RangeListener } from './pg-append.ts';
import { candidatesPg, compactDocPg, logSizePg } from './pg-compact.ts';
import { createPool, inTransaction, sqlState, type PgOptions } from './pg-pool.ts';
import { dossierEventsPg, exportDossiersPg } from './pg-projection.ts';
import type { DossierEventRecord, DossierQuery, DossierRecord } from './projection-types.ts';
import { scanPagePg } from './pg-read.ts';
import { migratePg } from './pg-schema.ts';
import { homeUnit } from './server-rows.ts';
import { toDevice, toEnrollment, type DeviceRow, type EnrollmentRow } from './sqlite-rows.ts';
import {
  MAX_DEVICES_PER_UNIT,
  StoreError,
  type AppendOptions,
  type AppendResult,
  type BatchItem,
  type Device,
  type DeviceRole,
  type DocRowRecord,
  type DocStat,
  type EnrollFailure,
  type Enrollment,
  type GrantRecord,
  type LastBatch,
  type NewDevice,
  type NewOfficer,
  type Officer,
  type OfficerChange,
  type OfficerList,
  type ReadSinceQuery,
  type ReadSinceResult,
  type StoredCatalog,
  type StoredDoc,
  type StoreStats,
  type SyncStore,
  type Unit,
} from './types.ts';
import { PgOfficers } from './pg-officers.ts';

/** Any constant: the advisory lock of first-start seeding. */
const STARTUP_LOCK = 7_190_421;

const asBytes = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

export class PgStore implements SyncStore {
  /** The NOTIFY channel of this store's log (one per schema, so test schemas do not hear each other). */
  readonly channel: string;
  /** Device ids revoked on any node: every node closes their sockets. */
  readonly revokeChannel: string;
  private readonly rangeListeners = new Set<RangeListener>();
  private closed = false;
  private readonly officers: PgOfficers;

  private constructor(
    readonly pool: pg.Pool,
    /**
     * Two connections kept for live edits and the fan-out's reads: in a reconnect storm the main
     * pool's queue holds seconds of catch-up work, and a call on the board must not wait behind it.
     */
    readonly urgentPool: pg.Pool,
    readonly options: PgOptions,
  ) {
    this.channel = `motcua_log_${options.schema ?? 'public'}`;
    this.revokeChannel = `${this.channel}_revoke`;
    this.officers = new PgOfficers(pool);
  }

  /** Connects, creates the schema when one is named, and runs the migrations. */
  static async open(options: PgOptions): Promise<PgStore> {
    const store = new PgStore(createPool(options), createPool({ ...options, max: 2 }), options);
    try {
      const client = await store.pool.connect();
      try {
        if (options.schema !== undefined) {
          // IF NOT EXISTS is not atomic: two nodes creating it together may still collide.
          await client.query(`CREATE SCHEMA IF NOT EXISTS ${options.schema}`).catch((err: unknown) => {
            if (sqlState(err) !== '23505' && sqlState(err) !== '42P06') throw err;
          });
        }
        await migratePg(client);
      } finally {
        client.release();
      }
    } catch (err) {
      await Promise.all([store.pool.end(), store.urgentPool.end()]);
      throw err;
    }
    return store;
  }

  /**
   * Runs `fn` while holding a database-wide advisory lock: nodes starting together on an empty
   * database seed it once (the second finds it seeded).
   */
  async underStartupLock<T>(fn: () => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1)', [STARTUP_LOCK]);
      try {
        return await fn();
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [STARTUP_LOCK]);
      }
    } finally {
      client.release();
    }
  }

  /** Seq ranges this process writes (see RangeListener): its own fan-out skips them. */
  onRanges(listener: RangeListener): () => void {
    this.rangeListeners.add(listener);
    return () => this.rangeListeners.delete(listener);
  }

  private q<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
    if (this.closed) return Promise.reject(new StoreError('closed', 'store is closed'));
    return this.pool.query<R>(sql, params);
  }

  private tx<T>(fn: (c: PoolClient) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new StoreError('closed', 'store is closed'));
    return inTransaction(this.pool, fn);
  }

  async putUnits(units: readonly Unit[]): Promise<void> {
    await this.q(
      `INSERT INTO units (code, name) SELECT * FROM unnest($1::text[], $2::text[])
       ON CONFLICT (code) DO UPDATE SET name = excluded.name`,
      [units.map((u) => u.code), units.map((u) => u.name)],
    );
  }

  async getUnit(code: string): Promise<Unit | null> {
    return (await this.q<Unit>('SELECT code, name FROM units WHERE code = $1', [code])).rows[0] ?? null;
  }

  async listUnits(): Promise<Unit[]> {
    return (await this.q<Unit>('SELECT code, name FROM units ORDER BY code')).rows;
  }

  async createDevice(unit: string, role: DeviceRole, input: NewDevice): Promise<Device> {
    return this.tx(async (c) => {
      // The unit's row lock serialises ordinal choices of one unit across nodes.
      const found = await c.query('SELECT 1 FROM units WHERE code = $1 FOR UPDATE', [unit]);
      if (found.rowCount === 0) throw new StoreError('unknown_unit', `unit ${unit} does not exist`);
      const device = await insertDevice(c, unit, role, input);
      if (device === null) throw new StoreError('unit_full', `unit ${unit} has ${MAX_DEVICES_PER_UNIT} devices`);
      return device;
    });
  }

  async enrollDevice(codeHash: string, now: number, input: NewDevice): Promise<Result<Device, EnrollFailure>> {
    return this.tx(async (c): Promise<Result<Device, EnrollFailure>> => {
      // Locked: two nodes redeeming the last use of one code cannot both succeed.
      const { rows } = await c.query<EnrollmentRow>('SELECT * FROM enrollments WHERE code_hash = $1 FOR UPDATE', [codeHash]);
      const row = rows[0];
      if (row === undefined || row.uses_left <= 0 || (row.expires_at !== null && row.expires_at <= now)) return fail('invalid_code');
      await c.query('SELECT 1 FROM units WHERE code = $1 FOR UPDATE', [row.unit]);
      // A full unit does not consume a use: the admin revokes an old device and the code still works.
      const device = await insertDevice(c, row.unit, row.role, input);
      if (device === null) return fail('unit_full');
      await c.query('UPDATE enrollments SET uses_left = uses_left - 1 WHERE code_hash = $1', [codeHash]);
      return ok(device);
    });
  }

  async getDevice(id: string): Promise<Device | null> {
    const row = (await this.q<DeviceRow>('SELECT * FROM devices WHERE id = $1', [id])).rows[0];
    return row === undefined ? null : toDevice(row);
  }

  async getDeviceByTokenHash(tokenHash: string): Promise<Device | null> {
    const row = (await this.q<DeviceRow>('SELECT * FROM devices WHERE token_hash = $1', [tokenHash])).rows[0];
    return row === undefined ? null : toDevice(row);
  }

  async listDevices(unit?: string): Promise<Device[]> {
    const { rows } =
      unit === undefined
        ? await this.q<DeviceRow>('SELECT * FROM devices ORDER BY unit, created_at')
        : await this.q<DeviceRow>('SELECT * FROM devices WHERE unit = $1 ORDER BY created_at', [unit]);
    return rows.map(toDevice);
  }

  async revokeDevice(id: string, at: number): Promise<Device | null> {
    // The NOTIFY goes out with the commit: a device connected to another node is cut off there too.
    const { rows } = await this.q<DeviceRow>(
      `WITH r AS (UPDATE devices SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2 RETURNING *)
       SELECT r.*, pg_notify($3, r.id) FROM r`,
      [at, id, this.revokeChannel],
    );
    const row = rows[0];
    return row === undefined ? null : toDevice(row);
  }

  async createEnrollment(e: Enrollment): Promise<void> {
    await this.q(
      'INSERT INTO enrollments (code_hash, unit, role, uses_left, expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6)',
      [e.codeHash, e.unit, e.role, e.usesLeft, e.expiresAt, e.createdAt],
    );
  }

  async getEnrollment(codeHash: string): Promise<Enrollment | null> {
    const row = (await this.q<EnrollmentRow>('SELECT * FROM enrollments WHERE code_hash = $1', [codeHash])).rows[0];
    return row === undefined ? null : toEnrollment(row);
  }

  async countOpenEndedEnrollments(): Promise<number> {
    const row = (await this.q<{ n: number }>('SELECT COUNT(*)::int AS n FROM enrollments WHERE expires_at IS NULL AND uses_left > 0')).rows[0];
    return row?.n ?? 0;
  }

  async putOfficer(o: NewOfficer): Promise<void> {
    await this.officers.put(o);
  }

  async createOfficer(o: NewOfficer): Promise<Officer> {
    return this.officers.create(o);
  }

  async getOfficer(id: string): Promise<Officer | null> {
    return this.officers.get(id);
  }

  async updateOfficer(id: string, change: OfficerChange): Promise<Officer | null> {
    return this.officers.update(id, change);
  }

  async listOfficers(unit: string): Promise<Officer[]> {
    return (await this.officers.list(unit)).officers.filter((o) => o.disabledAt === null);
  }

  async officerList(unit: string): Promise<OfficerList> {
    return this.officers.list(unit);
  }

  async appendBatch(device: string, batchId: string, items: readonly BatchItem[], options: AppendOptions = {}): Promise<AppendResult> {
    if (this.closed) throw new StoreError('closed', 'store is closed');
    const ranges: RangeListener = {
      written: (first, last) => this.rangeListeners.forEach((l) => l.written(first, last)),
      failed: (first, last) => this.rangeListeners.forEach((l) => l.failed(first, last)),
    };
    const pool = options.urgent === true ? this.urgentPool : this.pool;
    return appendBatchPg({ pool, channel: this.channel, ranges }, device, batchId, items, options);
  }

  async readSince(q: ReadSinceQuery): Promise<ReadSinceResult> {
    if (this.closed) throw new StoreError('closed', 'store is closed');
    return inTransaction(this.pool, (c) => scanPagePg(c, q), 'repeatable read', true);
  }

  async readDoc(doc: string): Promise<Uint8Array[]> {
    const { rows } = await this.q<{ data: Buffer }>('SELECT data FROM updates WHERE doc = $1 AND unit = $2 ORDER BY seq', [doc, homeUnit(doc)]);
    return rows.map((r) => asBytes(r.data));
  }

  async readDocs(docs: readonly string[]): Promise<Map<string, StoredDoc>> {
    const out = new Map<string, StoredDoc>();
    if (docs.length === 0) return out;
    // One statement, one snapshot: a record's version goes with exactly the rows it reflects (S18).
    const { rows } = await this.q<{ doc: string; seq: number; data: Buffer; version: number | null }>(
      `SELECT u.doc, u.seq, u.data, d.version FROM updates u LEFT JOIN dossiers d ON d.doc = u.doc
       WHERE u.doc = ANY($1::text[]) AND u.unit = split_part(u.doc, '/', 1) ORDER BY u.doc, u.seq`,
      [[...new Set(docs)]],
    );
    const lists = new Map<string, { rows: Uint8Array[]; lastSeq: number; version: number }>();
    for (const r of rows) {
      const list = lists.get(r.doc) ?? { rows: [], lastSeq: 0, version: r.version ?? 0 };
      list.rows.push(asBytes(r.data));
      list.lastSeq = r.seq;
      lists.set(r.doc, list);
    }
    for (const [doc, list] of lists) out.set(doc, list);
    return out;
  }

  async exportDossiers(query: DossierQuery): Promise<DossierRecord[]> {
    if (this.closed) throw new StoreError('closed', 'store is closed');
    return exportDossiersPg(this.pool, query);
  }

  async dossierEvents(doc: string): Promise<DossierEventRecord[]> {
    if (this.closed) throw new StoreError('closed', 'store is closed');
    return dossierEventsPg(this.pool, doc);
  }

  async getDocRows(docs: readonly string[]): Promise<Map<string, DocRowRecord>> {
    const out = new Map<string, DocRowRecord>();
    if (docs.length === 0) return out;
    const { rows } = await this.q<{ doc: string; seq: number; row: string }>('SELECT doc, seq, row FROM doc_rows WHERE doc = ANY($1::text[])', [
      [...docs],
    ]);
    for (const r of rows) out.set(r.doc, { seq: r.seq, row: r.row });
    return out;
  }

  async putDocRows(rows: readonly (DocRowRecord & { readonly doc: string })[]): Promise<void> {
    if (rows.length === 0) return;
    // One row per doc: ON CONFLICT cannot touch the same row twice in one statement.
    const latest = new Map<string, DocRowRecord & { readonly doc: string }>();
    for (const r of rows) {
      const prev = latest.get(r.doc);
      if (prev === undefined || r.seq >= prev.seq) latest.set(r.doc, r);
    }
    const list = [...latest.values()];
    await this.q(
      `INSERT INTO doc_rows (doc, seq, row) SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[])
       ON CONFLICT (doc) DO UPDATE SET seq = excluded.seq, row = excluded.row WHERE excluded.seq >= doc_rows.seq`,
      [list.map((r) => r.doc), list.map((r) => r.seq), list.map((r) => r.row)],
    );
  }

  async grantedDocs(unit: string, docs: readonly string[]): Promise<Set<string>> {
    if (docs.length === 0) return new Set();
    const { rows } = await this.q<{ doc: string }>('SELECT doc FROM grants WHERE unit = $1 AND doc = ANY($2::text[])', [unit, [...docs]]);
    return new Set(rows.map((r) => r.doc));
  }

  async listGrants(doc: string): Promise<GrantRecord[]> {
    return (
      await this.q<GrantRecord>(
        'SELECT doc, unit, device, granted_at AS "grantedAt" FROM grants WHERE doc = $1 ORDER BY granted_at, unit',
        [doc],
      )
    ).rows;
  }

  async headSeq(): Promise<number> {
    return (await this.q<{ seq: number }>('SELECT seq FROM log_head WHERE id = 1')).rows[0]?.seq ?? 0;
  }

  async lastBatch(device: string): Promise<LastBatch | null> {
    const row = (await this.q<{ batch_id: string; seqs: string }>('SELECT batch_id, seqs FROM last_batch WHERE device = $1', [device])).rows[0];
    return row === undefined ? null : { batchId: row.batch_id, seqs: parseSeqs(row.seqs) };
  }

  async docStats(unit: string, limit: number): Promise<DocStat[]> {
    return (
      await this.q<DocStat>(
        `SELECT doc, COUNT(*)::int AS rows, MAX(seq) AS "lastSeq" FROM updates WHERE unit = $1
         GROUP BY doc ORDER BY "lastSeq" DESC LIMIT $2`,
        [unit, limit],
      )
    ).rows;
  }

  async compactDoc(doc: string, options?: CompactOptions): Promise<CompactResult> {
    if (this.closed) throw new StoreError('closed', 'store is closed');
    return compactDocPg(this.pool, doc, options);
  }

  async compactionCandidates(query: CandidateQuery): Promise<Candidates> {
    if (this.closed) throw new StoreError('closed', 'store is closed');
    return candidatesPg(this.pool, query);
  }

  async logSize(): Promise<LogSize> {
    if (this.closed) throw new StoreError('closed', 'store is closed');
    return logSizePg(this.pool);
  }

  async stats(): Promise<StoreStats> {
    const { rows } = await this.q<StoreStats>(
      `SELECT (SELECT seq FROM log_head WHERE id = 1) AS "headSeq",
              (SELECT COUNT(*)::int FROM updates) AS rows,
              (SELECT COUNT(*)::int FROM pushed_batches) AS batches,
              (SELECT COUNT(*)::int FROM devices WHERE revoked_at IS NULL) AS devices`,
    );
    return rows[0] ?? { headSeq: 0, rows: 0, batches: 0, devices: 0 };
  }

  async reserveBlocks(unit: string, days: readonly string[], size: number, held: readonly Block[] = []): Promise<Block[]> {
    return this.tx(async (c) => {
      const taken = new Map<string, Block>();
      // Days in order (counterSteps), so two nodes lock counters in one order.
      for (const { day, raiseTo, take } of counterSteps(days, held)) {
        // Insert-if-missing (or move past the device's held numbers), then lock: two nodes reserving
        // the same day take disjoint blocks (S10).
        if (raiseTo === null) await c.query('INSERT INTO number_counters (unit, day, next) VALUES ($1, $2, 1) ON CONFLICT DO NOTHING', [unit, day]);
        else {
          await c.query(
            `INSERT INTO number_counters (unit, day, next) VALUES ($1, $2, $3)
             ON CONFLICT (unit, day) DO UPDATE SET next = GREATEST(number_counters.next, excluded.next)`,
            [unit, day, raiseTo],
          );
        }
        if (!take) continue;
        const { rows } = await c.query<{ next: number }>('SELECT next FROM number_counters WHERE unit = $1 AND day = $2 FOR UPDATE', [unit, day]);
        const block = takeBlock(day, rows[0]?.next ?? 1, size);
        if (block === null) continue;
        await c.query('UPDATE number_counters SET next = $3 WHERE unit = $1 AND day = $2', [unit, day, block.next]);
        taken.set(day, block.block);
      }
      return inDayOrder(days, taken);
    });
  }

  async getCatalog(): Promise<StoredCatalog | null> {
    return (
      (await this.q<StoredCatalog>('SELECT version, body, count, published_at AS "publishedAt" FROM catalog WHERE id = 1')).rows[0] ?? null
    );
  }

  async putCatalog(c: StoredCatalog): Promise<void> {
    await this.q(
      `INSERT INTO catalog (id, version, body, count, published_at) VALUES (1, $1, $2, $3, $4)
       ON CONFLICT (id) DO UPDATE SET version = excluded.version, body = excluded.body, count = excluded.count,
         published_at = excluded.published_at`,
      [c.version, c.body, c.count, c.publishedAt],
    );
  }

  /**
   * The cluster (system identifier), its timeline (a point-in-time recovery or a promoted standby
   * starts a new one), the database's oid (pg_restore into a fresh database gives a new one) and the
   * schema: a restored copy differs in at least one of them (S17).
   */
  async fingerprint(): Promise<string> {
    const { rows } = await this.q<{ system: string; timeline: number; oid: number; schema: string }>(
      `SELECT (SELECT system_identifier::text FROM pg_control_system()) AS system,
              (SELECT timeline_id FROM pg_control_checkpoint()) AS timeline,
              (SELECT oid FROM pg_database WHERE datname = current_database()) AS oid,
              current_schema() AS schema`,
    );
    const r = rows[0];
    if (r === undefined) throw new StoreError('no_fingerprint', 'PostgreSQL named no system identifier');
    return `pg:${r.system}:${r.timeline}:${r.oid}:${r.schema}`;
  }

  async getSetting(key: string): Promise<string | null> {
    return (await this.q<{ value: string }>('SELECT value FROM settings WHERE key = $1', [key])).rows[0]?.value ?? null;
  }

  async setSetting(key: string, value: string): Promise<void> {
    await this.q('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [key, value]);
  }

  /**
   * One statement: a second writer waits for the first's commit, then finds the row no longer holds
   * what it expected (UPDATE re-checks its WHERE on the new row) or already there (INSERT).
   */
  async replaceSetting(key: string, expected: string | null, value: string): Promise<boolean> {
    const res =
      expected === null
        ? await this.q('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [key, value])
        : await this.q('UPDATE settings SET value = $3 WHERE key = $1 AND value = $2', [key, expected, value]);
    return res.rowCount === 1;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([this.pool.end(), this.urgentPool.end()]);
  }
}

/** Call inside a transaction holding the unit's row lock: the ordinal read and the insert must not interleave. */
async function insertDevice(c: PoolClient, unit: string, role: DeviceRole, input: NewDevice): Promise<Device | null> {
  const { rows } = await c.query<{ ordinal: number; revokedAt: number | null }>(
    'SELECT ordinal, revoked_at AS "revokedAt" FROM devices WHERE unit = $1',
    [unit],
  );
  const ordinal = lowestFreeOrdinal(takenOrdinals(rows, input.createdAt), MAX_DEVICES_PER_UNIT);
  if (ordinal === null) return null;
  await c.query('INSERT INTO devices (id, unit, ordinal, label, role, token_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
    input.id,
    unit,
    ordinal,
    input.label,
    role,
    input.tokenHash,
    input.createdAt,
  ]);
  return { ...input, unit, role, ordinal, revokedAt: null };
}
