/**
 * The embedded store: one SQLite file, zero setup. better-sqlite3 is synchronous, so every method runs
 * to completion (a whole transaction) before its promise resolves; with WAL and `synchronous = FULL`
 * a committed transaction is on disk when that promise resolves, which is what a PushAck promises.
 */
import Database from 'better-sqlite3';
import { fail, ok, type Result } from '../../src/domain/errors.ts';
import type { Block } from '../../src/protocol/messages.ts';
import { randomUUID } from 'node:crypto';
import { counterSteps, inDayOrder, lowestFreeOrdinal, parseSeqs, takeBlock, takenOrdinals } from './numbers.ts';
import { fileFingerprint } from './sqlite-backup.ts';
import type { CandidateQuery, Candidates, CompactOptions, CompactResult, LogSize } from './compact-types.ts';
import { SqliteCompaction } from './sqlite-compact.ts';
import { migrate } from './sqlite-schema.ts';
import { dossierEventsSqlite, exportDossiersSqlite, writeProjectionSqlite } from './sqlite-projection.ts';
import type { DossierEventRecord, DossierQuery, DossierRecord } from './projection-types.ts';
import { scanPage, sqlScope } from './sqlite-read.ts';
import { toDevice, toEnrollment, type DeviceRow, type EnrollmentRow } from './sqlite-rows.ts';
import { homeUnit, mergeBounded, SERVER_DEVICE, stampUpdates } from './server-rows.ts';
import {
  type DocRowRecord,
  MAX_DEVICES_PER_UNIT,
  StoreError,
  type AppendOptions,
  type AppendResult,
  type BatchItem,
  type Device,
  type DeviceRole,
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
  type ServerRow,
  type StoredCatalog,
  type StoredDoc,
  type StoreStats,
  type SyncStore,
  type Unit,
} from './types.ts';
import { SqliteOfficers } from './sqlite-officers.ts';

/** better-sqlite3 binds Buffers, not plain Uint8Arrays; this view copies nothing. */
const toBuffer = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

export class SqliteStore implements SyncStore {
  private readonly db: Database.Database;
  /** Prepared on first use (S16). */
  private compaction: SqliteCompaction | null = null;

  private readonly statements = new Map<string, Database.Statement>();
  private readonly officers: SqliteOfficers;

  /** Prepared once per SQL text: preparing costs more than running the small queries here. */
  private prep<P extends unknown[] | Record<string, unknown> = unknown[], R = unknown>(sql: string): Database.Statement<P, R> {
    let st = this.statements.get(sql);
    if (st === undefined) {
      st = this.db.prepare(sql);
      this.statements.set(sql, st);
    }
    return st as unknown as Database.Statement<P, R>;
  }

