/**
 * The pieces of the deterministic simulation: a device held in memory (one Y.Doc per dossier, an
 * outbox with batch ids kept until confirmed, a pull cursor), the real server core (MemoryStore,
 * eventStamps, buildPullPage: what catchup.ts does for a Push and a Pull, minus the socket), and the
 * workflow actions officers take offline. No timers, no sockets: the scenario moves messages by hand.
 */
import * as Y from 'yjs';
import { reduceDossier, type DossierEvent } from '../src/domain/dossier.ts';
import { allowedActions, buildEvent, type OfficerRole, type WorkflowAction, type WorkflowActionType } from '../src/domain/workflow.ts';
import { dossierDocName } from '../src/protocol/doc-names.ts';
import type { PullItem } from '../src/protocol/messages.ts';
import { appendEventUpdate, eventsOf, fieldsOf, serverTimesOf } from '../src/worker/dossier-doc.ts';
import { Projector } from '../src/worker/projector.ts';
import { eventStamps } from '../sync-server/events.ts';
import { MemoryStore } from '../sync-server/store/memory.ts';
import { buildPullPage, checkYjsUpdate } from '../sync-server/yupdates.ts';
import type { Rng } from './prng.ts';

export const SIM_UNIT = '20209';

export interface OutRow {
  readonly doc: string;
  readonly update: Uint8Array;
  batchId: string;
}

export type Wire =
  | { readonly kind: 'push'; readonly from: number; readonly batchId: string; readonly items: readonly { doc: string; update: Uint8Array }[] }
  | { readonly kind: 'pull'; readonly from: number; readonly since: number }
  | { readonly kind: 'ack'; readonly to: number; readonly batchId: string }
  | { readonly kind: 'page'; readonly to: number; readonly items: readonly PullItem[]; readonly cursor: number; readonly more: boolean };

const projector = new Projector(null);

/** A device in memory: the same outbox rules as LocalStore (S1, S3), without IndexedDB. */
export class SimDevice {
  readonly docs = new Map<string, Y.Doc>();
  readonly outbox: OutRow[] = [];
  /** Every update this device made, to check none is ever lost. */
  readonly made: { doc: string; update: Uint8Array }[] = [];
  /** Batch id -> its rows, as assigned; a PushAck for it confirms exactly these. */
  readonly batches = new Map<string, readonly OutRow[]>();
  cursor = 0;
  private batchNo = 0;

  constructor(
    readonly index: number,
    readonly id: string,
    /** Yjs client id: unique per replica, fixed so a seed replays the same bytes. */
    readonly clientId: number,
    /** Offset of this device's clock from the simulation's (ms). */
    readonly skew: number,
  ) {}

  doc(name: string): Y.Doc {
    let d = this.docs.get(name);
    if (d === undefined) {
      d = new Y.Doc();
      d.clientID = this.clientId;
      this.docs.set(name, d);
    }
    return d;
  }

  private record(doc: string, update: Uint8Array): void {
    this.outbox.push({ doc, update, batchId: '' });
    this.made.push({ doc, update });
  }

  intake(rng: Rng, now: number, seq: number): string {
    const name = dossierDocName(SIM_UNIT, rng.uuid());
    const doc = this.doc(name);
    const before = Y.encodeStateVector(doc);
    doc.transact(() => {
      const f = fieldsOf(doc);
      f.set('code', `${SIM_UNIT}-sim-${seq}`);
      f.set('unit', SIM_UNIT);
      f.set('procedureCode', 'dang-ky-khai-sinh');
      f.set('name', `Công dân ${seq}`);
      f.set('cccd', '048095000123');
      f.set('receivedAt', now);
      f.set('processingDays', 3);
      const first: DossierEvent = { id: rng.uuid(), type: 'received', at: now, officer: `o${this.index}`, device: this.id };
      eventsOf(doc).push([first]);
    });
    this.record(name, Y.encodeStateAsUpdate(doc, before));
    return name;
  }

  /** One workflow step the device's officer may take now; null when nothing fits. */
  act(rng: Rng, docName: string, now: number): WorkflowActionType | null {
    const doc = this.docs.get(docName);
    if (doc === undefined) return null;
    const state = reduceDossier(eventsOf(doc).toArray());
    const role = rng.pick<OfficerRole>(['counter', 'processing', 'leader']);
    const allowed = allowedActions(state, role);
    if (allowed.length === 0) return null;
    const type = rng.pick(allowed);
    const built = buildEvent(actionOf(type, rng, now), state, { eventId: rng.uuid(), now, officer: `o${this.index}`, device: this.id, role });
    if (!built.ok) return null;
    this.record(docName, appendEventUpdate(doc, built.value));
    return type;
  }

