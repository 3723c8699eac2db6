/**
 * The forms of processing: Mẫu 04 apology and new date (TT 01/2018 "Phiếu xin lỗi và hẹn lại ngày
 * trả kết quả" fields), Mẫu 05 stop-processing notice (new in TT 03/2025, fields NOT retrieved:
 * composed from what the stop records) and Mẫu 06 processing control sheet (TT 01/2018 Mẫu 05
 * columns: body, handover time, result before/on/after the due date, note).
 */
import { eventLabel, ratingLabel } from '../dossier-labels.ts';
import type { DossierEvent } from '../dossier.ts';
import {
  centerIssuer,
  dataNum,
  dataStr,
  dateTime,
  missingOf,
  officerName,
  pick,
  timeliness,
  view,
  type DossierSnapshot,
  type FormView,
} from './model.ts';

/** The body holding the dossier at each event: the center until a transfer names another. */
export function bodiesAt(s: DossierSnapshot): string[] {
  const center = `Trung tâm Phục vụ hành chính công ${s.unitName}`;
  let current = center;
  return s.events.map((e) => {
    // The result comes back to the receiving center, which returns it to the citizen.
    if (e.type === 'returned') current = center;
    const here = current;
    if (e.type === 'transferred' && !isConflict(s, e)) current = dataStr(e, 'name') || current;
    return here;
  });
}

const isConflict = (s: DossierSnapshot, e: DossierEvent): boolean => s.state.conflicts.some((c) => c.eventId === e.id);

/** The body that held the dossier at an event (the center when none or unknown), as written. */
function bodyAt(s: DossierSnapshot, e: DossierEvent | undefined): string {
  const i = e === undefined ? -1 : s.events.indexOf(e);
  return (i < 0 ? undefined : bodiesAt(s)[i]) ?? `Trung tâm Phục vụ hành chính công ${s.unitName}`;
}

/** The issuer of a body's letter: the body that held the dossier when it wrote. */
function bodyIssuer(s: DossierSnapshot, e: DossierEvent | undefined): FormView['issuer'] {
  const body = bodyAt(s, e);
  if (body.startsWith('Trung tâm Phục vụ')) return centerIssuer(s.unitName);
  return { parent: `ỦY BAN NHÂN DÂN ${s.unitName.toUpperCase()}`, name: body.toUpperCase() };
}

/** The appointment in force just before an event: the latest earlier apology, else the statutory date. */
export function dueBefore(s: DossierSnapshot, e: DossierEvent): number | null {
  let due = s.baseDueAt ?? s.dueAt;
  for (const x of s.events) {
    if (x === e) break;
    const d = dataNum(x, 'newDueAt');
    if (x.type === 'apologized' && d !== null && !isConflict(s, x)) due = d;
  }
  return due;
}

const recipients = (s: DossierSnapshot): string =>
  `- Ông/Bà ${s.applicant.name};\n- Trung tâm Phục vụ hành chính công ${s.unitName};\n- Lưu: VT.`;

/** Mẫu 04: Văn bản xin lỗi và hẹn lại ngày trả kết quả (the latest apology, or the one given). */
export function apologyForm(s: DossierSnapshot, eventId?: string): FormView {
  const e = pick(s, 'apologized', eventId);
  const previous = dataNum(e, 'previousDueAt') ?? (e === undefined ? s.baseDueAt : dueBefore(s, e));
  return view('04', 'VĂN BẢN XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ', {
    issuer: bodyIssuer(s, e),
    place: s.unitName,
    at: e?.at ?? 0,
    fields: [
      { key: 'addressee', label: 'Kính gửi', value: `Ông/Bà ${s.applicant.name}` },
      { key: 'procedure', label: 'Thủ tục hành chính', value: s.procedureName },
      { key: 'code', label: 'Mã hồ sơ', value: s.code },
      { key: 'receivedAt', label: 'Ngày tiếp nhận hồ sơ', value: dateTime(s.receivedAt) },
      { key: 'previousDueAt', label: 'Ngày hẹn trả kết quả ban đầu', value: dateTime(previous) },
      { key: 'reason', label: 'Lý do chậm trả kết quả', value: dataStr(e, 'reason') },
      {
        key: 'apology',
        label: 'Lời xin lỗi',
        value: `${bodyAt(s, e)} xin lỗi Ông/Bà vì sự chậm trễ này và hẹn trả kết quả vào thời gian dưới đây.`,
      },
      { key: 'newDueAt', label: 'Thời gian hẹn trả kết quả lại', value: dateTime(dataNum(e, 'newDueAt')) },
      { key: 'recipients', label: 'Nơi nhận', value: recipients(s) },
    ],
    signatures: [{ title: 'THỦ TRƯỞNG CƠ QUAN GIẢI QUYẾT', name: officerName(s, e?.officer) }],
  });
}

