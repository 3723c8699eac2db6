/**
 * Every device's backlog after a day's outage, as ready Push frames: built before the timed phase and
 * cached in bench/.cache/ (the Yjs work of about 19,000 dossiers takes longer than the load itself).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { loadUnits } from '../../sync-server/seed.ts';
import { BUSY_PER_DAY, DEVICES_PER_UNIT, QUIET_PER_DAY, SCALE, UNIT_LIMIT } from './config.ts';
import { deviceDay, type Commune } from './dossiers.ts';
import { cutBatches, type PreparedBatch } from './outbox.ts';

/** Bump when dossiers.ts, outbox.ts or the doc shape changes, so a stale cache is not reused. */
const GENERATOR_VERSION = 1;
const SEED = 2026;
const CACHE = new URL('../.cache/', import.meta.url).pathname;
/** 07:30 in Đà Nẵng on the day of the outage: a Monday. */
const DAY_START = Date.UTC(2026, 10, 23, 0, 30);
/** Central wards with the most intakes (our choice: the old Hải Châu, Thanh Khê, Liên Chiểu, Sơn Trà districts). */
export const BUSY_UNITS: readonly string[] = ['20242', '20209', '20200', '20263', '20257'];

export interface DeviceBacklog {
  readonly unit: string;
  readonly index: number;
  readonly dossiers: number;
  readonly batches: readonly PreparedBatch[];
}

export interface Backlog {
  readonly communes: readonly Commune[];
  readonly devices: readonly DeviceBacklog[];
}

/** The communes of the run: the busy five first, then the file's order, cut at BENCH_SERVER_UNITS. */
export function benchCommunes(): Commune[] {
  const all = loadUnits();
  const busy = BUSY_UNITS.map((code) => all.find((u) => u.code === code)).filter((u) => u !== undefined);
  return [...busy, ...all.filter((u) => !BUSY_UNITS.includes(u.code))].slice(0, UNIT_LIMIT);
}

function perDevice(unit: string): number {
  const perDay = BUSY_UNITS.includes(unit) ? BUSY_PER_DAY : QUIET_PER_DAY;
  return Math.max(1, Math.round((perDay * SCALE) / DEVICES_PER_UNIT));
}

function generate(communes: readonly Commune[]): DeviceBacklog[] {
  const out: DeviceBacklog[] = [];
  for (const unit of communes) {
    const others = communes.filter((c) => c.code !== unit.code);
    for (let index = 0; index < DEVICES_PER_UNIT; index++) {
      const day = deviceDay(unit, index, perDevice(unit.code), DAY_START, others, SEED);
      const batches = cutBatches(day.rows, (n) => `b-${unit.code}-${index}-${n}`);
      out.push({ unit: unit.code, index, dossiers: day.dossiers, batches });
    }
  }
  return out;
}

function write(path: string, devices: readonly DeviceBacklog[]): void {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, devices.length);
  for (const d of devices) {
    encoding.writeVarString(enc, d.unit);
    encoding.writeVarUint(enc, d.index);
    encoding.writeVarUint(enc, d.dossiers);
    encoding.writeVarUint(enc, d.batches.length);
    for (const b of d.batches) {
      encoding.writeVarString(enc, b.batchId);
      encoding.writeVarUint8Array(enc, b.frame);
      encoding.writeVarUint(enc, b.items);
      encoding.writeVarUint(enc, b.rows);
      encoding.writeVarUint(enc, b.grants);
    }
  }
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, encoding.toUint8Array(enc));
  renameSync(tmp, path);
}

function read(path: string): DeviceBacklog[] {
  const dec = decoding.createDecoder(new Uint8Array(readFileSync(path)));
  const devices: DeviceBacklog[] = [];
  const n = decoding.readVarUint(dec);
  for (let i = 0; i < n; i++) {
    const unit = decoding.readVarString(dec);
    const index = decoding.readVarUint(dec);
    const dossiers = decoding.readVarUint(dec);
    const batches: PreparedBatch[] = [];
    const nb = decoding.readVarUint(dec);
    for (let j = 0; j < nb; j++) {
      const batchId = decoding.readVarString(dec);
      const frame = decoding.readVarUint8Array(dec);
      batches.push({ batchId, frame, items: decoding.readVarUint(dec), rows: decoding.readVarUint(dec), grants: decoding.readVarUint(dec) });
    }
    devices.push({ unit, index, dossiers, batches });
  }
  return devices;
}

/** The run's backlog, from the cache when it was built before with the same sizes. */
export function loadBacklog(log: (msg: string) => void): Backlog {
  const communes = benchCommunes();
  mkdirSync(CACHE, { recursive: true });
  const path = join(CACHE, `server-backlog-v${GENERATOR_VERSION}-seed${SEED}-scale${SCALE}-units${communes.length}.bin`);
  if (existsSync(path)) return { communes, devices: read(path) };
  const t0 = performance.now();
  const devices = generate(communes);
  write(path, devices);
  log(`backlog built in ${((performance.now() - t0) / 1000).toFixed(1)} s and cached: ${path}`);
  return { communes, devices };
}
