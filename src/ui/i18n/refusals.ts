/** Strings of the notice of changes the data center refused and the device set aside (rule S22). */
import { CloseCode } from '../../protocol/constants.ts';
import { defineMessages } from './index.ts';

const vi = {
  'aside.count': 'Bị từ chối:',
  'aside.countTitle': 'Số thay đổi trung tâm dữ liệu đã từ chối: được giữ trên máy, không gửi lại',
  'aside.title': '{n} thay đổi bị trung tâm dữ liệu từ chối',
  'aside.reasons': 'Lý do: {reasons}.',
  'aside.dossiers': 'Hồ sơ: {codes}.',
  'aside.kept': 'Các thay đổi này vẫn được giữ trên máy và không gửi lại; các thay đổi khác vẫn đồng bộ bình thường. Quản trị viên đồng bộ đã được báo.',
  'aside.reason.4403': 'ngoài phạm vi của đơn vị',
  'aside.reason.4421': 'ghi bằng danh tính thiết bị khác',
  'aside.reason.4423': 'chuyển hồ sơ không có sự kiện chuyển',
  'aside.reason.4413': 'hồ sơ vượt dung lượng',
  'aside.reason.1009': 'quá lớn để gửi',
  'aside.reason.4400': 'dữ liệu không đọc được',
  'aside.reason.4404': 'tên hồ sơ không hợp lệ',
  'aside.reason.4422': 'ghi vào phần chỉ máy chủ được ghi',
  'aside.reason.other': 'bị từ chối (mã {code})',
} as const;

type Key = keyof typeof vi;

const en: Record<Key, string> = {
  'aside.count': 'Refused:',
  'aside.countTitle': 'Changes the data center refused: kept on this device, not sent again',
  'aside.title': '{n} changes refused by the data center',
  'aside.reasons': 'Reason: {reasons}.',
  'aside.dossiers': 'Dossiers: {codes}.',
  'aside.kept': 'These changes are kept on this device and not sent again; every other change keeps syncing. The sync administrators have been told.',
  'aside.reason.4403': 'outside the unit’s scope',
  'aside.reason.4421': 'written under another device’s identity',
  'aside.reason.4423': 'a transfer without its transfer event',
  'aside.reason.4413': 'the dossier is over its size limit',
  'aside.reason.1009': 'too large to send',
  'aside.reason.4400': 'unreadable data',
  'aside.reason.4404': 'an invalid dossier name',
  'aside.reason.4422': 'writes what only the server writes',
  'aside.reason.other': 'refused (code {code})',
};

export const ta = defineMessages<Key>(vi, en);

const NAMED: ReadonlySet<number> = new Set([
  CloseCode.Forbidden,
  CloseCode.ForeignWriter,
  CloseCode.UngrantedTransfer,
  CloseCode.DocTooLarge,
  CloseCode.MessageTooBig,
  CloseCode.BadFrame,
  CloseCode.UnknownDoc,
  CloseCode.ServerRoot,
]);

/** Why the data center refused a change, from the close code it refused it with (SyncStatus.setAsideCodes). */
export function refusalReason(code: number): string {
  return NAMED.has(code) ? ta(`aside.reason.${code}` as Key) : ta('aside.reason.other', { code });
}
