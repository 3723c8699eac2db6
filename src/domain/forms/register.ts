/**
 * Mẫu 07: Sổ theo dõi hồ sơ, the daily register, printable and exported as CSV for Excel. Its column
 * list was NOT verified for TT 03/2025: the columns follow the TT 01/2018 register (Mẫu 06 there:
 * code, procedure, sets, applicant, address and phone, competent body, dates of receipt, appointment,
 * transfer, result and return, note) plus the status this app derives.
 * A dossier belongs to the register of the day of its intake event (received, or asked for a
 * supplement / refused at the counter), in Vietnam time.
 */
import { toCsv } from '../csv.ts';
import { statusLabel } from '../dossier-labels.ts';
import { formatVnDate, vnIsoDay, vnParts } from '../time.ts';
import { centerIssuer, pick, view, type DossierSnapshot, type FormView } from './model.ts';

export interface RegisterRow {
  seq: number;
  code: string;
  procedureName: string;
  sets: number;
  applicantName: string;
  addressPhone: string;
  /** The competent body the dossier went to; '' while at the center. */
  body: string;
  intakeAt: number;
  receivedAt: number | null;
  dueAt: number | null;
  transferredAt: number | null;
  resolvedAt: number | null;
  returnedAt: number | null;
  status: string;
  note: string;
}

export const REGISTER_COLUMNS = [
  'Ngày sổ',
  'STT',
  'Mã hồ sơ',
  'Tên thủ tục hành chính',
  'Số lượng hồ sơ (bộ)',
  'Tên cá nhân, tổ chức',
  'Địa chỉ, số điện thoại',
  'Cơ quan chủ trì giải quyết',
  'Ngày nhận hồ sơ',
  'Ngày hẹn trả kết quả',
  'Ngày chuyển hồ sơ',
  'Ngày có kết quả',
  'Ngày trả kết quả',
  'Trạng thái',
  'Ghi chú',
] as const;

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** '13/02/2026 10:05' (the order Excel reads as a date-time in a Vietnamese locale); '' for none. */
function cellTime(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '';
  const p = vnParts(ms);
  return `${formatVnDate(ms)} ${pad2(p.hour)}:${pad2(p.minute)}`;
}

/** 'YYYY-MM-DD' → 'dd/mm/yyyy'. */
const isoToVn = (day: string): string => day.split('-').reverse().join('/');

function noteOf(s: DossierSnapshot): string {
  const parts: string[] = [];
  if (s.state.outcome === 'approved' && s.state.documentNo !== null) parts.push(`Văn bản số ${s.state.documentNo}`);
  if (s.state.outcome === 'denied') parts.push('Không giải quyết');
  if (s.state.apologizedDueAt !== null) parts.push('Đã xin lỗi, hẹn lại');
  if (s.state.conflicts.length > 0) parts.push(`${s.state.conflicts.length} xung đột cần xử lý`);
  return parts.join('; ');
}

/** The register of one day ('YYYY-MM-DD'), in intake order, numbered from 1. */
export function registerRows(snapshots: readonly DossierSnapshot[], day: string): RegisterRow[] {
  return snapshots
    .filter((s) => s.events[0] !== undefined && vnIsoDay(s.events[0].at) === day)
    .map((s) => ({ s, at: s.events[0]?.at ?? 0 }))
    .sort((a, b) => a.at - b.at || (a.s.code < b.s.code ? -1 : a.s.code > b.s.code ? 1 : 0))
    .map(({ s, at }, i) => ({
      seq: i + 1,
      code: s.code,
      procedureName: s.procedureName,
      sets: 1,
      applicantName: s.applicant.name,
      addressPhone: [s.applicant.address, s.applicant.phone].filter((x) => x !== '').join(', '),
      body: s.state.handler?.name ?? '',
      intakeAt: at,
      receivedAt: s.receivedAt,
      dueAt: s.dueAt,
      transferredAt: pick(s, 'transferred')?.at ?? null,
      resolvedAt: s.state.resolvedAt,
      returnedAt: s.state.returnedAt,
      status: statusLabel(s.state.status),
      note: noteOf(s),
    }));
}

function cells(r: RegisterRow): string[] {
  return [
    String(r.seq),
    r.code,
    r.procedureName,
    String(r.sets),
    r.applicantName,
    r.addressPhone,
    r.body,
    cellTime(r.receivedAt),
    cellTime(r.dueAt),
    cellTime(r.transferredAt),
    cellTime(r.resolvedAt),
    cellTime(r.returnedAt),
    r.status,
    r.note,
  ];
}

/**
 * The register as CSV (RFC 4180, CRLF, UTF-8 with a byte order mark so Excel reads Vietnamese): a
 * Vietnamese header row, then one row per dossier, each starting with the register's day so that
 * daily files can be joined into a month.
 */
export function registerCsv(rows: readonly RegisterRow[], day: string): string {
  const d = isoToVn(day);
  return toCsv([[...REGISTER_COLUMNS], ...rows.map((r) => [d, ...cells(r)])], { bom: true });
}

/** The printable register of a day. */
export function registerForm(rows: readonly RegisterRow[], day: string, unitName: string): FormView {
  const [y = 0, m = 1, d = 1] = day.split('-').map(Number);
  return view('07', 'SỔ THEO DÕI HỒ SƠ', {
    issuer: centerIssuer(unitName),
    place: unitName,
    at: Date.UTC(y, m - 1, d, 5), // noon in Vietnam of that day
    fields: [
      { key: 'day', label: 'Ngày', value: isoToVn(day) },
      { key: 'count', label: 'Số hồ sơ', value: String(rows.length) },
    ],
    tables: [{ key: 'register', label: 'Sổ theo dõi hồ sơ', columns: REGISTER_COLUMNS.slice(1), rows: rows.map(cells) }],
  });
}
