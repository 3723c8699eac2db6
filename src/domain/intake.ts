/**
 * Checks an intake form (tiếp nhận hồ sơ) before it becomes a dossier. Every problem is reported
 * at once, per field, in Vietnamese, so the officer can fix the whole form in one pass.
 */
import { findProcedure } from './catalog.ts';
import type { Procedure } from './catalog.ts';
import { cccdMessage, checkCccd, compactCccd } from './cccd.ts';
import { normalizePhone } from './phone.ts';

export interface IntakeInput {
  procedureCode: string;
  applicant: { name: string; cccd: string; phone: string; address: string };
  components: { name: string; received: boolean }[];
}

export type IntakeField = 'procedureCode' | 'name' | 'cccd' | 'phone' | 'address' | 'components';

export type IntakeResult =
  | { ok: true; value: IntakeInput }
  | { ok: false; errors: Partial<Record<IntakeField, string>> };

const collapse = (s: string): string => s.replace(/\s+/g, ' ').trim();

export function validateIntake(input: IntakeInput, procs: readonly Procedure[], now: number): IntakeResult {
  const errors: Partial<Record<IntakeField, string>> = {};

  const procedureCode = input.procedureCode.trim();
  const procedure = procedureCode === '' ? undefined : findProcedure(procs, procedureCode);
  if (procedureCode === '') errors.procedureCode = 'Chưa chọn thủ tục';
  else if (!procedure) errors.procedureCode = 'Thủ tục không có trong danh mục';

  // NFC so that names typed with combining marks (some keyboards) and precomposed ones are equal.
  const name = collapse(input.applicant.name.normalize('NFC'));
  if (name === '') errors.name = 'Họ tên không được để trống';

  const cccd = compactCccd(input.applicant.cccd);
  const check = checkCccd(cccd, { now });
  if (!check.ok) errors.cccd = cccdMessage(check.reason);

  const rawPhone = input.applicant.phone.trim();
  const phone = rawPhone === '' ? '' : normalizePhone(rawPhone);
  if (phone === null) errors.phone = 'Số điện thoại không hợp lệ';

  const address = collapse(input.applicant.address.normalize('NFC'));
  if (address === '') errors.address = 'Địa chỉ không được để trống';

  const components = input.components.map((c) => ({ name: collapse(c.name), received: c.received }));
  if (procedure && procedure.components.length > 0 && !components.some((c) => c.received)) {
    errors.components = 'Chưa đánh dấu thành phần hồ sơ nào đã nhận';
  }

  if (Object.keys(errors).length > 0 || phone === null) return { ok: false, errors };
  return { ok: true, value: { procedureCode, applicant: { name, cccd, phone, address }, components } };
}
