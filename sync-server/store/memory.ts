/**
 * The in-memory twin of the SQLite store, for tests that need a server but not a file. It must pass
 * the same contract suite; nothing here survives the process.
 */
import { randomUUID } from 'node:crypto';
import { fail, ok, type Result } from '../../src/domain/errors.ts';
import type { Block } from '../../src/protocol/messages.ts';
import type { CandidateQuery, Candidates, CompactOptions, CompactResult, LogSize } from './compact-types.ts';
import { candidatesMemory, compactDocMemory, logSizeMemory } from './memory-compact.ts';
import { counterSteps, inDayOrder, lowestFreeOrdinal, takeBlock, takenOrdinals } from './numbers.ts';
import { homeUnit, mergeBounded, SERVER_DEVICE, stampUpdates } from './server-rows.ts';
import type { DossierEventRecord, DossierQuery, DossierRecord } from './projection-types.ts';
import { dossierOrder, settleProjection } from './projection-rows.ts';
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
  type UpdateRow,
} from './types.ts';
import { MemoryOfficers } from './memory-officers.ts';

export class MemoryStore implements SyncStore {
  private readonly units = new Map<string, Unit>();
  private readonly devices = new Map<string, Device>();
  private readonly enrollments = new Map<string, Enrollment>();
  private readonly officers = new MemoryOfficers();
  /** In seq order: rows are appended, and compaction (S16) only rewrites or removes them. */
  private readonly updates: UpdateRow[] = [];
  private readonly batches = new Map<string, LastBatch>();
  private readonly lastBatches = new Map<string, LastBatch>();
  private readonly counters = new Map<string, number>();
  private readonly settings = new Map<string, string>();
  /** Per doc, the units it was granted to, oldest first. */
  private readonly grants = new Map<string, GrantRecord[]>();
  /** Per doc, the event ids stamped so far. */
  private readonly stamped = new Map<string, Set<string>>();
  private catalog: StoredCatalog | null = null;
  private readonly docRows = new Map<string, DocRowRecord>();
  private readonly dossiers = new Map<string, DossierRecord>();
  private readonly dossierEventLists = new Map<string, DossierEventRecord[]>();
  private head = 0;
  private closed = false;
  /** Nothing outlives the instance, so each instance is its own copy. */
  private readonly identity = `memory:${randomUUID()}`;

  private check(): void {
    if (this.closed) throw new StoreError('closed', 'store is closed');
  }

  async putUnits(units: readonly Unit[]): Promise<void> {
    this.check();
    for (const u of units) this.units.set(u.code, { code: u.code, name: u.name });
  }

  async getUnit(code: string): Promise<Unit | null> {
    return this.units.get(code) ?? null;
  }

  async listUnits(): Promise<Unit[]> {
    return [...this.units.values()].sort((a, b) => a.code.localeCompare(b.code));
  }

  async createDevice(unit: string, role: DeviceRole, input: NewDevice): Promise<Device> {
    this.check();
    if (!this.units.has(unit)) throw new StoreError('unknown_unit', `unit ${unit} does not exist`);
    const device = this.insertDevice(unit, role, input);
    if (device === null) throw new StoreError('unit_full', `unit ${unit} has ${MAX_DEVICES_PER_UNIT} devices`);
    return device;
  }

  async enrollDevice(codeHash: string, now: number, input: NewDevice): Promise<Result<Device, EnrollFailure>> {
    this.check();
    const e = this.enrollments.get(codeHash);
    if (e === undefined || e.usesLeft <= 0 || (e.expiresAt !== null && e.expiresAt <= now)) return fail('invalid_code');
    const device = this.insertDevice(e.unit, e.role, input);
    if (device === null) return fail('unit_full');
    this.enrollments.set(codeHash, { ...e, usesLeft: e.usesLeft - 1 });
    return ok(device);
  }

