/**
 * The shape of a dossier's Y.Doc and its projection to the row that lists and search read.
 *
 * One small doc per dossier (decision 2): a flat map of fields, so editing one field costs one small
 * update, and an append-only array of events whose order every replica settles by sortEvents.
 */
import * as Y from 'yjs';
import type { DossierRow } from '../db/schema.ts';
import { reduceDossier, type DossierEvent } from '../domain/dossier.ts';
import { nameWords } from '../domain/search.ts';
import { parseDocName } from '../protocol/doc-names.ts';

export interface DossierFields {
  code: string;
  unit: string;
  procedureCode: string;
  procedureName: string;
  name: string;
  cccd: string;
  phone: string;
  address: string;
  receivedAt: number;
  /** JSON of `{ name, received }[]`: the checklist as ticked at intake. */
  components: string;
}

const FIELDS_KEY = 'f';
const EVENTS_KEY = 'events';

export function fieldsOf(doc: Y.Doc): Y.Map<string | number> {
  return doc.getMap<string | number>(FIELDS_KEY);
}

export function eventsOf(doc: Y.Doc): Y.Array<DossierEvent> {
  return doc.getArray<DossierEvent>(EVENTS_KEY);
}

/** Builds the first update of a new dossier: its fields and the 'received' event, in one Yjs transaction. */
export function newDossierUpdate(fields: DossierFields, first: DossierEvent): Uint8Array {
  const doc = new Y.Doc();
  doc.transact(() => {
    const map = fieldsOf(doc);
    for (const [k, v] of Object.entries(fields)) map.set(k, v as string | number);
    eventsOf(doc).push([first]);
  });
  const update = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  return update;
}

export function docFromUpdates(updates: readonly Uint8Array[]): Y.Doc {
  const doc = new Y.Doc();
  doc.transact(() => {
    for (const u of updates) Y.applyUpdate(doc, u);
  });
  return doc;
}

function str(map: Y.Map<string | number>, key: string): string {
  const v = map.get(key);
  return typeof v === 'string' ? v : '';
}

function num(map: Y.Map<string | number>, key: string): number {
  const v = map.get(key);
  return typeof v === 'number' ? v : 0;
}

export function readFields(doc: Y.Doc): DossierFields {
  const f = fieldsOf(doc);
  return {
    code: str(f, 'code'),
    unit: str(f, 'unit'),
    procedureCode: str(f, 'procedureCode'),
    procedureName: str(f, 'procedureName'),
    name: str(f, 'name'),
    cccd: str(f, 'cccd'),
    phone: str(f, 'phone'),
    address: str(f, 'address'),
    receivedAt: num(f, 'receivedAt'),
    components: str(f, 'components'),
  };
}

/** The projection row of a dossier doc; null for a doc that is not a dossier. */
export function projectDossier(docName: string, doc: Y.Doc, now: number): DossierRow | null {
  const name = parseDocName(docName);
  if (name === null || name.kind !== 'dossier') return null;
  const f = readFields(doc);
  const state = reduceDossier(eventsOf(doc).toArray());
  return {
    id: name.id,
    doc: docName,
    unit: name.unit,
    code: f.code,
    procedureCode: f.procedureCode,
    procedureName: f.procedureName,
    applicantName: f.name,
    nameWords: nameWords(f.name),
    cccd: f.cccd,
    phone: f.phone,
    status: state.status,
    conflict: state.conflicts.length,
    receivedAt: f.receivedAt,
    updatedAt: now,
  };
}
