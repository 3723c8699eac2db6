/**
 * The sync server's storage, behind one async interface so the embedded SQLite file and a PostgreSQL
 * adapter for a city data center are interchangeable. Every adapter must pass
 * tests/server/store-contract.ts.
 *
 * What every adapter must keep true:
 * - `appendBatch` resolves only after the batch is durable (committed, and synced to disk where the
 *   backend can): the catch-up channel acknowledges a batch on that promise alone (rule S2).
 * - Update sequence numbers are assigned by the store and strictly increase in commit order, so a
 *   cursor "everything after N" never skips a row committed later with a smaller number.
 * - Readers never see half a batch.
 * - Any-center intake (S12), by fan-out on write: a row's `unit` is the unit whose devices receive it.
 *   A doc's own rows carry its home unit; a grant writes one row for the granted unit holding the doc's
 *   merged state, and every later row of the doc is copied once per granted unit. So readSince stays
 *   one range scan of the (unit, seq) index, and a granted unit gets the history it never had above
 *   whatever cursor its devices hold.
 * - Server time (S13): the ids of events a batch inserts get one stamp row each (at most once per
 *   (doc, event id), ever), written by SERVER_DEVICE in the batch's transaction.
 * - Compaction (S16) merges a group's old rows into the rows with the highest seqs among them: a row
 *   keeps its seq or is deleted, so every cursor stays valid and the head never moves back.
 */
import { AppError, type Result } from '../../src/domain/errors.ts';
import type { Block, Grant } from '../../src/protocol/messages.ts';
import type { CandidateQuery, Candidates, CompactOptions, CompactResult, LogSize } from './compact-types.ts';
import type { DossierEventRecord, DossierQuery, DossierRecord, ProjectionInput } from './projection-types.ts';

export type DeviceRole = 'counter' | 'department';
export type OfficerRole = 'counter' | 'processing' | 'leader';

/** A commune-level administrative unit (đơn vị hành chính). */
export interface Unit {
  readonly code: string;
  readonly name: string;
}

export interface Device {
  readonly id: string;
  readonly unit: string;
  /** 0-9, unique among the unit's devices that are not revoked; keys the offline number range. */
  readonly ordinal: number;
  readonly label: string;
  /** A department device reads and writes every unit's docs; a counter device only its own unit's. */
  readonly role: DeviceRole;
  /** sha256 hex of the bearer token: the token itself is never stored. */
  readonly tokenHash: string;
  readonly createdAt: number;
  readonly revokedAt: number | null;
}

export interface Enrollment {
  /** sha256 hex of the normalised code. */
  readonly codeHash: string;
  readonly unit: string;
  readonly role: DeviceRole;
  readonly usesLeft: number;
  /** ms since epoch; null never expires (the demo code). */
  readonly expiresAt: number | null;
  readonly createdAt: number;
}

export interface Officer {
  readonly id: string;
  readonly unit: string;
  readonly username: string;
  readonly displayName: string;
  readonly role: OfficerRole;
  /** PBKDF2-SHA256 parameters, base64: devices verify passwords offline with WebCrypto. */
  readonly salt: string;
  readonly hash: string;
  readonly iterations: number;
  /** When an admin disabled the account (S23); null while it may sign in. */
  readonly disabledAt: number | null;
}

/** An officer as first written: enabled. */
export type NewOfficer = Omit<Officer, 'disabledAt'>;

/** What an admin changes on an officer (S23); absent fields stay as they are. */
export interface OfficerChange {
  readonly role?: OfficerRole;
  readonly displayName?: string;
  /** A time disables, null enables. */
  readonly disabledAt?: number | null;
  /** A new password hash (reset). */
  readonly password?: { readonly salt: string; readonly hash: string; readonly iterations: number };
}

/**
 * A unit's officers, disabled ones included, with the list's version: every change to any of them
 * moves it up by one, in the change's transaction (devices revalidate by it, GET /api/officers).
 */
export interface OfficerList {
  readonly version: number;
  readonly officers: readonly Officer[];
}

