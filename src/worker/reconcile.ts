/**
 * What a device does when the server's store is not the one it synced with (rule S17): the store was
 * restored from a backup, has forgotten what was pushed after the backup, and numbers its rows again
 * from the backup's head, below the device's cursor.
 *
 * - noteEpoch, in one transaction with the cursor: the cursor goes back to where the device's log and
 *   the copy agree (the fork, when the copy was made from the store the device knew; else 0), and a
 *   reconcile is recorded, so a crash resumes it, with a claim of the number blocks the device holds
 *   (sent with the next reservation, SyncClient.reserveBlocks).
 * - Reconciler: asks the server for the state of every doc the device holds, up to
 *   LIMITS.maxStateDocs per request, and puts into the outbox what each state lacks: one update per
 *   doc, pushed by the normal batches (S1, S3). Progress is saved with the rows it wrote.
 */
import * as Y from 'yjs';
import { CloseCode, LIMITS, MsgType } from '../protocol/constants.ts';
import { isUnitCode, parseDocName } from '../protocol/doc-names.ts';
import type { DocState, MessageOf } from '../protocol/messages.ts';
import type { OutboxRow } from '../db/schema.ts';
import { Connection, ConnectionClosed } from './connection.ts';
import { docFromUpdates, eventsOf } from './dossier-doc.ts';
import { META, type LocalStore } from './local-store.ts';

export interface ReconcileState {
  /** The epoch this reconcile is for. */
  readonly epoch: string;
  /** Docs are walked in name order; the last one done, or null once every doc was walked. */
  readonly after: string | null;
  /** Docs the server said are outside our scope (a grant the copy lacks): asked again later. */
  readonly deferred: readonly string[];
}

/** Docs per IndexedDB transaction: each is decoded, and a long transaction would hold up an intake. */
const DOCS_PER_TRANSACTION = 50;
/** An update that changes nothing: carries a doc's further grants in rows of their own. */
const NO_CHANGE = Y.encodeStateAsUpdate(new Y.Doc());

/**
 * Records the epoch the server announced. A different one than recorded (never the first one seen)
 * moves the cursor back and records a reconcile, in one transaction. Returns whether one began.
 */
export async function noteEpoch(store: LocalStore, e: MessageOf<typeof MsgType.Epoch>): Promise<boolean> {
  const { db } = store;
  return db.transaction('rw', db.meta, async () => {
    const last = (await db.meta.get(META.epoch))?.value as string | undefined;
    if (last === e.epoch) return false;
    await db.meta.put({ key: META.epoch, value: e.epoch });
    if (last === undefined) return false;
    const cursor = ((await db.meta.get(META.cursor))?.value as number | undefined) ?? 0;
    // Rows up to forkSeq are the same in the copy as in the store the device knew, if the copy was
    // made from it; any other history (a copy of a copy, restored twice) agrees only on nothing.
    const next = last === e.parentEpoch ? Math.min(cursor, e.forkSeq) : 0;
    const state: ReconcileState = { epoch: e.epoch, after: '', deferred: [] };
    await Promise.all([
      db.meta.put({ key: META.cursor, value: next }),
      db.meta.put({ key: META.reconcile, value: state }),
      db.meta.put({ key: META.claimBlocks, value: e.epoch }),
    ]);
    return true;
  });
}

/** The communes a dossier was transferred to, as its events say: their grants go with what is sent back. */
export function transferGrants(doc: Y.Doc, home: string): string[] {
  const units = new Set<string>();
  for (const ev of eventsOf(doc).toArray()) {
    const unit = ev.type === 'transferred' && ev.data?.kind === 'other_commune' ? ev.data.unit : undefined;
    if (typeof unit === 'string' && isUnitCode(unit) && unit !== home) units.add(unit);
  }
  return [...units];
}

/** Validation on arrival (S8): the answer names a prefix of the docs asked, each with a state that decodes. */
function checkAnswer(asked: readonly string[], answer: MessageOf<typeof MsgType.States>): Map<string, Y.Snapshot | null> {
  const out = new Map<string, Y.Snapshot | null>();
  const ok = answer.states.length > 0 && answer.states.length <= asked.length && answer.states.every((s, i) => s.doc === asked[i]);
  if (ok) {
    for (const s of answer.states) {
      const snap = decodeState(s);
      if (snap === undefined) return new Map();
      out.set(s.doc, snap);
    }
  }
  return out;
}

function decodeState(s: DocState): Y.Snapshot | null | undefined {
  if (s.state === null) return null;
  try {
    return Y.decodeSnapshot(s.state);
  } catch {
    return undefined;
  }
}

export class Reconciler {
  /** Set when deferred docs may have come into scope (a new session, a pull that brought rows). */
  private retry = true;

  constructor(
    private readonly store: LocalStore,
    private readonly random: () => number,
    private readonly docsPerAsk: number = LIMITS.maxStateDocs,
  ) {}

  retryDeferred(): void {
    this.retry = true;
  }

  /** A reconcile to run now: docs not walked yet, or deferred docs to ask about again. */
  async due(): Promise<boolean> {
    const state = await this.store.getMeta<ReconcileState>(META.reconcile);
    if (state === undefined) return false;
    return state.after !== null || (this.retry && state.deferred.length > 0);
  }

