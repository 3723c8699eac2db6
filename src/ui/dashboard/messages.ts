/** Strings of the leader's dashboard. */
import { defineMessages } from '../i18n/index.ts';

const vi = {
  'dash.title': 'Tổng quan tình hình giải quyết hồ sơ',
  'dash.loading': 'Đang tính…',
  'dash.total': 'Tổng số hồ sơ trên máy',
  'dash.today': 'Tiếp nhận hôm nay',
  'dash.byStatus': 'Theo trạng thái',
  'dash.onTime': 'Tỷ lệ đúng hạn',
  'dash.onTimeMonth': 'Hồ sơ giải quyết xong trong tháng: {ok}/{n} đúng hạn',
  'dash.onTimeNoData': 'Chưa có hồ sơ giải quyết xong trong tháng có đủ dữ liệu thời gian.',
  'dash.running': 'Hồ sơ đang giải quyết còn trong hạn: {ok}/{n}',
  'dash.nearDue': 'Sắp đến hạn (trong 1 ngày làm việc)',
  'dash.overdue': 'Quá hạn',
  'dash.perOfficer': 'Theo cán bộ tiếp nhận',
  'dash.col.officer': 'Cán bộ',
  'dash.col.nearDue': 'Sắp đến hạn',
  'dash.col.overdue': 'Quá hạn',
  'dash.none': 'Không có hồ sơ sắp đến hạn hoặc quá hạn.',
  'dash.showList': 'Xem danh sách',
  'dash.status': 'Trạng thái',
  'dash.count': 'Số hồ sơ',
} as const;

type Key = keyof typeof vi;

const en: Record<Key, string> = {
  'dash.title': 'Dossier processing overview',
  'dash.loading': 'Calculating…',
  'dash.total': 'Dossiers on this device',
  'dash.today': 'Received today',
  'dash.byStatus': 'By status',
  'dash.onTime': 'On-time rate',
  'dash.onTimeMonth': 'Resolved this month: {ok}/{n} on time',
  'dash.onTimeNoData': 'No dossier resolved this month has the timing data yet.',
  'dash.running': 'In progress and within the deadline: {ok}/{n}',
  'dash.nearDue': 'Due within 1 working day',
  'dash.overdue': 'Overdue',
  'dash.perOfficer': 'By receiving officer',
  'dash.col.officer': 'Officer',
  'dash.col.nearDue': 'Due soon',
  'dash.col.overdue': 'Overdue',
  'dash.none': 'No dossier is due soon or overdue.',
  'dash.showList': 'Show the list',
  'dash.status': 'Status',
  'dash.count': 'Dossiers',
};

export const tdb = defineMessages<Key>(vi, en);