/** One row of the replication log. */
export interface UpdateRow {
  readonly seq: number;
  readonly doc: string;
  /** Whose devices receive the row: the doc's home unit, or a unit the doc was granted to (a copy). */
  readonly unit: string;
  /** The pushing device, or SERVER_DEVICE for rows the server wrote (stamps, a grant's merged state). */
  readonly device: string;
  readonly batchId: string;
  readonly data: Uint8Array;
  readonly receivedAt: number;
}

export interface BatchItem {
  readonly doc: string;
  /** The doc's home unit, denormalised so scope queries need no name parsing. */
  readonly unit: string;
  readonly data: Uint8Array;
}

/** Event ids a batch inserted into a dossier doc's 'events' array (found by the server, S13). */
export interface EventStamp {
  readonly doc: string;
  /** The doc's home unit. */
  readonly unit: string;
  readonly eventIds: readonly string[];
}

export interface AppendOptions {
  /** Server time of the batch (ms): received_at of its rows and the value of its stamps. */
  readonly now?: number;
  /** Each id not stamped before gets `st[id] = now`, in one server row per doc (S13). */
  readonly stamps?: readonly EventStamp[];
  /**
   * Units that may read and write a doc from now on (S12). The caller checked scope and that each unit
   * exists; a grant to the doc's home unit, or one already held, writes nothing.
   */
  readonly grants?: readonly Grant[];
  /** The dossier records and events the batch changes, written in its transaction (S18). */
  readonly projection?: ProjectionInput;
  /** A live edit: served ahead of catch-up work where the store queues (PostgreSQL's connections). */
  readonly urgent?: boolean;
}

/** A doc's home rows as stored, the seq of the last one, and its projection record's version (S18). */
export interface StoredDoc {
  readonly rows: readonly Uint8Array[];
  readonly lastSeq: number;
  /** Of the doc's dossier record, read in the same snapshot as the rows; 0 when it has none. */
  readonly version: number;
}

/** A row the server wrote into a batch that a live room of its doc must apply (the home copy). */
export interface ServerRow {
  readonly doc: string;
  readonly unit: string;
  readonly data: Uint8Array;
}

export interface AppendResult {
  /** One seq per item, in item order (rows the server added are not in it). */
  readonly seqs: readonly number[];
  /** True when (device, batchId) was stored before: nothing was written this time. */
  readonly duplicate: boolean;
  /** The log's head right after the commit (or at the duplicate lookup). */
  readonly headSeq: number;
  /** Stamp rows the server added (home copies), in seq order; empty for a duplicate. */
  readonly serverRows: readonly ServerRow[];
  /** Every unit that got a row (home, granted): whose devices have something new to pull. */
  readonly units: readonly string[];
}

export interface GrantRecord {
  readonly doc: string;
  readonly unit: string;
  /** The device whose batch carried the grant. */
  readonly device: string;
  readonly grantedAt: number;
}

export interface ReadSinceQuery {
  /**
   * Rows whose `unit` is one of these; 'all' (a department device) reads only rows of a doc's home
   * unit, so the copies made for granted units are not sent twice.
   */
  readonly units: readonly string[] | 'all';
  readonly since: number;
  readonly limit: number;
  /** Rows pushed by this device are not returned (it has them), but still count as scanned. */
  readonly excludeDevice?: string;
}

export interface ReadSinceResult {
  readonly rows: readonly UpdateRow[];
  /**
   * Resume point: every row of the scope with seq <= lastScanned was either returned or excluded.
   * `since` when nothing in scope follows it.
   */
  readonly lastScanned: number;
  /** More rows of the scope (not excluded) follow lastScanned. */
  readonly more: boolean;
}

/** A doc's projection row as the server computed it: every home row with seq <= `seq` is in it. */
export interface DocRowRecord {
  readonly seq: number;
  readonly row: string;
}

export interface LastBatch {
  readonly batchId: string;
  readonly seqs: readonly number[];
}

export interface DocStat {
  readonly doc: string;
  readonly rows: number;
  readonly lastSeq: number;
}

