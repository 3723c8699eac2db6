/**
 * Every device's backlog after a day's outage, as ready Push frames, built for the devices as the
 * server enrolled them: S19 lets a device write only under its own Yjs client id (writerIdOf of the
 * deviceId POST /api/enroll gave it), so the updates can only be made once that id is known. Built
 * after the enrollment and before the timed phase (5-8 s for the whole city); nothing is cached,
 * since every configuration starts on a fresh store whose device ids are new.
 */
import { loadUnits } from '../../sync-server/seed.ts';
import { BUSY_PER_DAY, DEVICES_PER_UNIT, QUIET_PER_DAY, SCALE, UNIT_LIMIT } from './config.ts';
import { deviceDay, type Commune } from './dossiers.ts';
import { cutBatches, type PreparedBatch } from './outbox.ts';

const SEED = 2026;
/** 07:30 in Đà Nẵng on the day of the outage: a Monday. */
const DAY_START = Date.UTC(2026, 10, 23, 0, 30);
/** Central wards with the most intakes (our choice: the old Hải Châu, Thanh Khê, Liên Chiểu, Sơn Trà districts). */
export const BUSY_UNITS: readonly string[] = ['20242', '20209', '20200', '20263', '20257'];

/** A load device as enrolled: its commune, its place there (0-2), and the id the server gave it. */
export interface DeviceSlot {
  readonly unit: string;
  readonly index: number;
  readonly deviceId: string;
}

export interface DeviceBacklog extends DeviceSlot {
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

/** Dossiers one device of `unit` took in during the outage. */
export function perDevice(unit: string): number {
  const perDay = BUSY_UNITS.includes(unit) ? BUSY_PER_DAY : QUIET_PER_DAY;
  return Math.max(1, Math.round((perDay * SCALE) / DEVICES_PER_UNIT));
}

/**
 * The backlog of each enrolled device. The dossiers (doc names, fields, steps) depend on the seed and
 * the device's commune and index only, so every configuration pushes the same day; the writer id and
 * the events' `device` are the enrolled device's.
 */
export function buildBacklog(communes: readonly Commune[], slots: readonly DeviceSlot[]): Backlog {
  const devices = slots.map((slot): DeviceBacklog => {
    const unit = communes.find((c) => c.code === slot.unit);
    if (unit === undefined) throw new Error(`backlog: ${slot.unit} is not a commune of the run`);
    const others = communes.filter((c) => c.code !== unit.code);
    const day = deviceDay(unit, slot.index, slot.deviceId, perDevice(unit.code), DAY_START, others, SEED);
    const batches = cutBatches(day.rows, (n) => `b-${unit.code}-${slot.index}-${n}`);
    return { ...slot, dossiers: day.dossiers, batches };
  });
  return { communes, devices };
}