/** Mẫu 05: Thông báo dừng giải quyết hồ sơ. Fields composed here: the 2025 layout was not retrieved. */
export function stopNoticeForm(s: DossierSnapshot): FormView {
  const e = pick(s, 'stopped');
  return view('05', 'THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ', {
    issuer: bodyIssuer(s, e),
    place: s.unitName,
    at: e?.at ?? 0,
    fields: [
      { key: 'addressee', label: 'Kính gửi', value: `Ông/Bà ${s.applicant.name}` },
      { key: 'procedure', label: 'Thủ tục hành chính', value: s.procedureName },
      { key: 'code', label: 'Mã hồ sơ', value: s.code },
      { key: 'receivedAt', label: 'Ngày tiếp nhận hồ sơ', value: dateTime(s.receivedAt) },
      { key: 'stoppedAt', label: 'Thời gian dừng giải quyết', value: dateTime(e?.at ?? null) },
      { key: 'reason', label: 'Lý do dừng giải quyết hồ sơ', value: dataStr(e, 'reason') },
      { key: 'collect', label: 'Nhận lại hồ sơ tại', value: s.collectAt ?? `Trung tâm Phục vụ hành chính công ${s.unitName}` },
      { key: 'recipients', label: 'Nơi nhận', value: recipients(s) },
    ],
    signatures: [{ title: 'THỦ TRƯỞNG CƠ QUAN GIẢI QUYẾT', name: officerName(s, e?.officer) }],
  });
}

/** What a step says beyond its name: the body, the missing list, the result, the reason, the rating. */
export function eventDetail(e: DossierEvent): string {
  const parts: string[] = [];
  const name = dataStr(e, 'name');
  if (e.type === 'transferred' && name !== '') parts.push(`Chuyển đến: ${name}`);
  const missing = missingOf(e);
  if (missing.length > 0) parts.push(`Cần bổ sung: ${missing.join('; ')}`);
  const outcome = dataStr(e, 'outcome');
  if (outcome === 'approved') parts.push(`Kết quả: văn bản số ${dataStr(e, 'documentNo')}`);
  if (outcome === 'denied') parts.push('Kết quả: không giải quyết');
  const reason = dataStr(e, 'reason');
  if (reason !== '') parts.push(`Lý do: ${reason}`);
  const newDue = dataNum(e, 'newDueAt');
  if (newDue !== null) parts.push(`Hẹn lại: ${dateTime(newDue)}`);
  const rating = dataStr(e, 'rating');
  if (rating !== '') parts.push(`Đánh giá: ${ratingLabel(rating)}`);
  if (e.note !== undefined && e.note !== '') parts.push(e.note);
  return parts.join('. ');
}

/** Mẫu 06: Phiếu kiểm soát quá trình giải quyết hồ sơ: the event timeline, each step judged against the due date in force. */
export function controlSheetForm(s: DossierSnapshot): FormView {
  const bodies = bodiesAt(s);
  const last = s.events[s.events.length - 1];
  const rows = s.events.map((e, i) => {
    const conflict = isConflict(s, e);
    const server = e.serverAt === undefined ? '' : ` (máy chủ: ${dateTime(e.serverAt)})`;
    const note = [eventDetail(e), conflict ? 'Xung đột – cần người xử lý' : ''].filter((x) => x !== '').join('. ');
    const result = conflict || s.receivedAt === null || e.at < s.receivedAt ? '' : timeliness(e.at, dueBefore(s, e));
    return [String(i + 1), bodies[i] ?? '', eventLabel(e.type), dateTime(e.at) + server, officerName(s, e.officer), result, note];
  });
  return view('06', 'PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ', {
    issuer: centerIssuer(s.unitName),
    place: s.unitName,
    at: last?.at ?? 0,
    qr: s.code,
    fields: [
      { key: 'code', label: 'Mã hồ sơ', value: s.code },
      { key: 'copy', label: 'Liên', value: 'Lưu tại Bộ phận Một cửa / cơ quan giải quyết' },
      { key: 'applicant', label: 'Người nộp hồ sơ', value: s.applicant.name },
      { key: 'procedure', label: 'Thủ tục hành chính', value: s.procedureName },
      { key: 'receivedAt', label: 'Thời gian nhận hồ sơ', value: dateTime(s.receivedAt) },
      { key: 'dueAt', label: 'Thời gian hẹn trả kết quả', value: dateTime(s.dueAt) },
    ],
    tables: [
      {
        key: 'timeline',
        label: 'Quá trình giải quyết hồ sơ',
        columns: ['TT', 'Tên cơ quan', 'Bước xử lý', 'Thời gian giao, nhận', 'Người thực hiện', 'Kết quả (trước hạn/đúng hạn/quá hạn)', 'Ghi chú'],
        rows,
      },
    ],
    signatures: [
      { title: 'NGƯỜI LẬP PHIẾU', name: officerName(s, s.events[0]?.officer) },
      { title: 'LÃNH ĐẠO TRUNG TÂM', name: '' },
    ],
  });
}