  private insertDevice(unit: string, role: DeviceRole, input: NewDevice): Device | null {
    for (const d of this.devices.values()) {
      if (d.id === input.id || d.tokenHash === input.tokenHash) throw new StoreError('duplicate', 'device exists');
    }
    const used = takenOrdinals([...this.devices.values()].filter((d) => d.unit === unit), input.createdAt);
    const ordinal = lowestFreeOrdinal(used, MAX_DEVICES_PER_UNIT);
    if (ordinal === null) return null;
    const device: Device = { ...input, unit, role, ordinal, revokedAt: null };
    this.devices.set(device.id, device);
    return device;
  }

  async getDevice(id: string): Promise<Device | null> {
    return this.devices.get(id) ?? null;
  }

  async getDeviceByTokenHash(tokenHash: string): Promise<Device | null> {
    for (const d of this.devices.values()) if (d.tokenHash === tokenHash) return d;
    return null;
  }

  async listDevices(unit?: string): Promise<Device[]> {
    return [...this.devices.values()].filter((d) => unit === undefined || d.unit === unit);
  }

  async revokeDevice(id: string, at: number): Promise<Device | null> {
    this.check();
    const d = this.devices.get(id);
    if (d === undefined) return null;
    const revoked = d.revokedAt === null ? { ...d, revokedAt: at } : d;
    this.devices.set(id, revoked);
    return revoked;
  }

  async createEnrollment(e: Enrollment): Promise<void> {
    this.check();
    if (this.enrollments.has(e.codeHash)) throw new StoreError('duplicate', 'enrollment exists');
    this.enrollments.set(e.codeHash, e);
  }

  async getEnrollment(codeHash: string): Promise<Enrollment | null> {
    return this.enrollments.get(codeHash) ?? null;
  }

  async countOpenEndedEnrollments(): Promise<number> {
    return [...this.enrollments.values()].filter((e) => e.expiresAt === null && e.usesLeft > 0).length;
  }

  async putOfficer(o: NewOfficer): Promise<void> {
    this.check();
    this.officers.put(o);
  }

  async createOfficer(o: NewOfficer): Promise<Officer> {
    this.check();
    return this.officers.create(o);
  }

  async getOfficer(id: string): Promise<Officer | null> {
    return this.officers.get(id);
  }

  async updateOfficer(id: string, change: OfficerChange): Promise<Officer | null> {
    this.check();
    return this.officers.update(id, change);
  }

  async listOfficers(unit: string): Promise<Officer[]> {
    return this.officers.list(unit).officers.filter((o) => o.disabledAt === null);
  }

  async officerList(unit: string): Promise<OfficerList> {
    return this.officers.list(unit);
  }

