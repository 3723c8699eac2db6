/** Date-times as the forms write them: "10 giờ 05 phút, ngày 13/02/2026" (Vietnam time). */
import { formatVnDate, vnParts } from '../../domain/time.ts';

const pad2 = (n: number): string => String(n).padStart(2, '0');

export function longTime(ms: number): string {
  const p = vnParts(ms);
  return `${pad2(p.hour)} giờ ${pad2(p.minute)} phút, ngày ${formatVnDate(ms)}`;
}

/** A date-time in a table cell: "10:05 13/02/2026". */
export function shortTime(ms: number): string {
  const p = vnParts(ms);
  return `${pad2(p.hour)}:${pad2(p.minute)} ${formatVnDate(ms)}`;
}
