/**
 * The printed forms of Circular 03/2025/TT-VPCP (Phụ lục I) as plain view models: labelled fields and
 * tables in Vietnamese, dates as dd/mm/yyyy and HH:mm, built from a DossierSnapshot. The UI lays them
 * out on A4/A5; nothing here knows about the page.
 *
 * RECONSTRUCTED: the form list (Mẫu 01-07) is verified, but the exact 2025 layouts were not retrieved
 * (../shared/data/forms.json). Fields marked "TT 01/2018" below come from the Circular 01/2018-era
 * templates seen in provincial systems; Mẫu 05 and Mẫu 07 had no observed fields at all and are
 * composed from what the workflow records. Each FormView carries `reconstructed: true` until the
 * official 2025 annex is checked.
 */
import type { CopyKind } from '../catalog.ts';
import type { DossierEvent, DossierState } from '../dossier.ts';
import { formatVnDate, vnIsoDay, vnParts } from '../time.ts';

/** Everything the forms of one dossier need, as the worker reads it from the dossier's doc. */
export interface DossierSnapshot {
  code: string;
  /** The receiving unit, e.g. 'Phường Thanh Khê'. */
  unitName: string;
  procedureName: string;
  processingDays: number;
  processingHours?: number;
  applicant: { name: string; cccd: string; phone: string; address: string; email?: string; vneidVerified?: boolean };
  components: { name: string; received: boolean; copyKind?: CopyKind | string; count?: number }[];
  /** The log in sortEvents order. */
  events: DossierEvent[];
  state: DossierState;
  /** Officer id → display name; an unknown id prints as itself. */
  officerNames: Record<string, string>;
  /** When the complete dossier was received (the clock's start); null when it never was. */
  receivedAt: number | null;
  /** Statutory due date (calendar `dueAt`, pauses included), before any apology. */
  baseDueAt: number | null;
  /** The appointment in force (`currentDueAt`). */
  dueAt: number | null;
  /** Where the citizen collects the result; default: the receiving center. */
  collectAt?: string;
}

export interface FormField {
  /** Stable key for layout and tests; the label is what prints. */
  key: string;
  label: string;
  value: string;
}

export interface FormTable {
  key: string;
  label: string;
  columns: string[];
  rows: string[][];
}

export type FormNo = '01' | '02' | '03' | '04' | '05' | '06' | '07';

export interface FormView {
  form: FormNo;
  /** 'Mẫu số 01' … as printed in the top corner. */
  formLabel: string;
  title: string;
  /** Top left: the issuing body under its parent. */
  issuer: { parent: string; name: string };
  /** Top right (Decree 30/2020 format). */
  nationalHeading: [string, string];
  /** "Số: 0042/TNHS" where the form has a number. */
  number: string | null;
  /** "Thanh Khê, ngày 13 tháng 02 năm 2026". */
  placeDate: string;
  fields: FormField[];
  tables: FormTable[];
  signatures: { title: string; name: string }[];
  /** Text for the QR code (the dossier code), when the form carries one. */
  qr: string | null;
  reconstructed: true;
}

export const NATIONAL_HEADING: [string, string] = ['CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 'Độc lập - Tự do - Hạnh phúc'];
export const LEGAL_BASIS = 'Thông tư 03/2025/TT-VPCP';

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** '10:05 ngày 13/02/2026'. */
export function dateTime(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '';
  const p = vnParts(ms);
  return `${pad2(p.hour)}:${pad2(p.minute)} ngày ${formatVnDate(ms)}`;
}

/** 'dd/mm/yyyy', '' for none. */
export const date = (ms: number | null): string => (ms === null || !Number.isFinite(ms) ? '' : formatVnDate(ms));

const UNIT_PREFIX = /^(Phường|Xã|Đặc khu)\s+/u;
export const placeOf = (unitName: string): string => unitName.replace(UNIT_PREFIX, '');

export function placeDate(unitName: string, ms: number): string {
  const p = vnParts(ms);
  return `${placeOf(unitName)}, ngày ${pad2(p.day)} tháng ${pad2(p.month)} năm ${p.year}`;
}

export const centerIssuer = (unitName: string): FormView['issuer'] => ({
  parent: `ỦY BAN NHÂN DÂN ${unitName.toUpperCase()}`,
  name: 'TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG',
});

/** The number of the dossier within its day, from its code ('20209-260213-0042' → '0042'). */
export const dayNumber = (code: string): string => code.split('-').pop() ?? '';

export const officerName = (s: DossierSnapshot, id: string | undefined): string => (id === undefined ? '' : (s.officerNames[id] ?? id));

export const dataStr = (e: DossierEvent | undefined, key: string): string => {
  const v = e?.data?.[key];
  return typeof v === 'string' ? v : '';
};

export const dataNum = (e: DossierEvent | undefined, key: string): number | null => {
  const v = e?.data?.[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
};

/** The components a supplement request lists (a JSON list in its data). */
export function missingOf(e: DossierEvent | undefined): string[] {
  try {
    const raw: unknown = JSON.parse(dataStr(e, 'missing') || '[]');
    return Array.isArray(raw) ? raw.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

/** The last applied (not conflicting) event of a type, or a given one by id. */
export function pick(s: DossierSnapshot, type: DossierEvent['type'], eventId?: string): DossierEvent | undefined {
  const conflicted = new Set(s.state.conflicts.map((c) => c.eventId));
  const candidates = s.events.filter((e) => e.type === type && !conflicted.has(e.id));
  return eventId === undefined ? candidates[candidates.length - 1] : candidates.find((e) => e.id === eventId);
}

/** Trước hạn (an earlier day) / Đúng hạn (by the due instant, on its day) / Quá hạn. */
export function timeliness(at: number, due: number | null): string {
  if (due === null || !Number.isFinite(due)) return '';
  if (at > due) return 'Quá hạn';
  return vnIsoDay(at) < vnIsoDay(due) ? 'Trước hạn' : 'Đúng hạn';
}

export function view(
  form: FormNo,
  title: string,
  parts: Pick<FormView, 'issuer' | 'fields'> & Partial<Pick<FormView, 'number' | 'tables' | 'signatures' | 'qr'>> & { place: string; at: number },
): FormView {
  return {
    form,
    formLabel: `Mẫu số ${form}`,
    title,
    issuer: parts.issuer,
    nationalHeading: NATIONAL_HEADING,
    number: parts.number ?? null,
    placeDate: placeDate(parts.place, parts.at),
    fields: parts.fields,
    tables: parts.tables ?? [],
    signatures: parts.signatures ?? [],
    qr: parts.qr ?? null,
    reconstructed: true,
  };
}

/** Looks a field up by key (UI and tests). */
export const fieldValue = (v: FormView, key: string): string | undefined => v.fields.find((f) => f.key === key)?.value;