  /** `path` is a file, or ':memory:' for a throwaway database. */
  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    // FULL syncs the WAL on every commit: an acknowledged batch survives a power cut, not just a crash.
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('foreign_keys = ON');
    migrate(this.db);
    this.officers = new SqliteOfficers(this.db);
  }

  async putUnits(units: readonly Unit[]): Promise<void> {
    const put = this.prep<[string, string]>(
      'INSERT INTO units (code, name) VALUES (?, ?) ON CONFLICT(code) DO UPDATE SET name = excluded.name',
    );
    this.db.transaction(() => units.forEach((u) => put.run(u.code, u.name))).immediate();
  }

  async getUnit(code: string): Promise<Unit | null> {
    return this.prep<[string], Unit>('SELECT code, name FROM units WHERE code = ?').get(code) ?? null;
  }

  async listUnits(): Promise<Unit[]> {
    return this.prep<[], Unit>('SELECT code, name FROM units ORDER BY code').all();
  }

  async createDevice(unit: string, role: DeviceRole, input: NewDevice): Promise<Device> {
    return this.db
      .transaction(() => {
        if ((this.prep('SELECT 1 FROM units WHERE code = ?').get(unit) ?? null) === null) {
          throw new StoreError('unknown_unit', `unit ${unit} does not exist`);
        }
        const device = this.insertDevice(unit, role, input);
        if (device === null) throw new StoreError('unit_full', `unit ${unit} has ${MAX_DEVICES_PER_UNIT} devices`);
        return device;
      })
      .immediate();
  }

  async enrollDevice(codeHash: string, now: number, input: NewDevice): Promise<Result<Device, EnrollFailure>> {
    return this.db
      .transaction((): Result<Device, EnrollFailure> => {
        const row = this.db
          .prepare<[string], EnrollmentRow>('SELECT * FROM enrollments WHERE code_hash = ?')
          .get(codeHash);
        if (row === undefined || row.uses_left <= 0 || (row.expires_at !== null && row.expires_at <= now)) {
          return fail('invalid_code');
        }
        // A full unit does not consume a use: the admin revokes an old device and the code still works.
        const device = this.insertDevice(row.unit, row.role, input);
        if (device === null) return fail('unit_full');
        this.prep('UPDATE enrollments SET uses_left = uses_left - 1 WHERE code_hash = ?').run(codeHash);
        return ok(device);
      })
      .immediate();
  }

  /** Call inside a write transaction: the ordinal read and the insert must not interleave. */
  private insertDevice(unit: string, role: DeviceRole, input: NewDevice): Device | null {
    const devices = this.db
      .prepare<[string], { ordinal: number; revokedAt: number | null }>('SELECT ordinal, revoked_at AS revokedAt FROM devices WHERE unit = ?')
      .all(unit);
    const used = takenOrdinals(devices, input.createdAt);
    const ordinal = lowestFreeOrdinal(used, MAX_DEVICES_PER_UNIT);
    if (ordinal === null) return null;
    this.db
      .prepare(
        'INSERT INTO devices (id, unit, ordinal, label, role, token_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(input.id, unit, ordinal, input.label, role, input.tokenHash, input.createdAt);
    return { ...input, unit, role, ordinal, revokedAt: null };
  }

  async getDevice(id: string): Promise<Device | null> {
    const row = this.prep<[string], DeviceRow>('SELECT * FROM devices WHERE id = ?').get(id);
    return row === undefined ? null : toDevice(row);
  }

  async getDeviceByTokenHash(tokenHash: string): Promise<Device | null> {
    const row = this.prep<[string], DeviceRow>('SELECT * FROM devices WHERE token_hash = ?').get(tokenHash);
    return row === undefined ? null : toDevice(row);
  }

  async listDevices(unit?: string): Promise<Device[]> {
    const rows =
      unit === undefined
        ? this.prep<[], DeviceRow>('SELECT * FROM devices ORDER BY unit, created_at').all()
        : this.prep<[string], DeviceRow>('SELECT * FROM devices WHERE unit = ? ORDER BY created_at').all(unit);
    return rows.map(toDevice);
  }

  async revokeDevice(id: string, at: number): Promise<Device | null> {
    this.prep('UPDATE devices SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?').run(at, id);
    return this.getDevice(id);
  }

  async createEnrollment(e: Enrollment): Promise<void> {
    this.db
      .prepare(
        'INSERT INTO enrollments (code_hash, unit, role, uses_left, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(e.codeHash, e.unit, e.role, e.usesLeft, e.expiresAt, e.createdAt);
  }

  async getEnrollment(codeHash: string): Promise<Enrollment | null> {
    const row = this.prep<[string], EnrollmentRow>('SELECT * FROM enrollments WHERE code_hash = ?').get(codeHash);
    return row === undefined ? null : toEnrollment(row);
  }

  async countOpenEndedEnrollments(): Promise<number> {
    const row = this.prep<[], { n: number }>('SELECT COUNT(*) AS n FROM enrollments WHERE expires_at IS NULL AND uses_left > 0').get();
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
    const now = options.now ?? Date.now();
    const insert = this.prep<[string, string, string, string, Buffer, number]>(
      'INSERT INTO updates (doc, unit, device, batch_id, data, received_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    const grantsOf = this.prep<[string], { unit: string }>('SELECT unit FROM grants WHERE doc = ? ORDER BY granted_at, unit');
    const stamp = this.prep<[string, string, number]>(
      'INSERT INTO event_stamps (doc, event_id, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
    );
    const grant = this.prep<[string, string, string, number]>(
      'INSERT INTO grants (doc, unit, device, granted_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
    );
    const homeRows = this.prep<[string, string], { data: Buffer }>('SELECT data FROM updates WHERE doc = ? AND unit = ? ORDER BY seq');
    // One transaction for the rows, the idempotency record, the last-batch pointer, the stamps and the
    // grants: a crash leaves either the whole batch with its record, or nothing, so a retried batch is
    // never half-duplicated and a grant never exists without the rows that carry its history.
    return this.db
      .transaction((): AppendResult => {
        const seen = this.db
          .prepare<[string, string], { seqs: string }>('SELECT seqs FROM pushed_batches WHERE device = ? AND batch_id = ?')
          .get(device, batchId);
        if (seen !== undefined) return { seqs: parseSeqs(seen.seqs), duplicate: true, headSeq: this.head(), serverRows: [], units: [] };
        const units = new Set<string>();
        const put = (doc: string, unit: string, by: string, data: Uint8Array): number => {
          units.add(unit);
          return Number(insert.run(doc, unit, by, batchId, toBuffer(data), now).lastInsertRowid);
        };
        /** A row of `doc` for each unit it was granted to (fan-out on write). */
        const copies = (doc: string, by: string, data: Uint8Array): void => {
          for (const g of grantsOf.all(doc)) put(doc, g.unit, by, data);
        };

        const seqs = items.map((it) => put(it.doc, it.unit, device, it.data));
        for (const it of items) copies(it.doc, device, it.data);

        const serverRows: ServerRow[] = [];
        for (const st of options.stamps ?? []) {
          const fresh = [...new Set(st.eventIds)].filter((id) => stamp.run(st.doc, id, now).changes === 1);
          for (const data of stampUpdates(fresh, now)) {
            put(st.doc, st.unit, SERVER_DEVICE, data);
            copies(st.doc, SERVER_DEVICE, data);
            serverRows.push({ doc: st.doc, unit: st.unit, data });
          }
        }

        for (const g of options.grants ?? []) {
          const home = homeUnit(g.doc);
          if (g.unit === home || grant.run(g.doc, g.unit, device, now).changes === 0) continue;
          // The granted unit's devices may hold a cursor past every row of this doc: give them its
          // whole state as new rows, above any cursor.
          const state = homeRows.all(g.doc, home).map((r) => r.data);
          for (const data of mergeBounded(state)) put(g.doc, g.unit, SERVER_DEVICE, data);
        }

        const json = JSON.stringify(seqs);
        this.db
          .prepare('INSERT INTO pushed_batches (device, batch_id, seqs, acked_at) VALUES (?, ?, ?, ?)')
          .run(device, batchId, json, now);
        this.db
          .prepare(
            `INSERT INTO last_batch (device, batch_id, seqs) VALUES (?, ?, ?)
             ON CONFLICT(device) DO UPDATE SET batch_id = excluded.batch_id, seqs = excluded.seqs`,
          )
          .run(device, batchId, json);
        const headSeq = this.head();
        writeProjectionSqlite(this.db, options.projection, now);
        return { seqs, duplicate: false, headSeq, serverRows, units: [...units] };
      })
      .immediate();
  }

  async readSince(q: ReadSinceQuery): Promise<ReadSinceResult> {
    // A read transaction: the page and the scan bound come from one snapshot.
    return this.db.transaction(() => scanPage(this.db, sqlScope(q.units), q)).deferred();
  }

  async readDoc(doc: string): Promise<Uint8Array[]> {
    return this.db
      .prepare<[string, string], { data: Buffer }>('SELECT data FROM updates WHERE doc = ? AND unit = ? ORDER BY seq')
      .all(doc, homeUnit(doc))
      .map((r) => new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength));
  }

  async readDocs(docs: readonly string[]): Promise<Map<string, StoredDoc>> {
    const rowsOf = this.prep<[string, string], { seq: number; data: Buffer }>('SELECT seq, data FROM updates WHERE doc = ? AND unit = ? ORDER BY seq');
    const versionOf = this.prep<[string], { version: number }>('SELECT version FROM dossiers WHERE doc = ?');
    const out = new Map<string, StoredDoc>();
    // One read transaction: every doc from the same snapshot.
    this.db
      .transaction(() => {
        for (const doc of new Set(docs)) {
          const rows = rowsOf.all(doc, homeUnit(doc));
          const last = rows[rows.length - 1];
          if (last === undefined) continue;
          const version = versionOf.get(doc)?.version ?? 0;
          out.set(doc, { rows: rows.map((r) => new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength)), lastSeq: last.seq, version });
        }
      })
      .deferred();
    return out;
  }

  async exportDossiers(query: DossierQuery): Promise<DossierRecord[]> {
    return exportDossiersSqlite(this.db, query);
  }

  async dossierEvents(doc: string): Promise<DossierEventRecord[]> {
    return dossierEventsSqlite(this.db, doc);
  }

  async getDocRows(docs: readonly string[]): Promise<Map<string, DocRowRecord>> {
    const get = this.prep<[string], { seq: number; row: string }>('SELECT seq, row FROM doc_rows WHERE doc = ?');
    const out = new Map<string, DocRowRecord>();
    for (const doc of docs) {
      const r = get.get(doc);
      if (r !== undefined) out.set(doc, { seq: r.seq, row: r.row });
    }
    return out;
  }

  async putDocRows(rows: readonly (DocRowRecord & { readonly doc: string })[]): Promise<void> {
    const put = this.prep<[string, number, string]>(
      'INSERT INTO doc_rows (doc, seq, row) VALUES (?, ?, ?) ON CONFLICT(doc) DO UPDATE SET seq = excluded.seq, row = excluded.row WHERE excluded.seq >= doc_rows.seq',
    );
    this.db.transaction(() => rows.forEach((r) => put.run(r.doc, r.seq, r.row))).immediate();
  }

  async grantedDocs(unit: string, docs: readonly string[]): Promise<Set<string>> {
    const has = this.prep<[string, string], { one: number }>('SELECT 1 AS one FROM grants WHERE doc = ? AND unit = ?');
    return new Set(docs.filter((doc) => has.get(doc, unit) !== undefined));
  }

  async listGrants(doc: string): Promise<GrantRecord[]> {
    return this.db
      .prepare<[string], GrantRecord>(
        'SELECT doc, unit, device, granted_at AS grantedAt FROM grants WHERE doc = ? ORDER BY granted_at, unit',
      )
      .all(doc);
  }

  async headSeq(): Promise<number> {
    return this.head();
  }

  private head(): number {
    // sqlite_sequence keeps the highest seq ever handed out, even if compaction deleted that row.
    const row = this.prep<[], { seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'updates'").get();
    return row?.seq ?? 0;
  }

  async lastBatch(device: string): Promise<LastBatch | null> {
    const row = this.db
      .prepare<[string], { batch_id: string; seqs: string }>('SELECT batch_id, seqs FROM last_batch WHERE device = ?')
      .get(device);
    return row === undefined ? null : { batchId: row.batch_id, seqs: parseSeqs(row.seqs) };
  }

  async docStats(unit: string, limit: number): Promise<DocStat[]> {
    return this.db
      .prepare<[string, number], DocStat>(
        `SELECT doc, COUNT(*) AS rows, MAX(seq) AS lastSeq FROM updates WHERE unit = ?
         GROUP BY doc ORDER BY lastSeq DESC LIMIT ?`,
      )
      .all(unit, limit);
  }

  async compactDoc(doc: string, options?: CompactOptions): Promise<CompactResult> {
    return (this.compaction ??= new SqliteCompaction(this.db)).compactDoc(doc, options);
  }

  async compactionCandidates(query: CandidateQuery): Promise<Candidates> {
    return (this.compaction ??= new SqliteCompaction(this.db)).candidates(query);
  }

  async logSize(): Promise<LogSize> {
    return (this.compaction ??= new SqliteCompaction(this.db)).logSize();
  }

  async stats(): Promise<StoreStats> {
    const count = (sql: string): number => this.prep<[], { n: number }>(sql).get()?.n ?? 0;
    return {
      headSeq: this.head(),
      rows: count('SELECT COUNT(*) AS n FROM updates'),
      batches: count('SELECT COUNT(*) AS n FROM pushed_batches'),
      devices: count('SELECT COUNT(*) AS n FROM devices WHERE revoked_at IS NULL'),
    };
  }

  async reserveBlocks(unit: string, days: readonly string[], size: number, held: readonly Block[] = []): Promise<Block[]> {
    const get = this.prep<[string, string], { next: number }>(
      'SELECT next FROM number_counters WHERE unit = ? AND day = ?',
    );
    const put = this.prep<[string, string, number]>(
      `INSERT INTO number_counters (unit, day, next) VALUES (?, ?, ?)
       ON CONFLICT(unit, day) DO UPDATE SET next = excluded.next`,
    );
    const raise = this.prep<[string, string, number]>(
      `INSERT INTO number_counters (unit, day, next) VALUES (?, ?, ?)
       ON CONFLICT(unit, day) DO UPDATE SET next = MAX(next, excluded.next)`,
    );
    return this.db
      .transaction(() => {
        const taken = new Map<string, Block>();
        for (const step of counterSteps(days, held)) {
          if (step.raiseTo !== null) raise.run(unit, step.day, step.raiseTo);
          const block = step.take ? takeBlock(step.day, get.get(unit, step.day)?.next ?? 1, size) : null;
          if (block === null) continue;
          put.run(unit, step.day, block.next);
          taken.set(step.day, block.block);
        }
        return inDayOrder(days, taken);
      })
      .immediate();
  }

  async getCatalog(): Promise<StoredCatalog | null> {
    return (
      this.db
        .prepare<[], StoredCatalog>('SELECT version, body, count, published_at AS publishedAt FROM catalog WHERE id = 1')
        .get() ?? null
    );
  }

  async putCatalog(c: StoredCatalog): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO catalog (id, version, body, count, published_at) VALUES (1, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET version = excluded.version, body = excluded.body, count = excluded.count,
           published_at = excluded.published_at`,
      )
      .run(c.version, c.body, c.count, c.publishedAt);
  }

  /** A database in memory is its own copy. */
  private readonly memoryIdentity = `sqlite-memory:${randomUUID()}`;

  /** The file's inode (sqlite-backup.ts). */
  async fingerprint(): Promise<string> {
    return this.db.memory ? this.memoryIdentity : fileFingerprint(this.db.name);
  }

  async getSetting(key: string): Promise<string | null> {
    return this.prep<[string], { value: string }>('SELECT value FROM settings WHERE key = ?').get(key)?.value ?? null;
  }

  async setSetting(key: string, value: string): Promise<void> {
    this.db
      .prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value')
      .run(key, value);
  }

  async replaceSetting(key: string, expected: string | null, value: string): Promise<boolean> {
    return this.db
      .transaction((): boolean => {
        const held = this.prep<[string], { value: string }>('SELECT value FROM settings WHERE key = ?').get(key)?.value ?? null;
        if (held !== expected) return false;
        this.prep('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
        return true;
      })
      .immediate();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