  /** Walks every doc not walked yet, then asks again about the deferred ones. */
  async run(conn: Connection): Promise<void> {
    let state = await this.store.getMeta<ReconcileState>(META.reconcile);
    // Docs deferred by this walk were just asked about: the next session or pull asks again.
    const walked = state?.after !== null;
    while (state !== undefined && state.after !== null) {
      const docs = (await this.store.db.updates.where('doc').above(state.after).limit(this.docsPerAsk).uniqueKeys()) as string[];
      if (docs.length === 0) state = await this.save({ ...state, after: null });
      else state = await this.ask(conn, state, docs, false);
    }
    const retry = this.retry && !walked;
    this.retry = false;
    if (state === undefined || !retry) return;
    const again = [...state.deferred];
    for (let i = 0; i < again.length && state !== undefined; i += this.docsPerAsk) {
      state = await this.ask(conn, state, again.slice(i, i + this.docsPerAsk), true);
    }
  }

  /** One request; a doc the answer did not reach is asked again (the walk resumes after the last answered). */
  private async ask(conn: Connection, state: ReconcileState, docs: readonly string[], retrying: boolean): Promise<ReconcileState | undefined> {
    const reqId = Math.floor(this.random() * 1e9);
    const answer = await conn.request({ type: MsgType.AskStates, reqId, docs }, MsgType.States, (m) => m.reqId === reqId);
    const states = checkAnswer(docs, answer);
    if (states.size === 0) {
      conn.close(CloseCode.BadFrame, 'bad states answer');
      throw new ConnectionClosed(CloseCode.BadFrame, 'bad states answer');
    }
    const answered = [...states.keys()];
    let next: ReconcileState | undefined = state;
    for (let i = 0; i < answered.length && next !== undefined; i += DOCS_PER_TRANSACTION) {
      next = await this.apply(next, answered.slice(i, i + DOCS_PER_TRANSACTION), states, retrying);
    }
    return next;
  }

  /**
   * One transaction: for each doc, what the server's state lacks goes into the outbox, replacing the
   * doc's rows not yet in a batch (the new row holds them), with the doc's grants; and the progress.
   */
  private async apply(
    state: ReconcileState,
    docs: readonly string[],
    states: ReadonlyMap<string, Y.Snapshot | null>,
    retrying: boolean,
  ): Promise<ReconcileState | undefined> {
    const { db } = this.store;
    return db.transaction('rw', [db.updates, db.outbox, db.meta], async () => {
      const current = (await db.meta.get(META.reconcile))?.value as ReconcileState | undefined;
      // Another epoch began meanwhile (it starts its own walk): this answer is of no use.
      if (current?.epoch !== state.epoch) return current;
      const deferred = new Set(state.deferred);
      for (const doc of docs) {
        const snap = states.get(doc);
        if (snap === undefined) continue;
        if (snap === null) {
          deferred.add(doc);
          continue;
        }
        deferred.delete(doc);
        const rows = await db.updates.where('doc').equals(doc).sortBy('id');
        if (rows.length === 0) continue;
        let ydoc: Y.Doc;
        try {
          ydoc = docFromUpdates(rows.map((r) => r.data));
        } catch {
          // A doc stored as the server sent it that does not decode (S8): nothing of it can be sent,
          // and failing here would stop every later doc too.
          continue;
        }
        const missing = Y.encodeStateAsUpdate(ydoc, Y.encodeStateVector(snap.sv));
        const name = parseDocName(doc);
        const [grant, ...more] = name?.kind === 'dossier' ? transferGrants(ydoc, name.unit) : [];
        ydoc.destroy();
        // Nothing the server lacks, deletions included. A doc too big for one update is left out: the
        // server would refuse it and stop this device's pushes for good.
        if (Y.snapshotContainsUpdate(snap, missing) || missing.byteLength > LIMITS.maxUpdateBytes) continue;
        const waiting = await db.outbox.where('doc').equals(doc).filter((r) => r.batchId === '').primaryKeys();
        const first: OutboxRow = grant === undefined ? { doc, data: missing, batchId: '' } : { doc, data: missing, batchId: '', grant };
        const out = [first, ...more.map((unit): OutboxRow => ({ doc, data: NO_CHANGE, batchId: '', grant: unit }))];
        await Promise.all([db.outbox.bulkDelete(waiting), db.outbox.bulkAdd(out)]);
      }
      const last = docs[docs.length - 1] ?? state.after ?? '';
      const next: ReconcileState = retrying ? { ...state, deferred: [...deferred] } : { ...state, after: last, deferred: [...deferred] };
      return this.put(next);
    });
  }

  private async save(state: ReconcileState): Promise<ReconcileState | undefined> {
    const { db } = this.store;
    return db.transaction('rw', db.meta, async () => {
      const current = (await db.meta.get(META.reconcile))?.value as ReconcileState | undefined;
      return current?.epoch === state.epoch ? this.put(state) : current;
    });
  }

  /** Inside a transaction: a finished reconcile with nothing deferred is removed. */
  private async put(state: ReconcileState): Promise<ReconcileState | undefined> {
    const { db } = this.store;
    if (state.after === null && state.deferred.length === 0) {
      await db.meta.delete(META.reconcile);
      return undefined;
    }
    await db.meta.put({ key: META.reconcile, value: state });
    return state;
  }
}
