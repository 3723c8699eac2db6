/** UI strings around the printed forms (the forms themselves are Vietnamese documents). */
import { defineMessages } from '../i18n/index.ts';

const vi = {
  'register.title': 'Sổ theo dõi hồ sơ (Mẫu 07)',
  'register.day': 'Ngày (dd/mm/yyyy)',
  'register.show': 'Xem',
  'register.prev': 'Ngày trước',
  'register.next': 'Ngày sau',
  'register.badDay': 'Ngày không hợp lệ, hãy nhập theo dạng dd/mm/yyyy.',
  'register.csv': 'Tải về CSV',
  'register.count': '{n} hồ sơ',
  'register.reading': 'Đang đọc hồ sơ của ngày ({n})…',
} as const;

type Key = keyof typeof vi;

const en: Record<Key, string> = {
  'register.title': 'Dossier register (Form 07)',
  'register.day': 'Day (dd/mm/yyyy)',
  'register.show': 'Show',
  'register.prev': 'Previous day',
  'register.next': 'Next day',
  'register.badDay': 'Not a valid day: type it as dd/mm/yyyy.',
  'register.csv': 'Download CSV',
  'register.count': '{n} dossier(s)',
  'register.reading': 'Reading the day’s dossiers ({n})…',
};

export const tr = defineMessages<Key>(vi, en);