export interface StoreStats {
  readonly headSeq: number;
  readonly rows: number;
  readonly batches: number;
  readonly devices: number;
}

export interface NewDevice {
  readonly id: string;
  readonly label: string;
  readonly tokenHash: string;
  readonly createdAt: number;
}

export type EnrollFailure = 'invalid_code' | 'unit_full';

/** The procedure catalog the data center publishes to devices (GET /api/catalog). */
export interface StoredCatalog {
  /** catalogVersion of its procedures (src/domain/catalog-import.ts): the HTTP ETag. */
  readonly version: string;
  /** JSON text of an array in the format of public/data/procedures.json, which parseCatalog reads. */
  readonly body: string;
  readonly count: number;
  readonly publishedAt: number;
}

/**
 * Dossier numbers handed out by the server run 1..SERVER_NUMBER_MAX per unit and day; 9000-9999 belong
 * to the devices' offline fallback (keyed by ordinal), so the two can never collide.
 */
export const SERVER_NUMBER_MAX = 8999;
/** Devices per unit: the ordinal is one decimal digit. */
export const MAX_DEVICES_PER_UNIT = 10;
/**
 * A revoked device's ordinal stays taken this long: dossier codes it minted offline from its fallback
 * range (keyed by ordinal and day) must not be minted again by a new device of the same unit. Matches
 * the device's own memory of fallback counters (FALLBACK_MEMORY_DAYS in src/domain/dossier-code.ts).
 */
export const ORDINAL_QUARANTINE_MS = 31 * 24 * 3_600_000;

/** A storage failure the caller cannot fix by changing its input (disk full, constraint broken). */
export class StoreError extends AppError {
  constructor(code: string, message: string) {
    super(code, message);
  }
}

export interface SyncStore {
  // Units (reference data).
  putUnits(units: readonly Unit[]): Promise<void>;
  getUnit(code: string): Promise<Unit | null>;
  listUnits(): Promise<Unit[]>;

  // Devices.
  /** Creates a device with the lowest free ordinal; StoreError 'unit_full' when 0-9 are taken. */
  createDevice(unit: string, role: DeviceRole, input: NewDevice): Promise<Device>;
  /** Redeems one use of an enrollment code and creates the device, atomically. */
  enrollDevice(codeHash: string, now: number, input: NewDevice): Promise<Result<Device, EnrollFailure>>;
  getDevice(id: string): Promise<Device | null>;
  getDeviceByTokenHash(tokenHash: string): Promise<Device | null>;
  listDevices(unit?: string): Promise<Device[]>;
  /** Returns the revoked device, or null if unknown. Revoking twice keeps the first time. */
  revokeDevice(id: string, at: number): Promise<Device | null>;

  // Enrollment codes.
  createEnrollment(enrollment: Enrollment): Promise<void>;
  getEnrollment(codeHash: string): Promise<Enrollment | null>;
  /** Codes that never expire and still have a use: a production start refuses to run while any exist. */
  countOpenEndedEnrollments(): Promise<number>;

  // Officers (S23). Every write moves the unit's officer-list version in the same transaction.
  /** Inserts or replaces by (unit, username); a replaced officer keeps its id and disabledAt. */
  putOfficer(officer: NewOfficer): Promise<void>;
  /** Inserts; StoreError 'duplicate' when the unit already has this username. */
  createOfficer(officer: NewOfficer): Promise<Officer>;
  getOfficer(id: string): Promise<Officer | null>;
  /** Applies the change; null when there is no such officer. */
  updateOfficer(id: string, change: OfficerChange): Promise<Officer | null>;
  /** The officers who may sign in (not disabled), by username. */
  listOfficers(unit: string): Promise<Officer[]>;
  /** Every officer of the unit, disabled ones included, by username, with the list's version. */
  officerList(unit: string): Promise<OfficerList>;

