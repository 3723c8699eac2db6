/**
 * Mẫu 06: Phiếu kiểm soát quá trình giải quyết hồ sơ: the dossier's event log as the control sheet,
 * one row per step, with who did it, the device time and, once synced, the server time.
 */
import { eventLabel, ratingLabel, type DossierConflict } from '../../domain/dossier.ts';
import { vnIsoDay } from '../../domain/time.ts';
import type { ViewEvent } from '../../worker/types.ts';
import { centerIssuer, dataNum, dataStr, missingOf, placeOf, type DossierBasics } from './model.ts';
import { Sheet, Signatures } from './Sheet.tsx';
import { longTime, shortTime } from './text.ts';

/** Trước hạn / đúng hạn / quá hạn, for the steps that end the processing. */
export function timeliness(at: number, dueAt: number | null): string {
  if (dueAt === null) return '';
  if (at > dueAt) return 'Quá hạn';
  return vnIsoDay(at) < vnIsoDay(dueAt) ? 'Trước hạn' : 'Đúng hạn';
}

/** What a step says beyond its name: the body, the reason, the document number, the rating. */
export function eventDetail(e: ViewEvent): string {
  const parts: string[] = [];
  const name = dataStr(e, 'name');
  if (name !== '') parts.push(`Đến: ${name}`);
  const missing = missingOf(e);
  if (missing.length > 0) parts.push(`Cần bổ sung: ${missing.join('; ')}`);
  const doc = dataStr(e, 'documentNo');
  if (doc !== '') parts.push(`Văn bản số ${doc}`);
  if (dataStr(e, 'outcome') === 'denied') parts.push('Không giải quyết');
  const reason = dataStr(e, 'reason');
  if (reason !== '') parts.push(`Lý do: ${reason}`);
  const newDue = dataNum(e, 'newDueAt');
  if (newDue !== null) parts.push(`Hẹn lại: ${shortTime(newDue)}`);
  const rating = dataStr(e, 'rating');
  if (rating !== '') parts.push(`Đánh giá: ${ratingLabel(rating)}`);
  if (e.note !== undefined && e.note !== '') parts.push(e.note);
  return parts.join('. ');
}

/** The body holding the dossier when the step happened: the center until a transfer names another. */
function bodies(events: readonly ViewEvent[], center: string): string[] {
  let current = center;
  return events.map((e) => {
    if (e.type === 'transferred') {
      const from = current;
      current = dataStr(e, 'name') || current;
      return from;
    }
    return current;
  });
}

export function Form06({ d, events, conflicts }: { d: DossierBasics; events: ViewEvent[]; conflicts: DossierConflict[] }) {
  const center = `Trung tâm PVHCC ${d.unitName}`;
  const where = bodies(events, center);
  const conflicted = new Set(conflicts.map((c) => c.eventId));
  return (
    <Sheet
      form="06"
      testId="form-06"
      issuer={centerIssuer(d.unitName)}
      place={placeOf(d.unitName)}
      date={events[events.length - 1]?.at ?? d.receivedAt}
      title="PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ"
      subtitle={<>Mã hồ sơ: <strong>{d.code}</strong></>}
    >
      <p class="italic center">(Liên: lưu tại Bộ phận Một cửa / cơ quan giải quyết)</p>
      <p>
        Người nộp: <strong>{d.applicant.name}</strong> – Thủ tục: {d.procedureName}
      </p>
      <p>
        Nhận hồ sơ: {longTime(d.receivedAt)}. Hẹn trả kết quả: {d.dueAt === null ? '..........' : longTime(d.dueAt)}
      </p>
      <table class="lines control" data-testid="form-timeline">
        <thead>
          <tr>
            <th scope="col">TT</th>
            <th scope="col">Tên cơ quan</th>
            <th scope="col">Bước xử lý</th>
            <th scope="col">Thời gian (máy / máy chủ)</th>
            <th scope="col">Người thực hiện (ký)</th>
            <th scope="col">Kết quả</th>
            <th scope="col">Ghi chú</th>
          </tr>
        </thead>
        <tbody>
          {events.map((e, i) => (
            <tr key={e.id} data-testid="form-timeline-row" class={conflicted.has(e.id) ? 'conflict' : undefined}>
              <td class="num">{i + 1}</td>
              <td>{where[i]}</td>
              <td>{eventLabel(e.type)}</td>
              <td>
                {shortTime(e.at)}
                {e.serverAt !== null && <div class="small">Máy chủ: {shortTime(e.serverAt)}</div>}
              </td>
              <td>{e.officerName}</td>
              <td>{e.type === 'resolved' || e.type === 'returned' ? timeliness(e.at, d.dueAt) : ''}</td>
              <td>
                {eventDetail(e)}
                {conflicted.has(e.id) && <strong> (Xung đột – cần người xử lý)</strong>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <Signatures blocks={[{ title: 'NGƯỜI LẬP PHIẾU' }, { title: 'LÃNH ĐẠO TRUNG TÂM', hint: '(Ký, ghi rõ họ tên)' }]} />
    </Sheet>
  );
}
