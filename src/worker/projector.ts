/**
 * Derives what lists, search and the dossier screen read from a dossier's doc. Holds the working-time
 * calendar, because a dossier's due date depends on it (holidays, supplement pauses, apologies).
 */
import type * as Y from 'yjs';
import type { DossierRow } from '../db/schema.ts';
import { dueAt, type WorkCalendar } from '../domain/calendar.ts';
import { currentDueAt, orderedEvents, reduceDossier, type DossierState } from '../domain/dossier.ts';
import { nameWords } from '../domain/search.ts';
import { parseDocName } from '../protocol/doc-names.ts';
import { eventsOf, readFields, serverTimesOf, type DossierFields } from './dossier-doc.ts';
import type { ViewEvent } from './types.ts';

export interface Derived {
  fields: DossierFields;
  events: ViewEvent[];
  state: DossierState;
  dueAt: number | null;
  handler: string;
}

export class Projector {
  constructor(private calendar: WorkCalendar | null) {}

  setCalendar(cal: WorkCalendar): void {
    this.calendar = cal;
  }

  derive(doc: Y.Doc, officerNames: Record<string, string> = {}): Derived {
    const fields = readFields(doc);
    const stamps = serverTimesOf(doc);
    // Server stamps join the events before reduction: they correct device clocks running ahead.
    const raw = eventsOf(doc)
      .toArray()
      .map((e) => {
        const at = stamps.get(e.id);
        return at === undefined ? e : { ...e, serverAt: at };
      });
    const state = reduceDossier(raw);
    const byId = new Map(raw.map((e) => [e.id, e]));
    // Shown in the order the reducer applied them, each with the device time it was recorded with.
    const events: ViewEvent[] = orderedEvents(raw).map((o) => {
      const e = byId.get(o.id) ?? o;
      return { ...e, serverAt: e.serverAt ?? null, officerName: officerNames[e.officer] ?? e.officerName ?? e.officer };
    });
    let due: number | null = null;
    if (state.receivedAt !== null && this.calendar !== null) {
      const base = dueAt(this.calendar, {
        receivedAt: state.receivedAt,
        processingDays: fields.processingDays,
        processingHours: fields.processingHours,
        sameDay15hRule: fields.sameDay15h,
        pauses: state.supplementPeriods,
      });
      // While a supplement is awaited the clock is stopped: no date, never overdue.
      due = Number.isFinite(base) ? currentDueAt(raw, base) : null;
    } else if (state.receivedAt !== null && fields.dueAt > 0) {
      // No calendar loaded yet (first start offline before the data file is cached): the receiving
      // device's own computation, stored in the doc, is the best we have.
      due = currentDueAt(raw, fields.dueAt);
    }
    let handler = '';
    for (const e of events) if (e.type === 'transferred' && typeof e.data?.['name'] === 'string') handler = e.data['name'];
    return { fields, events, state, dueAt: due, handler };
  }

  /** The projection row of a dossier doc; null for a doc that is not a dossier. */
  project(docName: string, doc: Y.Doc, now: number): DossierRow | null {
    const name = parseDocName(docName);
    if (name === null || name.kind !== 'dossier') return null;
    return this.rowOf(docName, this.derive(doc), now);
  }

  /** The projection row from what `derive` gave (the server derives a doc once for two projections). */
  rowOf(docName: string, d: Derived, now: number): DossierRow | null {
    const name = parseDocName(docName);
    if (name === null || name.kind !== 'dossier') return null;
    const received = d.events.find((e) => e.type === 'received') ?? d.events[0];
    const words = nameWords(d.fields.name);
    return {
      id: name.id,
      doc: docName,
      unit: name.unit,
      code: d.fields.code,
      procedureCode: d.fields.procedureCode,
      procedureName: d.fields.procedureName,
      applicantName: d.fields.name,
      nameWords: words,
      nameKey: words.join(' '),
      cccd: d.fields.cccd,
      phone: d.fields.phone,
      status: d.state.status,
      conflict: d.state.conflicts.length,
      receivedAt: d.fields.receivedAt,
      dueAt: d.dueAt ?? 0,
      officer: received?.officer ?? '',
      handler: d.handler,
      resolvedAt: d.state.resolvedAt ?? 0,
      updatedAt: now,
    };
  }
}

const ROW_STRINGS = ['id', 'doc', 'unit', 'code', 'procedureCode', 'procedureName', 'applicantName', 'cccd', 'phone', 'status', 'officer', 'handler'] as const;
const ROW_NUMBERS = ['conflict', 'receivedAt', 'dueAt', 'resolvedAt', 'updatedAt'] as const;

/**
 * A row the server projected for `docName` (sent with a pull), checked field by field: the right doc,
 * every field of the right type. null when anything is off; the device then decodes the doc itself.
 */
export function parseServerRow(json: string, docName: string, now: number): DossierRow | null {
  const name = parseDocName(docName);
  if (name === null || name.kind !== 'dossier') return null;
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const r = v as Record<string, unknown>;
  if (r['id'] !== name.id || r['doc'] !== docName || r['unit'] !== name.unit) return null;
  if (!ROW_STRINGS.every((k) => typeof r[k] === 'string')) return null;
  if (!ROW_NUMBERS.every((k) => typeof r[k] === 'number' && Number.isFinite(r[k]))) return null;
  const words = r['nameWords'];
  if (!Array.isArray(words) || !words.every((w) => typeof w === 'string')) return null;
  const row = {} as Record<string, unknown>;
  for (const k of ROW_STRINGS) row[k] = r[k];
  for (const k of ROW_NUMBERS) row[k] = r[k];
  row['nameWords'] = words;
  // Derived here, not taken from the server: the index key always agrees with the words.
  row['nameKey'] = (words as string[]).join(' ');
  row['updatedAt'] = now;
  return row as unknown as DossierRow;
}
