/**
 * Real devices for the process-level scenarios: NodeDevice (Dexie on fake-indexeddb and the real
 * SyncClient over `ws`), enrolled over HTTP, with a ledger of every update they made and every batch
 * the server confirmed, so a scenario can tell confirmed from pending at any moment.
 */
import * as Y from 'yjs';
import { formatDossierCode } from '../src/domain/dossier-code.ts';
import { reduceDossier } from '../src/domain/dossier.ts';
import { vnDayKey } from '../src/domain/time.ts';
import { allowedActions, buildEvent, type OfficerRole, type WorkflowAction } from '../src/domain/workflow.ts';
import { MsgType } from '../src/protocol/constants.ts';
import { dossierDocName } from '../src/protocol/doc-names.ts';
import type { Message } from '../src/protocol/messages.ts';
import { appendEventUpdate, eventsOf, newDossierUpdate, writerIdOf } from '../src/worker/dossier-doc.ts';
import { SyncClient } from '../src/worker/sync-client.ts';
import { NodeDevice, wsFactory } from '../tests/worker/support/device.ts';
import { EXTRA_FIELDS } from '../tests/worker/support/fields.ts';
import type { EnrollResponse } from '../src/protocol/http.ts';
import type { Rng } from './prng.ts';

export const key = (u: Uint8Array): string => Buffer.from(u).toString('base64');

/** A NodeDevice that records what it made; its clock may be skewed (fault e). */
export class ChaosDevice extends NodeDevice {
  readonly made: { doc: string; update: Uint8Array }[] = [];
  readonly docNames: string[] = [];

  constructor(
    enrolled: EnrollResponse,
    wsUrl: string,
    readonly skewMs = 0,
  ) {
    super(
      {
        token: enrolled.token,
        device: {
          id: enrolled.deviceId,
          unit: enrolled.unit,
          ordinal: enrolled.ordinal,
          label: 'chaos',
          role: 'counter',
          tokenHash: '',
          createdAt: 0,
          revokedAt: null,
        },
      },
      wsUrl,
    );
  }

  clock(): number {
    return Date.now() + this.skewMs;
  }

  /** Like NodeDevice.start, with this device's clock. */
  startSkewed(): void {
    this.client = new SyncClient({
      store: this.store,
      baseUrl: this.wsUrl,
      device: this.info,
      connect: wsFactory(this.wire),
      onStatus: (s) => (this.status = s),
      backoff: { baseMs: 20, maxMs: 300 },
      now: () => this.clock(),
    });
    this.client.start();
  }

  /** An intake (the name and CCCD are the applicant's personal data: they must never be logged). */
  async intakeOne(rng: Rng, name: string, cccd: string): Promise<string> {
    const now = this.clock();
    const day = vnDayKey(now);
    const docName = dossierDocName(this.info.unit, rng.uuid());
    let made: Uint8Array | null = null;
    await this.store.commitNewDossier(
      day,
      this.info.ordinal,
      (n) => {
        made = newDossierUpdate(
          {
            code: formatDossierCode(this.info.unit, day, n),
            unit: this.info.unit,
            procedureCode: 'dang-ky-khai-sinh',
            procedureName: 'Đăng ký khai sinh',
            name,
            cccd,
            phone: '',
            address: 'Đà Nẵng',
            receivedAt: now,
            components: '[]',
            ...EXTRA_FIELDS,
          },
          { id: rng.uuid(), type: 'received', at: now, officer: 'o', device: this.info.deviceId },
          // Its own client id, as the app writes (S19: the server refuses any other).
          writerIdOf(this.info.deviceId),
        );
        return { docName, update: made };
      },
      now,
    );
    if (made !== null) this.made.push({ doc: docName, update: made });
    this.docNames.push(docName);
    this.client?.kick();
    return docName;
  }

  /** A workflow step on a dossier this device holds, if its state allows one. */
  async step(rng: Rng, docName: string): Promise<boolean> {
    const now = this.clock();
    const role = rng.pick<OfficerRole>(['counter', 'processing', 'leader']);
    const out = await this.store.commitToDoc(
      docName,
      (doc: Y.Doc) => {
        const state = reduceDossier(eventsOf(doc).toArray());
        const types = allowedActions(state, role).filter((t) => t === 'transfer' || t === 'accept' || t === 'resolve' || t === 'return_result');
        if (types.length === 0) return { ok: false, reason: 'none', message: '' };
        const type = rng.pick(types);
        const action: WorkflowAction =
          type === 'transfer'
            ? ({ type, to: { kind: 'commune_office', name: 'Bộ phận chuyên môn' } } as const)
            : type === 'resolve'
              ? ({ type, outcome: 'approved', documentNo: `QĐ-${rng.int(1, 999)}` } as const)
              : ({ type } as const);
        const built = buildEvent(action, state, { eventId: rng.uuid(), now, officer: 'o', device: this.info.deviceId, role });
        if (!built.ok) return { ok: false, reason: built.reason, message: '' };
        return { ok: true, update: appendEventUpdate(doc, built.value), result: null };
      },
      now,
      writerIdOf(this.info.deviceId),
    );
    if (!out.ok) return false;
    this.made.push({ doc: docName, update: out.update });
    this.client?.kick();
    return true;
  }

  /** Batch ids the server confirmed to this device: PushAcks, and a Welcome naming its last batch (S6). */
  confirmedBatches(): Set<string> {
    const ids = new Set<string>();
    for (const m of this.wire.received) {
      if (m.type === MsgType.PushAck) ids.add(m.batchId);
      if (m.type === MsgType.Welcome && m.lastBatchId !== '') ids.add(m.lastBatchId);
    }
    return ids;
  }

  /** The updates of confirmed batches, as sent. */
  confirmedUpdates(): { doc: string; update: Uint8Array }[] {
    const ok = this.confirmedBatches();
    return this.wire.sent
      .filter((m): m is Extract<Message, { type: typeof MsgType.Push }> => m.type === MsgType.Push && ok.has(m.batchId))
      .flatMap((m) => m.items.map((it) => ({ doc: it.doc, update: it.update })));
  }

  /**
   * S1 at this instant: every update made and not confirmed is still in the outbox. Called while the
   * server is down, so no confirmation is in flight. Returns the number dropped (must be 0).
   * The outbox is read before the acks: a row leaves the outbox only after its ack was recorded, so an
   * ack landing between the two reads cannot pass for a drop (the bad-link scenario checks mid-flight).
   */
  async droppedUnconfirmed(): Promise<number> {
    const outbox = new Set((await this.store.db.outbox.toArray()).map((r) => key(r.data)));
    // Pushes merge a doc's rows into one update per batch, so a made update is confirmed when the
    // confirmed updates of its doc contain it, not when the same bytes were sent.
    const byDoc = new Map<string, Uint8Array[]>();
    for (const c of this.confirmedUpdates()) byDoc.set(c.doc, [...(byDoc.get(c.doc) ?? []), c.update]);
    const vectors = new Map([...byDoc].map(([doc, list]) => [doc, Y.encodeStateVectorFromUpdate(Y.mergeUpdates(list))]));
    const confirmed = (m: { doc: string; update: Uint8Array }): boolean => {
      const sv = vectors.get(m.doc);
      return sv !== undefined && Y.parseUpdateMeta(Y.diffUpdate(m.update, sv)).to.size === 0;
    };
    return this.made.filter((m) => !confirmed(m) && !outbox.has(key(m.update))).length;
  }
}
