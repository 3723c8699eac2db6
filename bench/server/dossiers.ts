/**
 * One device's day offline, as outbox rows: every dossier it took in and moved through four steps,
 * each step the Yjs update the app's own doc code writes (newDossierUpdate, appendEventUpdate), in the
 * order the officer took them. A few dossiers go to another commune (any-center intake, S12): their
 * transfer row carries the grant the worker would put in the outbox (dossier-api.ts).
 */
import type { DossierEvent } from '../../src/domain/dossier.ts';
import { formatDossierCode } from '../../src/domain/dossier-code.ts';
import { vnDayKey } from '../../src/domain/time.ts';
import { dossierDocName } from '../../src/protocol/doc-names.ts';
import { appendEventUpdate, docFromUpdates, newDossierUpdate, writerIdOf, type DossierFields } from '../../src/worker/dossier-doc.ts';
import { MIX, person, prng } from '../data.ts';

export interface Commune {
  readonly code: string;
  readonly name: string;
}

/** What LocalStore keeps per step: the doc, the update, and a grant when the step transferred it away. */
export interface OutboxRow {
  readonly doc: string;
  readonly data: Uint8Array;
  readonly at: number;
  readonly grant?: string;
}

export interface DeviceDay {
  readonly unit: string;
  /** 0-2 within its commune. */
  readonly index: number;
  /** Oldest first, as the outbox's auto-increment ids order them. */
  readonly rows: OutboxRow[];
  readonly dossiers: number;
}

/** Share of dossiers taken in for another commune (phi địa giới). */
const TRANSFER_SHARE = 0.03;
const HOUR = 3_600_000;
const MIX_TOTAL = MIX.reduce((s, m) => s + m[3], 0);

function pick<T>(r: () => number, items: readonly T[]): T {
  return items[Math.floor(r() * items.length)] as T;
}

function hex(r: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(r() * 16).toString(16);
  return s;
}

/** A v4-shaped id from the seeded stream, so every configuration pushes the same docs. */
function uuid(r: () => number): string {
  return `${hex(r, 8)}-${hex(r, 4)}-4${hex(r, 3)}-${(8 + Math.floor(r() * 4)).toString(16)}${hex(r, 3)}-${hex(r, 12)}`;
}

/** The steps of a dossier after intake: a commune-office one, or a transfer relayed at the counter. */
function laterSteps(r: () => number, receivedAt: number, to: Commune | null): Omit<DossierEvent, 'id' | 'officer' | 'device' | 'officerName'>[] {
  if (to !== null) {
    // Every step of a transferred dossier is the receiving counter's: it sends the dossier on, relays
    // the other commune's supplement request, and takes in the missing paper.
    return [
      { type: 'transferred', at: receivedAt + HOUR, data: { kind: 'other_commune', name: to.name, unit: to.code } },
      { type: 'supplement_requested', at: receivedAt + 3 * HOUR, data: { missing: JSON.stringify(['Giấy tờ tùy thân']), reason: 'Bản sao chưa rõ' } },
      { type: 'supplement_received', at: receivedAt + 5 * HOUR, data: {} },
    ];
  }
  return [
    { type: 'transferred', at: receivedAt + HOUR, data: { kind: 'commune_office', name: 'Văn phòng HĐND và UBND' } },
    { type: 'resolved', at: receivedAt + 3 * HOUR, data: { outcome: 'approved', documentNo: `${1 + Math.floor(r() * 9999)}/QĐ-UBND` } },
    { type: 'returned', at: receivedAt + 5 * HOUR, data: { rating: pick(r, ['very_satisfied', 'satisfied', 'satisfied', 'unsatisfied']) } },
  ];
}

/**
 * Dossiers `count` of device `index` of `unit`, taken in over 07:30-16:30 of `dayStart` (Vietnam
 * time), numbered from the device's reserved block. `others` are where a transfer may go. `device` is
 * the id the server enrolled it with: its updates are written under writerIdOf(device) (S19) and its
 * events name it; nothing else depends on it, so the day is the same for any id.
 */
export function deviceDay(unit: Commune, index: number, device: string, count: number, dayStart: number, others: readonly Commune[], seed: number): DeviceDay {
  const writer = writerIdOf(device);
  const officer = `off-${unit.code}-${index}`;
  const base = { officer, officerName: `Cán bộ ${index + 1}`, device };
  const rows: OutboxRow[] = [];
  for (let i = 0; i < count; i++) {
    const r = prng(seed * 1_000_003 + Number(unit.code) * 1009 + index * 100_003 + i);
    const receivedAt = dayStart + Math.floor((i / count) * 9 * HOUR);
    let w = r() * MIX_TOTAL;
    const [procedureCode, procedureName, processingDays] = MIX.find((m) => (w -= m[3]) < 0) ?? (MIX[0] as (typeof MIX)[number]);
    const p = person(r);
    const to = r() < TRANSFER_SHARE && others.length > 0 ? pick(r, others) : null;
    const fields: DossierFields = {
      code: formatDossierCode(unit.code, vnDayKey(receivedAt), 1 + index * 1000 + i),
      unit: unit.code,
      procedureCode,
      procedureName,
      name: p.name,
      cccd: p.cccd,
      phone: `09${String(Math.floor(r() * 1e8)).padStart(8, '0')}`,
      address: `Tổ ${1 + Math.floor(r() * 60)}, ${unit.name}, Đà Nẵng`,
      receivedAt,
      components: JSON.stringify([
        { name: 'Tờ khai theo mẫu', received: true, copyKind: 'original', count: 1 },
        { name: 'Giấy tờ tùy thân', received: true, copyKind: 'copy', count: 1 },
      ]),
      email: '',
      vneidVerified: r() < 0.7,
      residence: to?.code ?? unit.code,
      processingDays,
      processingHours: 0,
      sameDay15h: processingDays === 0,
      dueAt: receivedAt + Math.max(1, processingDays) * 86_400_000,
    };
    const doc = dossierDocName(unit.code, uuid(r));
    const first: DossierEvent = { id: uuid(r), type: 'received', at: receivedAt, ...base };
    const intake = newDossierUpdate(fields, first, writer);
    rows.push({ doc, data: intake, at: receivedAt });
    const y = docFromUpdates([intake], writer);
    for (const step of laterSteps(r, receivedAt, to)) {
      const data = appendEventUpdate(y, { id: uuid(r), ...base, ...step });
      const grant = step.type === 'transferred' && to !== null ? to.code : undefined;
      rows.push(grant === undefined ? { doc, data, at: step.at } : { doc, data, at: step.at, grant });
    }
    y.destroy();
  }
  // The outbox's ids follow commit order: steps of earlier dossiers interleave with later intakes.
  rows.sort((a, b) => a.at - b.at);
  return { unit: unit.code, index, rows, dossiers: count };
}
