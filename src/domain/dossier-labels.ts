/** Vietnamese names of dossier statuses and events, as officers and citizens read them. */
import type { DossierEventType, DossierStatus } from './dossier-types.ts';
import { assertNever } from './errors.ts';

export function statusLabel(s: DossierStatus | 'empty'): string {
  switch (s) {
    case 'empty':
      return 'Chưa tiếp nhận';
    case 'received':
      return 'Đã tiếp nhận';
    case 'supplement_requested':
      return 'Chờ bổ sung hồ sơ';
    case 'refused':
      return 'Đã từ chối';
    case 'processing':
      return 'Đang xử lý';
    case 'resolved':
      return 'Đã giải quyết xong';
    case 'returned':
      return 'Đã trả kết quả';
    case 'withdrawn':
      return 'Đã rút hồ sơ';
    case 'stopped':
      return 'Đã dừng giải quyết';
    default:
      return assertNever(s, 'dossier status');
  }
}

export function eventLabel(t: DossierEventType): string {
  switch (t) {
    case 'received':
      return 'Tiếp nhận';
    case 'supplement_requested':
      return 'Yêu cầu bổ sung';
    case 'supplement_received':
      return 'Nhận hồ sơ bổ sung';
    case 'refused':
      return 'Từ chối';
    case 'transferred':
      return 'Chuyển xử lý';
    case 'accepted':
      return 'Nhận xử lý';
    case 'resolved':
      return 'Giải quyết xong';
    case 'returned':
      return 'Trả kết quả';
    case 'withdrawn':
      return 'Rút hồ sơ';
    case 'apologized':
      return 'Xin lỗi và hẹn lại ngày trả';
    case 'stopped':
      return 'Dừng giải quyết';
    default:
      return assertNever(t, 'dossier event type');
  }
}

/** Satisfaction at the return of the result (Quyết định 766/QĐ-TTg wording). */
export function ratingLabel(r: string): string {
  switch (r) {
    case 'very_satisfied':
      return 'Rất hài lòng';
    case 'satisfied':
      return 'Hài lòng';
    case 'unsatisfied':
      return 'Không hài lòng';
    default:
      return r;
  }
}
