/**
 * What the printed forms show, built from what the worker returns (a Receipt right after intake, a
 * DossierView later). Field lists follow ../shared/data/forms.json (Circular 03/2025/TT-VPCP, fields
 * reconstructed from the Circular 01/2018 templates: the exact 2025 layouts were not retrieved).
 */
import { copyKindLabel as domainCopyKindLabel, processingTimeLabel } from '../../domain/catalog.ts';
import type { DossierView, Receipt } from '../../worker/types.ts';
import type { Issuer } from './Sheet.tsx';

export interface Applicant {
  name: string;
  cccd: string;
  address: string;
  phone: string;
  email: string;
}

export interface ComponentLine {
  name: string;
  copyKind: string;
  count: number;
  received: boolean;
}

/** What every form of one dossier shares. */
export interface DossierBasics {
  unitName: string;
  code: string;
  procedureName: string;
  processingDays: number;
  applicant: Applicant;
  components: ComponentLine[];
  receivedAt: number;
  /** Appointment in force; null when there is none (not received, or no calendar yet). */
  dueAt: number | null;
  /** Officer who took the dossier in. */
  officerName: string;
}

const UNIT_PREFIX = /^(Phường|Xã|Đặc khu)\s+/u;

/** "Phường Thanh Khê" → "Thanh Khê": the place on the date line. */
export function placeOf(unitName: string): string {
  return unitName.replace(UNIT_PREFIX, '');
}

/** The commune's one-stop center under its People's Committee. */
export function centerIssuer(unitName: string): Issuer {
  return { parent: `Ủy ban nhân dân ${unitName}`, name: 'Trung tâm Phục vụ hành chính công' };
}

/** A processing body (commune office, city department) as the issuer of Mẫu 04 and 05. */
export function bodyIssuer(unitName: string, bodyName: string | null): Issuer {
  if (bodyName === null || bodyName === '') return { parent: 'Ủy ban nhân dân thành phố Đà Nẵng', name: `Ủy ban nhân dân ${unitName}` };
  return /^(Sở|Ban|Văn phòng UBND thành phố)/u.test(bodyName)
    ? { parent: 'Ủy ban nhân dân thành phố Đà Nẵng', name: bodyName }
    : { parent: `Ủy ban nhân dân ${unitName}`, name: bodyName };
}

export function copyKindLabel(kind: string): string {
  return domainCopyKindLabel(kind === 'certified_copy' || kind === 'copy' ? kind : 'original');
}

/** The receipt number of Mẫu 01 ("Số: 0001/TNHS"): the dossier's number in the day, from its code. */
export function receiptNumber(code: string, suffix: string): string {
  const seq = code.split('-').pop() ?? '';
  return `Số: ${seq === '' ? '......' : seq}/${suffix}`;
}

export function processingTimeText(days: number): string {
  return processingTimeLabel({ processingDays: days });
}

export function fromReceipt(r: Receipt): DossierBasics {
  const a = r.applicant as Receipt['applicant'] & { email?: string };
  return {
    unitName: r.unitName,
    code: r.code,
    procedureName: r.procedureName,
    processingDays: r.processingDays,
    applicant: { name: a.name, cccd: a.cccd, address: a.address, phone: a.phone, email: a.email ?? '' },
    components: r.components.map((c) => {
      const x = c as typeof c & { copyKind?: string; count?: number };
      return { name: x.name, received: x.received, copyKind: x.copyKind ?? 'original', count: x.count ?? 1 };
    }),
    receivedAt: r.receivedAt,
    dueAt: r.dueAt,
    officerName: r.officerName,
  };
}

export function fromView(v: DossierView): DossierBasics {
  return {
    unitName: v.homeUnitName,
    code: v.code,
    procedureName: v.procedureName,
    processingDays: v.processingDays,
    applicant: { name: v.applicant.name, cccd: v.applicant.cccd, address: v.applicant.address, phone: v.applicant.phone, email: v.applicant.email },
    components: v.components,
    receivedAt: v.receivedAt,
    dueAt: v.dueAt,
    officerName: v.receivedBy,
  };
}

/** Anything with an event's data (a DossierEvent, or a ViewEvent with its server time). */
type WithData = { data?: Record<string, string | number | boolean> } | undefined;

export const dataStr = (e: WithData, key: string): string => {
  const v = e?.data?.[key];
  return typeof v === 'string' ? v : '';
};

export const dataNum = (e: WithData, key: string): number | null => {
  const v = e?.data?.[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
};

/** The missing components a supplement_requested event lists (JSON list in its data). */
export function missingOf(e: WithData): string[] {
  try {
    const raw: unknown = JSON.parse(dataStr(e, 'missing') || '[]');
    return Array.isArray(raw) ? raw.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}
