/**
 * The shape of a dossier's Y.Doc and its projection to the row that lists and search read.
 *
 * One small doc per dossier (decision 2): a flat map of fields, so editing one field costs one small
 * update, and an append-only array of events whose order every replica settles by sortEvents.
 */
import * as Y from 'yjs';
import type { DossierEvent } from '../domain/dossier.ts';

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
  /** JSON of `{ name, received, copyKind, count }[]`: the checklist as ticked at intake. */
  components: string;
  email: string;
  vneidVerified: boolean;
  /** A unit code of the applicant's residence, or free text for elsewhere (any-center intake). */
  residence: string;
  /** Statutory processing time in working days (0 = same day) and whether the 15:00 rule applies. */
  processingDays: number;
  /** For procedures whose time is stated in working hours (processingDays is then 0). */
  processingHours: number;
  sameDay15h: boolean;
  /** The appointment date the receiving device computed (the projector recomputes it from events). */
  dueAt: number;
}

const FIELDS_KEY = 'f';
const EVENTS_KEY = 'events';
/** Server time stamps: event id → ms, written only by the sync server (rule S13). */
const STAMPS_KEY = 'st';

type FieldValue = string | number | boolean;

export function fieldsOf(doc: Y.Doc): Y.Map<FieldValue> {
  return doc.getMap<FieldValue>(FIELDS_KEY);
}

export function serverTimesOf(doc: Y.Doc): Map<string, number> {
  const out = new Map<string, number>();
  doc.getMap<unknown>(STAMPS_KEY).forEach((v, k) => {
    if (typeof v === 'number' && Number.isFinite(v)) out.set(k, v);
  });
  return out;
}

export function eventsOf(doc: Y.Doc): Y.Array<DossierEvent> {
  return doc.getArray<DossierEvent>(EVENTS_KEY);
}

/**
 * A device's Yjs client id, the same for every doc it writes: derived from its device id (FNV-1a,
 * 32 bits). Yjs requires that no two writers share a client id on one doc at once. A device's writes
 * to a doc are serialised (each is one IndexedDB transaction that first loads every stored row of the
 * doc, its own included), so reusing its id across sessions continues its clock, never repeats it.
 * One id per device instead of a random one per write keeps updates small: a batch repeats the same
 * 4-5 bytes, which compression then removes (a random id per write cost about 18 bytes a dossier).
 */
export function writerIdOf(deviceId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < deviceId.length; i++) {
    h ^= deviceId.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * Client ids a device may open live docs with (/yjs), besides writerIdOf: several tabs of one device
 * may hold the same live doc at once, and Yjs forbids two writers sharing an id on one doc.
 */
export const LIVE_WRITER_SLOTS = 8;

/** The live-session client id of slot `k` (1..LIVE_WRITER_SLOTS) of a device. */
export function liveWriterIdOf(deviceId: string, k: number): number {
  return writerIdOf(`${deviceId}#${k}`);
}

/**
 * Every Yjs client id a device owns (rule S19): its writer id and its live slots. The server refuses a
 * new item under any other id; the device picks from these ids only.
 */
export function ownedWriterIds(deviceId: string): ReadonlySet<number> {
  const ids = new Set([writerIdOf(deviceId)]);
  for (let k = 1; k <= LIVE_WRITER_SLOTS; k++) ids.add(liveWriterIdOf(deviceId, k));
  return ids;
}

/**
 * A Y.Doc to load or write with. The guid is given because Yjs otherwise draws a UUID from
 * crypto.getRandomValues, one call per character: 70 µs a doc, more than applying its update.
 */
export function newDoc(writer?: number): Y.Doc {
  const doc = new Y.Doc({ guid: 'dossier' });
  if (writer !== undefined) doc.clientID = writer;
  return doc;
}

/** A new dossier's doc: its fields and the 'received' event, in one Yjs transaction. The caller destroys it. */
export function newDossierDoc(fields: DossierFields, first: DossierEvent, writer?: number): Y.Doc {
  const doc = newDoc(writer);
  doc.transact(() => {
    const map = fieldsOf(doc);
    for (const [k, v] of Object.entries(fields)) map.set(k, v as FieldValue);
    eventsOf(doc).push([first]);
  });
  return doc;
}

/** Builds the first update of a new dossier (newDossierDoc, encoded). */
export function newDossierUpdate(fields: DossierFields, first: DossierEvent, writer?: number): Uint8Array {
  const doc = newDossierDoc(fields, first, writer);
  const update = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  return update;
}

export function docFromUpdates(updates: readonly Uint8Array[], writer?: number): Y.Doc {
  const doc = newDoc();
  doc.transact(() => {
    for (const u of updates) Y.applyUpdate(doc, u);
  });
  // Only after loading: Yjs gives a doc a new random id when a remote transaction brings items of
  // its current id ("another client seems to be using it"), which loading our own rows would do.
  if (writer !== undefined) doc.clientID = writer;
  return doc;
}

function str(map: Y.Map<FieldValue>, key: string): string {
  const v = map.get(key);
  return typeof v === 'string' ? v : '';
}

function num(map: Y.Map<FieldValue>, key: string): number {
  const v = map.get(key);
  return typeof v === 'number' ? v : 0;
}

/** Appends one event to a doc; returns the update that carries it (and nothing else). */
export function appendEventUpdate(doc: Y.Doc, event: DossierEvent): Uint8Array {
  const before = Y.encodeStateVector(doc);
  eventsOf(doc).push([event]);
  return Y.encodeStateAsUpdate(doc, before);
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
    email: str(f, 'email'),
    vneidVerified: f.get('vneidVerified') === true,
    residence: str(f, 'residence'),
    processingDays: num(f, 'processingDays'),
    processingHours: num(f, 'processingHours'),
    sameDay15h: f.get('sameDay15h') === true,
    dueAt: num(f, 'dueAt'),
  };
}