  async appendBatch(device: string, batchId: string, items: readonly BatchItem[], options: AppendOptions = {}): Promise<AppendResult> {
    this.check();
    const now = options.now ?? Date.now();
    const key = `${device}\u0000${batchId}`;
    const seen = this.batches.get(key);
    if (seen !== undefined) return { seqs: seen.seqs, duplicate: true, headSeq: this.head, serverRows: [], units: [] };
    // Everything that can fail is checked before the first write: a batch is stored whole or not at all.
    const grants = (options.grants ?? []).map((g) => {
      if (!this.units.has(g.unit)) throw new StoreError('unknown_unit', `unit ${g.unit} does not exist`);
      return { ...g, home: homeUnit(g.doc) };
    });

    const projection = options.projection;
    const units = new Set<string>();
    const put = (doc: string, unit: string, by: string, data: Uint8Array): number => {
      const seq = ++this.head;
      units.add(unit);
      // Copy: the caller's buffer may be a view into a frame the transport reuses.
      this.updates.push({ seq, doc, unit, device: by, batchId, data: data.slice(), receivedAt: now });
      return seq;
    };
    const copies = (doc: string, by: string, data: Uint8Array): void => {
      for (const g of this.grants.get(doc) ?? []) put(doc, g.unit, by, data);
    };

    const seqs = items.map((it) => put(it.doc, it.unit, device, it.data));
    for (const it of items) copies(it.doc, device, it.data);

    const serverRows: ServerRow[] = [];
    for (const st of options.stamps ?? []) {
      let stamped = this.stamped.get(st.doc);
      if (stamped === undefined) {
        stamped = new Set();
        this.stamped.set(st.doc, stamped);
      }
      const fresh: string[] = [];
      for (const id of st.eventIds) {
        if (stamped.has(id)) continue;
        stamped.add(id);
        fresh.push(id);
      }
      for (const data of stampUpdates(fresh, now)) {
        put(st.doc, st.unit, SERVER_DEVICE, data);
        copies(st.doc, SERVER_DEVICE, data);
        serverRows.push({ doc: st.doc, unit: st.unit, data });
      }
    }

    for (const g of grants) {
      const held = this.grants.get(g.doc) ?? [];
      if (g.unit === g.home || held.some((h) => h.unit === g.unit)) continue;
      this.grants.set(g.doc, [...held, { doc: g.doc, unit: g.unit, device, grantedAt: now }]);
      const state = this.updates.filter((r) => r.doc === g.doc && r.unit === g.home).map((r) => r.data);
      for (const data of mergeBounded(state)) put(g.doc, g.unit, SERVER_DEVICE, data);
    }

    if (projection !== undefined) {
      for (const doc of [...projection.docs.keys()].sort()) {
        const version = this.dossiers.get(doc)?.version ?? 0;
        const p = settleProjection(projection, doc, version, () => this.homeRows(doc).map((r) => r.data));
        if (p === null) continue;
        this.dossiers.set(doc, { ...p.dossier, version: version + 1, updatedAt: now });
        this.dossierEventLists.set(doc, [...p.events]);
      }
    }

    const record = { batchId, seqs };
    this.batches.set(key, record);
    this.lastBatches.set(device, record);
    return { seqs, duplicate: false, headSeq: this.head, serverRows, units: [...units] };
  }

  async readSince(q: ReadSinceQuery): Promise<ReadSinceResult> {
    // 'all' keeps home rows only: the copies for granted units are the same updates again.
    const inScope = (r: UpdateRow): boolean => (q.units === 'all' ? r.unit === homeUnit(r.doc) : q.units.includes(r.unit));
    const rows: UpdateRow[] = [];
    let lastScanned = q.since;
    for (const r of this.updates) {
      if (r.seq <= q.since || !inScope(r)) continue;
      if (r.device === q.excludeDevice) {
        lastScanned = r.seq;
        continue;
      }
      if (rows.length === q.limit) return { rows, lastScanned: rows[rows.length - 1]?.seq ?? q.since, more: true };
      rows.push(r);
      lastScanned = r.seq;
    }
    return { rows, lastScanned, more: false };
  }

  private homeRows(doc: string): UpdateRow[] {
    const home = homeUnit(doc);
    return this.updates.filter((r) => r.doc === doc && r.unit === home);
  }

  async readDocs(docs: readonly string[]): Promise<Map<string, StoredDoc>> {
    const out = new Map<string, StoredDoc>();
    for (const doc of new Set(docs)) {
      const rows = this.homeRows(doc);
      const last = rows.at(-1);
      if (last !== undefined) out.set(doc, { rows: rows.map((r) => r.data), lastSeq: last.seq, version: this.dossiers.get(doc)?.version ?? 0 });
    }
    return out;
  }

  async exportDossiers(q: DossierQuery): Promise<DossierRecord[]> {
    const after = q.after;
    return [...this.dossiers.values()]
      .filter((d) => d.receivedAt !== null && d.receivedAt >= q.from && d.receivedAt < q.to && (q.unit === undefined || d.unit === q.unit))
      .filter((d) => after === undefined || dossierOrder(d, { ...d, receivedAt: after.receivedAt, doc: after.doc }) > 0)
      .sort(dossierOrder)
      .slice(0, q.limit);
  }

  async dossierEvents(doc: string): Promise<DossierEventRecord[]> {
    return [...(this.dossierEventLists.get(doc) ?? [])];
  }

