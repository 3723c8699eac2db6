/**
 * The in-memory twin of the SQLite store, for tests that need a server but not a file. It must pass
 * the same contract suite; nothing here survives the process.
 */
import { fail, ok, type Result } from '../../src/domain/errors.ts';
import type { Block } from '../../src/protocol/messages.ts';
import { lowestFreeOrdinal, takeBlock, takenOrdinals } from './numbers.ts';
import {
  MAX_DEVICES_PER_UNIT,
  StoreError,
  type AppendResult,
  type BatchItem,
  type Device,
  type DeviceRole,
  type DocStat,
  type EnrollFailure,
  type Enrollment,
  type LastBatch,
  type NewDevice,
  type Officer,
  type ReadSinceQuery,
  type ReadSinceResult,
  type StoreStats,
  type SyncStore,
  type Unit,
  type UpdateRow,
} from './types.ts';

export class MemoryStore implements SyncStore {
  private readonly units = new Map<string, Unit>();
  private readonly devices = new Map<string, Device>();
  private readonly enrollments = new Map<string, Enrollment>();
  private readonly officers = new Map<string, Officer>();
  /** In seq order: appended only, so a scan can stop at the first row past the page. */
  private readonly updates: UpdateRow[] = [];
  private readonly batches = new Map<string, LastBatch>();
  private readonly lastBatches = new Map<string, LastBatch>();
  private readonly counters = new Map<string, number>();
  private readonly settings = new Map<string, string>();
  private head = 0;
  private closed = false;

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

  async putOfficer(o: Officer): Promise<void> {
    this.check();
    const key = `${o.unit}/${o.username}`;
    const prev = this.officers.get(key);
    this.officers.set(key, prev === undefined ? o : { ...o, id: prev.id });
  }

  async listOfficers(unit: string): Promise<Officer[]> {
    return [...this.officers.values()]
      .filter((o) => o.unit === unit)
      .sort((a, b) => a.username.localeCompare(b.username));
  }

  async appendBatch(device: string, batchId: string, items: readonly BatchItem[], now = Date.now()): Promise<AppendResult> {
    this.check();
    const key = `${device}\u0000${batchId}`;
    const seen = this.batches.get(key);
    if (seen !== undefined) return { seqs: seen.seqs, duplicate: true, headSeq: this.head };
    const seqs = items.map((it) => {
      const seq = ++this.head;
      // Copy: the caller's buffer may be a view into a frame the transport reuses.
      this.updates.push({ seq, doc: it.doc, unit: it.unit, device, batchId, data: it.data.slice(), receivedAt: now });
      return seq;
    });
    const record = { batchId, seqs };
    this.batches.set(key, record);
    this.lastBatches.set(device, record);
    return { seqs, duplicate: false, headSeq: this.head };
  }

  async readSince(q: ReadSinceQuery): Promise<ReadSinceResult> {
    const inScope = (r: UpdateRow): boolean => q.units === 'all' || q.units.includes(r.unit);
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

  async readDoc(doc: string): Promise<Uint8Array[]> {
    return this.updates.filter((r) => r.doc === doc).map((r) => r.data);
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

  async stats(): Promise<StoreStats> {
    const devices = [...this.devices.values()].filter((d) => d.revokedAt === null).length;
    return { headSeq: this.head, rows: this.updates.length, batches: this.batches.size, devices };
  }

  async reserveBlocks(unit: string, days: readonly string[], size: number): Promise<Block[]> {
    this.check();
    const blocks: Block[] = [];
    for (const day of days) {
      const key = `${unit}/${day}`;
      const taken = takeBlock(day, this.counters.get(key) ?? 1, size);
      if (taken === null) continue;
      this.counters.set(key, taken.next);
      blocks.push(taken.block);
    }
    return blocks;
  }

  async getSetting(key: string): Promise<string | null> {
    return this.settings.get(key) ?? null;
  }

  async setSetting(key: string, value: string): Promise<void> {
    this.check();
    this.settings.set(key, value);
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
