/**
 * Mẫu 07: Sổ theo dõi hồ sơ (the day's register). The column list of Circular 03/2025 was not
 * verified (forms.json); these are the columns of the earlier register, from what the projection holds.
 */
import type { DossierRow } from '../../db/schema.ts';
import { statusLabel, type DossierStatus } from '../../domain/dossier.ts';
import { formatVnDate } from '../../domain/time.ts';
import { centerIssuer, placeOf } from './model.ts';
import { Sheet } from './Sheet.tsx';
import { shortTime } from './text.ts';

export const REGISTER_COLUMNS = [
  'STT',
  'Mã hồ sơ',
  'Tên thủ tục hành chính',
  'Người nộp hồ sơ',
  'Số điện thoại',
  'Ngày, giờ nhận hồ sơ',
  'Ngày, giờ hẹn trả kết quả',
  'Cơ quan giải quyết',
  'Tình trạng',
  'Ghi chú',
] as const;

/** One register line per dossier, as the printed table and the CSV show it. */
export function registerLine(r: DossierRow, i: number): string[] {
  return [
    String(i + 1),
    r.code,
    r.procedureName,
    r.applicantName,
    r.phone,
    shortTime(r.receivedAt),
    r.dueAt > 0 ? shortTime(r.dueAt) : '',
    r.handler || 'Trung tâm PVHCC',
    statusLabel(r.status as DossierStatus),
    r.conflict > 0 ? 'Có xung đột, cần xử lý' : '',
  ];
}

export function Form07({ unitName, day, rows }: { unitName: string; day: number; rows: DossierRow[] }) {
  return (
    <div class="register">
      <Sheet
        form="07"
        testId="form-07"
        issuer={centerIssuer(unitName)}
        place={placeOf(unitName)}
        date={day}
        title="SỔ THEO DÕI HỒ SƠ"
        subtitle={<>Ngày {formatVnDate(day)} – {rows.length} hồ sơ</>}
      >
        <table class="lines" data-testid="register-table">
          <thead>
            <tr>
              {REGISTER_COLUMNS.map((c) => (
                <th scope="col" key={c}>
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={r.id} data-testid="register-row" data-code={r.code}>
                {registerLine(r, i).map((cell, j) => (
                  <td key={j} class={j === 0 ? 'num' : undefined}>
                    {cell}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </Sheet>
    </div>
  );
}