  async readDoc(doc: string): Promise<Uint8Array[]> {
    const home = homeUnit(doc);
    return this.updates.filter((r) => r.doc === doc && r.unit === home).map((r) => r.data);
  }

  async getDocRows(docs: readonly string[]): Promise<Map<string, DocRowRecord>> {
    const out = new Map<string, DocRowRecord>();
    for (const doc of docs) {
      const r = this.docRows.get(doc);
      if (r !== undefined) out.set(doc, r);
    }
    return out;
  }

  async putDocRows(rows: readonly (DocRowRecord & { readonly doc: string })[]): Promise<void> {
    for (const r of rows) {
      const old = this.docRows.get(r.doc);
      if (old === undefined || r.seq >= old.seq) this.docRows.set(r.doc, { seq: r.seq, row: r.row });
    }
  }

  async grantedDocs(unit: string, docs: readonly string[]): Promise<Set<string>> {
    return new Set(docs.filter((doc) => (this.grants.get(doc) ?? []).some((g) => g.unit === unit)));
  }

  async listGrants(doc: string): Promise<GrantRecord[]> {
    return [...(this.grants.get(doc) ?? [])];
  }

  async headSeq(): Promise<number> {
    return this.head;
  }

  async lastBatch(device: string): Promise<LastBatch | null> {
    return this.lastBatches.get(device) ?? null;
  }

  async docStats(unit: string, limit: number): Promise<DocStat[]> {
    const byDoc = new Map<string, { rows: number; lastSeq: number }>();
    for (const r of this.updates) {
      if (r.unit !== unit) continue;
      const s = byDoc.get(r.doc) ?? { rows: 0, lastSeq: 0 };
      byDoc.set(r.doc, { rows: s.rows + 1, lastSeq: r.seq });
    }
    return [...byDoc.entries()]
      .map(([doc, s]) => ({ doc, ...s }))
      .sort((a, b) => b.lastSeq - a.lastSeq)
      .slice(0, limit);
  }

  async compactDoc(doc: string, options?: CompactOptions): Promise<CompactResult> {
    this.check();
    return compactDocMemory(this.updates, doc, options);
  }

  async compactionCandidates(query: CandidateQuery): Promise<Candidates> {
    return candidatesMemory(this.updates, query);
  }

  async logSize(): Promise<LogSize> {
    return logSizeMemory(this.updates);
  }

  async stats(): Promise<StoreStats> {
    const devices = [...this.devices.values()].filter((d) => d.revokedAt === null).length;
    return { headSeq: this.head, rows: this.updates.length, batches: this.batches.size, devices };
  }

  async reserveBlocks(unit: string, days: readonly string[], size: number, held: readonly Block[] = []): Promise<Block[]> {
    this.check();
    const taken = new Map<string, Block>();
    for (const step of counterSteps(days, held)) {
      const key = `${unit}/${step.day}`;
      if (step.raiseTo !== null) this.counters.set(key, Math.max(this.counters.get(key) ?? 1, step.raiseTo));
      const block = step.take ? takeBlock(step.day, this.counters.get(key) ?? 1, size) : null;
      if (block === null) continue;
      this.counters.set(key, block.next);
      taken.set(step.day, block.block);
    }
    return inDayOrder(days, taken);
  }

  async getCatalog(): Promise<StoredCatalog | null> {
    return this.catalog;
  }

  async putCatalog(catalog: StoredCatalog): Promise<void> {
    this.check();
    this.catalog = { ...catalog };
  }

  async fingerprint(): Promise<string> {
    return this.identity;
  }

  async getSetting(key: string): Promise<string | null> {
    return this.settings.get(key) ?? null;
  }

  async setSetting(key: string, value: string): Promise<void> {
    this.check();
    this.settings.set(key, value);
  }

  async replaceSetting(key: string, expected: string | null, value: string): Promise<boolean> {
    this.check();
    if ((this.settings.get(key) ?? null) !== expected) return false;
    this.settings.set(key, value);
    return true;
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