  // The replication log.
  /** Writes the batch, its stamps and its grants in one transaction (see the rules above). */
  appendBatch(device: string, batchId: string, items: readonly BatchItem[], options?: AppendOptions): Promise<AppendResult>;
  readSince(query: ReadSinceQuery): Promise<ReadSinceResult>;
  /** All update blobs of one doc, in seq order: its home rows, without the copies for granted units. */
  readDoc(doc: string): Promise<Uint8Array[]>;
  /** readDoc of several docs in one query, each with its last home seq; docs with no row are absent. */
  readDocs(docs: readonly string[]): Promise<Map<string, StoredDoc>>;

  // The relational projection of dossiers (S18), for reports and exports.
  exportDossiers(query: DossierQuery): Promise<DossierRecord[]>;
  /** A dossier's events as last projected, in the reducer's order. */
  dossierEvents(doc: string): Promise<DossierEventRecord[]>;

  // Projection rows (issue 4: a new device ingests a year without decoding 440,000 docs).
  /** Cached list rows of docs (JSON of the device's DossierRow), each with the head seq it reflects. */
  getDocRows(docs: readonly string[]): Promise<Map<string, DocRowRecord>>;
  /** Inserts or replaces; a row older (lower seq) than the stored one is ignored. */
  putDocRows(rows: readonly (DocRowRecord & { readonly doc: string })[]): Promise<void>;

  // Grants (any-center intake, S12).
  /** Which of `docs` were granted to `unit`. */
  grantedDocs(unit: string, docs: readonly string[]): Promise<Set<string>>;
  /** The units a doc was granted to, oldest first. */
  listGrants(doc: string): Promise<GrantRecord[]>;
  headSeq(): Promise<number>;
  /** The device's most recent stored batch, for the Welcome message. */
  lastBatch(device: string): Promise<LastBatch | null>;
  /** Per-doc row counts of a unit (copies of granted docs included), most recently changed first. */
  docStats(unit: string, limit: number): Promise<DocStat[]>;
  stats(): Promise<StoreStats>;

  // Compaction of the log (S16, compact-plan.ts).
  /**
   * Per group (the doc's home rows; the copies of each granted unit), in one transaction: reads the
   * oldest rows (at most maxRows, seq <= maxSeq), merges them with mergeBounded, writes the merged
   * updates into the read rows with the highest seqs (device SERVER_DEVICE) and deletes the other rows
   * read, never a row it did not read. Seqs are kept, none is handed out. Two nodes compacting one doc
   * at once: one of them does nothing (busy), or merges what the other left.
   */
  compactDoc(doc: string, options?: CompactOptions): Promise<CompactResult>;
  /** Docs with a row in (afterSeq, maxSeq] and a group of at least minRows rows (see CandidateQuery). */
  compactionCandidates(query: CandidateQuery): Promise<Candidates>;
  /** The log's size (a full scan: for reports, not for every request). */
  logSize(): Promise<LogSize>;

  // Dossier-number blocks.
  /**
   * One block per day that is not exhausted, in the order of `days`; at most `size` numbers each.
   * First, in the same transaction, each day's counter moves past the numbers of `held` (blocks the
   * device holds, which a store restored from a backup may have forgotten handing out: S10, S17).
   */
  reserveBlocks(unit: string, days: readonly string[], size: number, held?: readonly Block[]): Promise<Block[]>;

  // The procedure catalog: one current version.
  getCatalog(): Promise<StoredCatalog | null>;
  /** Replaces the current catalog. */
  putCatalog(catalog: StoredCatalog): Promise<void>;

  // Identity (S17).
  /**
   * A value naming this physical copy of the store, the same at every start of it. A copy restored
   * from a backup must give another value than the original had, so that sync-server/epoch.ts gives
   * the copy a new epoch and the devices send back what it lacks.
   */
  fingerprint(): Promise<string>;

  // Settings.
  getSetting(key: string): Promise<string | null>;
  setSetting(key: string, value: string): Promise<void>;
  /**
   * Writes `value` only if the setting still holds `expected` (null: the setting is absent), at once;
   * true if it wrote. Nodes deciding one setting together (the store's epoch, S17): one of them wins.
   */
  replaceSetting(key: string, expected: string | null, value: string): Promise<boolean>;

  close(): Promise<void>;
}
