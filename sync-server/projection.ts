/**
 * The relational projection of a pushed batch (rule S18): per dossier doc it touches, the dossier's
 * record and its events as the doc will be once the batch is stored, computed before the store's
 * transaction from the doc as stored (one query for the batch) and checked inside it (see
 * ProjectionInput). The same Projector as the devices' lists, with the published calendar, so the
 * city's due dates are the ones the counters show.
 */
import * as Y from 'yjs';
import { parseDocName } from '../src/protocol/doc-names.ts';
import type { Derived, Projector } from '../src/worker/projector.ts';
import { applyRows, docFromRows } from './events.ts';
import { serverTimesOf } from '../src/worker/dossier-doc.ts';
import type { DossierProjection, ProjectionInput } from './store/projection-types.ts';
import { stampUpdates } from './store/server-rows.ts';
import type { EventStamp, StoredDoc, SyncStore } from './store/types.ts';

export interface ProjectedItem {
  readonly doc: string;
  readonly update: Uint8Array;
}

/**
 * The record and events of a dossier doc; null for any other kind of doc, and for a doc the projector
 * cannot read (junk where events belong): a report row is worth less than the batch that carries it,
 * so that batch is stored all the same, and the doc's next readable state is projected.
 */
export function projectDossier(projector: Projector, docName: string, doc: Y.Doc): DossierProjection | null {
  const d = deriveSafely(projector, docName, doc);
  return d === null ? null : fromDerived(docName, d);
}

/** The projector's reading of a dossier doc; null for another kind of doc or one it cannot read. */
function deriveSafely(projector: Projector, docName: string, doc: Y.Doc): Derived | null {
  if (parseDocName(docName)?.kind !== 'dossier') return null;
  try {
    return projector.derive(doc);
  } catch {
    return null;
  }
}

function fromDerived(docName: string, d: Derived): DossierProjection | null {
  const name = parseDocName(docName);
  if (name === null) return null;
  return {
    dossier: {
      doc: docName,
      unit: name.unit,
      code: d.fields.code,
      procedureCode: d.fields.procedureCode,
      procedureName: d.fields.procedureName,
      status: d.state.status,
      receivedAt: d.state.receivedAt,
      dueAt: d.dueAt,
      resolvedAt: d.state.resolvedAt,
      returnedAt: d.state.returnedAt,
      rating: d.state.rating,
      handler: d.handler,
      conflicts: d.state.conflicts.length,
      events: d.events.length,
    },
    events: d.events.map((e) => ({
      doc: docName,
      eventId: e.id,
      type: e.type,
      at: e.at,
      serverAt: e.serverAt ?? null,
      officer: e.officer,
      device: e.device,
    })),
  };
}

/** A doc built from rows, projected, and freed. */
export function projectRows(projector: Projector, docName: string, rows: readonly Uint8Array[]): DossierProjection | null {
  const doc = docFromRows(rows);
  try {
    return projectDossier(projector, docName, doc);
  } finally {
    doc.destroy();
  }
}

/**
 * A batch's projection, and the list rows of its dossiers (the device's DossierRow, served with
 * pulls: doc-rows.ts) computed from the same docs. A list row may be cached only for a doc the store
 * did not have to recompute: then it reflects every row of the doc up to the batch's.
 */
export interface BatchProjection extends ProjectionInput {
  readonly listRows: ReadonlyMap<string, string>;
  /** Docs the store recomputed (filled while appendBatch runs). */
  readonly recomputed: ReadonlySet<string>;
}

/**
 * The projection a batch brings: `stored` holds the batch's dossier docs as stored (rows, and their
 * record's version), `stamps` the event ids the batch will stamp at `now`, `built` the docs as stored
 * that were built already (taken over and destroyed here). An id the stored doc has a
 * stamp for already keeps it (the store will not stamp it again).
 */
export function batchProjection(
  projector: Projector,
  items: readonly ProjectedItem[],
  stamps: readonly EventStamp[],
  stored: ReadonlyMap<string, StoredDoc>,
  now: number,
  built?: { take(doc: string): Y.Doc | undefined },
): BatchProjection {
  const byDoc = new Map<string, Uint8Array[]>();
  for (const it of items) {
    if (parseDocName(it.doc)?.kind !== 'dossier') continue;
    const list = byDoc.get(it.doc);
    if (list === undefined) byDoc.set(it.doc, [it.update]);
    else list.push(it.update);
  }
  const stampsOf = new Map(stamps.map((s) => [s.doc, s.eventIds]));
  const docs = new Map<string, { version: number | null; projection: DossierProjection | null }>();
  const listRows = new Map<string, string>();
  for (const [docName, updates] of byDoc) {
    const base = stored.get(docName);
    // The doc as stored, if the batch's checks built it already (stored-docs.ts), with the batch on top.
    const taken = built?.take(docName);
    const doc = taken === undefined ? docFromRows([...(base?.rows ?? []), ...updates]) : applyRows(taken, updates);
    try {
      const had = serverTimesOf(doc);
      const fresh = (stampsOf.get(docName) ?? []).filter((id) => !had.has(id));
      // Stamp updates are the server's own: they always apply.
      for (const u of stampUpdates(fresh, now)) Y.applyUpdate(doc, u);
      // Derived once for both: the city's record and the devices' list row.
      const derived = deriveSafely(projector, docName, doc);
      const projection = derived === null ? null : fromDerived(docName, derived);
      docs.set(docName, { version: base?.version ?? 0, projection });
      const row = derived === null ? null : listRow(projector, docName, derived, now);
      if (row !== null) listRows.set(docName, row);
    } finally {
      doc.destroy();
    }
  }
  const recomputed = new Set<string>();
  const recompute = (doc: string, rows: readonly Uint8Array[]): DossierProjection | null => {
    recomputed.add(doc);
    return projectRows(projector, doc, rows);
  };
  return { docs, recompute, listRows, recomputed };
}

/** The device's list row of a dossier doc, as JSON; null when it cannot be read. */
function listRow(projector: Projector, docName: string, derived: Derived, now: number): string | null {
  try {
    const row = projector.rowOf(docName, derived, now);
    return row === null ? null : JSON.stringify(row);
  } catch {
    return null;
  }
}

/**
 * After the batch is stored at `headSeq`: its dossiers' list rows go to the pull cache, but for the
 * docs the store recomputed (another batch of theirs was stored meanwhile; a pull computes those).
 * A cache row is never lost data, so this runs after the PushAck and a failure is only logged.
 */
export async function cacheListRows(store: SyncStore, p: BatchProjection, headSeq: number): Promise<void> {
  const rows = [...p.listRows].filter(([doc]) => !p.recomputed.has(doc)).map(([doc, row]) => ({ doc, seq: headSeq, row }));
  if (rows.length > 0) await store.putDocRows(rows);
}

/** The projection of a live update: always recomputed in the store's transaction from what is stored. */
export function liveProjection(projector: Projector, docName: string): ProjectionInput | undefined {
  if (parseDocName(docName)?.kind !== 'dossier') return undefined;
  return { docs: new Map([[docName, { version: null, projection: null }]]), recompute: (doc, rows) => projectRows(projector, doc, rows) };
}