  /** Like LocalStore.nextBatch: an unconfirmed batch goes again with its id; else a new one. */
  nextBatch(maxItems: number): { batchId: string; rows: readonly OutRow[] } | null {
    const first = this.outbox[0];
    if (first === undefined) return null;
    if (first.batchId !== '') return { batchId: first.batchId, rows: this.outbox.filter((r) => r.batchId === first.batchId) };
    const rows = this.outbox.filter((r) => r.batchId === '').slice(0, maxItems);
    const batchId = `${this.id}-b${++this.batchNo}`;
    for (const r of rows) r.batchId = batchId;
    this.batches.set(batchId, rows);
    return { batchId, rows };
  }

  /** S1: rows leave only with the PushAck of their batch. */
  confirm(batchId: string): void {
    for (let i = this.outbox.length - 1; i >= 0; i--) if (this.outbox[i]?.batchId === batchId) this.outbox.splice(i, 1);
  }

  applyPage(items: readonly PullItem[], cursor: number): void {
    for (const it of items) Y.applyUpdate(this.doc(it.doc), it.update);
    this.cursor = cursor;
  }
}

function actionOf(type: WorkflowActionType, rng: Rng, now: number): WorkflowAction {
  switch (type) {
    case 'transfer':
      return { type, to: { kind: rng.pick(['commune_office', 'city_department'] as const), name: 'Bộ phận chuyên môn' } };
    case 'accept':
      return { type };
    case 'request_supplement':
      return { type, missing: ['Tờ khai'], reason: 'Thiếu tờ khai' };
    case 'supplement_received':
      return { type };
    case 'resolve':
      return rng.chance(0.8) ? { type, outcome: 'approved', documentNo: `QĐ-${rng.int(1, 999)}` } : { type, outcome: 'denied', reason: 'Không đủ điều kiện' };
    case 'apologize':
      return { type, newDueAt: now + rng.int(1, 10) * 86_400_000, reason: 'Cần xác minh thêm' };
    case 'stop':
      return { type, reason: 'Người dân đề nghị dừng' };
    case 'withdraw':
      return { type, reason: 'Người dân rút hồ sơ' };
    case 'return_result':
      return { type, rating: rng.pick(['very_satisfied', 'satisfied', 'unsatisfied'] as const) };
  }
}

/** The server's side of /sync for one message, on the real store and the real update code. */
export class SimServer {
  readonly store = new MemoryStore();
  acks = 0;

  async push(deviceId: string, batchId: string, items: readonly { doc: string; update: Uint8Array }[], now: number): Promise<void> {
    const incoming = items.map((it) => ({ doc: it.doc, unit: SIM_UNIT, update: it.update }));
    for (const it of incoming) checkYjsUpdate(it.update);
    const stamps = await eventStamps(incoming, (doc) => this.store.readDoc(doc));
    await this.store.appendBatch(deviceId, batchId, incoming.map((it) => ({ doc: it.doc, unit: it.unit, data: it.update })), { stamps, now });
    this.acks++;
  }

  async pull(deviceId: string, since: number, limit: number): Promise<{ items: PullItem[]; cursor: number; more: boolean }> {
    const page = await this.store.readSince({ units: [SIM_UNIT], since, limit, excludeDevice: deviceId });
    return buildPullPage(page);
  }

  async doc(name: string): Promise<Y.Doc> {
    const d = new Y.Doc();
    for (const u of await this.store.readDoc(name)) Y.applyUpdate(d, u);
    return d;
  }

  async docNames(): Promise<string[]> {
    return (await this.store.docStats(SIM_UNIT, 100_000)).map((s) => s.doc);
  }
}

/** Whether `doc` already holds every struct of `update` (events are only appended, never deleted). */
export function contains(doc: Y.Doc, update: Uint8Array): boolean {
  return Y.decodeUpdate(Y.diffUpdate(update, Y.encodeStateVector(doc))).structs.length === 0;
}

/** Event ids that appear more than once in a doc's events array. */
export function duplicateEvents(doc: Y.Doc): number {
  const seen = new Set<string>();
  let dups = 0;
  for (const e of eventsOf(doc).toArray()) {
    if (seen.has(e.id)) dups++;
    seen.add(e.id);
  }
  return dups;
}

/** Everything a replica shows of a doc: Yjs state, and the projection with its conflicts. */
export function fingerprint(doc: Y.Doc): { sv: string; state: string; view: string; conflicts: number; unstamped: number } {
  const d = projector.derive(doc);
  const stamps = serverTimesOf(doc);
  return {
    sv: Buffer.from(Y.encodeStateVector(doc)).toString('base64'),
    state: Buffer.from(Y.encodeStateAsUpdate(doc)).toString('base64'),
    view: JSON.stringify({ fields: d.fields, state: d.state, events: d.events }),
    conflicts: d.state.conflicts.length,
    unstamped: d.events.filter((e) => !stamps.has(e.id)).length,
  };
}
