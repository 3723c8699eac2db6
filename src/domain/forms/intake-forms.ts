/**
 * The forms of the counter: Mẫu 01 receipt and appointment, Mẫu 02 supplement request, Mẫu 03
 * refusal. Field lists: TT 01/2018-era templates (see model.ts); the labels follow those templates.
 */
import { copyKindLabel, processingTimeLabel, type CopyKind } from '../catalog.ts';
import type { DossierEvent } from '../dossier.ts';
import {
  centerIssuer,
  dataStr,
  dateTime,
  dayNumber,
  missingOf,
  officerName,
  pick,
  view,
  type DossierSnapshot,
  type FormField,
  type FormView,
} from './model.ts';

const kindLabel = (k: string | undefined): string =>
  k === 'original' || k === 'certified_copy' || k === 'copy' ? copyKindLabel(k as CopyKind) : copyKindLabel('original');

/** The applicant block every counter form opens with. */
function applicantFields(s: DossierSnapshot, nameLabel: string): FormField[] {
  const a = s.applicant;
  const contact = [a.phone, a.email ?? ''].filter((x) => x !== '').join(', ');
  return [
    { key: 'applicant', label: nameLabel, value: a.name },
    { key: 'cccd', label: 'Số định danh cá nhân (CCCD)', value: a.cccd },
    { key: 'address', label: 'Địa chỉ', value: a.address },
    { key: 'contact', label: 'Số điện thoại, Email', value: contact },
    { key: 'procedure', label: 'Nội dung yêu cầu giải quyết', value: s.procedureName },
  ];
}

/** The event that started the clock: the receipt, or the supplement that completed the dossier. */
function receiptEvent(s: DossierSnapshot): DossierEvent | undefined {
  return pick(s, 'received') ?? s.events.find((e) => e.type === 'supplement_received' && e.at === s.receivedAt);
}

/** Mẫu 01: Giấy tiếp nhận hồ sơ và hẹn trả kết quả. */
export function receiptForm(s: DossierSnapshot): FormView {
  const at = s.receivedAt ?? s.events[0]?.at ?? 0;
  const received = s.components.filter((c) => c.received);
  const officer = officerName(s, receiptEvent(s)?.officer);
  return view('01', 'GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ', {
    issuer: centerIssuer(s.unitName),
    number: `Số: ${dayNumber(s.code)}/TNHS`,
    place: s.unitName,
    at,
    qr: s.code,
    fields: [
      { key: 'code', label: 'Mã hồ sơ', value: s.code },
      ...applicantFields(s, 'Tiếp nhận hồ sơ của'),
      { key: 'vneid', label: 'Xác thực tài khoản định danh điện tử (VNeID mức 2)', value: s.applicant.vneidVerified === true ? 'Đã xác thực' : 'Chưa xác thực' },
      { key: 'sets', label: '2. Số lượng hồ sơ', value: '01 (bộ)' },
      { key: 'processingTime', label: '3. Thời gian giải quyết hồ sơ theo quy định', value: processingTimeLabel(s) },
      { key: 'receivedAt', label: '4. Thời gian nhận hồ sơ', value: dateTime(s.receivedAt) },
      { key: 'dueAt', label: '5. Thời gian trả kết quả giải quyết hồ sơ', value: dateTime(s.dueAt) },
      { key: 'collectAt', label: '6. Đăng ký nhận kết quả tại', value: s.collectAt ?? `Trung tâm Phục vụ hành chính công ${s.unitName}` },
      { key: 'register', label: 'Vào Sổ theo dõi hồ sơ, Số thứ tự', value: dayNumber(s.code) },
    ],
    tables: [
      {
        key: 'components',
        label: '1. Thành phần hồ sơ nộp gồm',
        columns: ['TT', 'Tên giấy tờ', 'Hình thức (bản chính, bản sao)', 'Số lượng'],
        rows: received.map((c, i) => [String(i + 1), c.name, kindLabel(c.copyKind), String(c.count ?? 1)]),
      },
    ],
    signatures: [
      { title: 'NGƯỜI NỘP HỒ SƠ', name: s.applicant.name },
      { title: 'NGƯỜI TIẾP NHẬN HỒ SƠ', name: officer },
    ],
  });
}

/** Mẫu 02: Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (the latest request, or the one given). */
export function supplementRequestForm(s: DossierSnapshot, eventId?: string): FormView {
  const e = pick(s, 'supplement_requested', eventId);
  const missing = missingOf(e);
  return view('02', 'PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ', {
    issuer: centerIssuer(s.unitName),
    number: `Số: ${dayNumber(s.code)}/HDHS`,
    place: s.unitName,
    at: e?.at ?? s.events[0]?.at ?? 0,
    qr: s.code,
    fields: [
      { key: 'code', label: 'Mã hồ sơ', value: s.code },
      ...applicantFields(s, 'Tiếp nhận hồ sơ của Ông/Bà'),
      { key: 'requestedAt', label: 'Thời gian yêu cầu bổ sung', value: dateTime(e?.at ?? null) },
      { key: 'reason', label: 'Lý do', value: dataStr(e, 'reason') },
      {
        key: 'guidance',
        label: 'Hướng dẫn',
        value:
          'Ông/Bà vui lòng bổ sung, hoàn thiện một lần đầy đủ các giấy tờ nêu trên. Thời gian chờ bổ sung không tính vào ' +
          `thời hạn giải quyết hồ sơ. Tra cứu tình trạng hồ sơ bằng mã ${s.code}.`,
      },
    ],
    tables: [
      {
        key: 'missing',
        label: 'Thành phần hồ sơ cần bổ sung, hoàn thiện',
        columns: ['TT', 'Tên giấy tờ cần bổ sung, hoàn thiện'],
        rows: missing.map((m, i) => [String(i + 1), m]),
      },
    ],
    signatures: [{ title: 'NGƯỜI HƯỚNG DẪN', name: officerName(s, e?.officer) }],
  });
}

/** Mẫu 03: Phiếu từ chối tiếp nhận giải quyết hồ sơ. */
export function refusalForm(s: DossierSnapshot): FormView {
  const e = pick(s, 'refused');
  return view('03', 'PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ', {
    issuer: centerIssuer(s.unitName),
    place: s.unitName,
    at: e?.at ?? s.events[0]?.at ?? 0,
    fields: [
      ...applicantFields(s, 'Tiếp nhận hồ sơ của'),
      { key: 'refusedAt', label: 'Thời gian từ chối', value: dateTime(e?.at ?? null) },
      {
        key: 'reason',
        label: 'Qua xem xét, cơ quan tiếp nhận thông báo không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau',
        value: dataStr(e, 'reason'),
      },
    ],
    signatures: [
      { title: 'NGƯỜI NỘP HỒ SƠ', name: s.applicant.name },
      { title: 'NGƯỜI TIẾP NHẬN HỒ SƠ', name: officerName(s, e?.officer) },
    ],
  });
}
