/**
 * Checks an intake form (tiếp nhận hồ sơ) before it becomes a dossier. Every problem is reported
 * at once, per field, in Vietnamese, so the officer can fix the whole form in one pass. Then
 * `intakeOutcome` says whether the dossier is complete or lists everything missing at once
 * ("bổ sung một lần đầy đủ"), for the supplement request (Mẫu 02).
 */
import { COPY_KINDS, componentSpecsOf, copyKindLabel, findProcedure } from './catalog.ts';
import type { CopyKind, Procedure } from './catalog.ts';
import { cccdMessage, checkCccd, compactCccd } from './cccd.ts';
import { normalizePhone } from './phone.ts';

/** Where the applicant lives: one of the province's units, or elsewhere (any-center intake). */
export type Residence = { unit: string } | { elsewhere: string };

export interface IntakeApplicant {
  name: string;
  cccd: string;
  phone: string;
  address: string;
  email?: string;
  /** Identity checked with a level-2 VNeID account. */
  vneidVerified?: boolean;
  residence?: Residence;
}

export interface IntakeComponent {
  name: string;
  received: boolean;
  copyKind?: CopyKind;
  count?: number;
  /** false when the component does not apply to this applicant (e.g. "trường hợp mang thai hộ"). */
  applicable?: boolean;
}

export interface IntakeInput {
  procedureCode: string;
  applicant: IntakeApplicant;
  components: IntakeComponent[];
}

export type IntakeField = 'procedureCode' | 'name' | 'cccd' | 'phone' | 'address' | 'components' | 'email' | 'residence';

export type IntakeResult =
  | { ok: true; value: IntakeInput }
  | { ok: false; errors: Partial<Record<IntakeField, string>> };

export interface IntakeOptions {
  /** The province's units (units.json); when given, a residence unit must be one of them. */
  units?: readonly { code: string }[];
}

const collapse = (s: string): string => s.normalize('NFC').replace(/\s+/g, ' ').trim();
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function checkResidence(r: Residence, opts: IntakeOptions): { value: Residence } | { error: string } {
  if ('unit' in r) {
    const unit = r.unit.trim();
    if (unit === '') return { error: 'Chưa chọn xã, phường nơi cư trú' };
    if (opts.units && !opts.units.some((u) => u.code === unit)) return { error: 'Xã, phường nơi cư trú không có trong danh mục đơn vị hành chính' };
    return { value: { unit } };
  }
  const elsewhere = collapse(r.elsewhere);
  return elsewhere === '' ? { error: 'Chưa nhập nơi cư trú' } : { value: { elsewhere } };
}

function checkComponents(input: readonly IntakeComponent[]): { value: IntakeComponent[] } | { error: string } {
  const out: IntakeComponent[] = [];
  for (const c of input) {
    const name = collapse(c.name);
    if (c.copyKind !== undefined && !COPY_KINDS.includes(c.copyKind)) return { error: `Loại bản của "${name}" không hợp lệ` };
    if (c.count !== undefined && (!Number.isInteger(c.count) || c.count < 1)) return { error: `Số lượng của "${name}" phải là số nguyên dương` };
    const v: IntakeComponent = { name, received: c.received };
    if (c.copyKind !== undefined) v.copyKind = c.copyKind;
    if (c.count !== undefined) v.count = c.count;
    if (c.applicable !== undefined) v.applicable = c.applicable;
    out.push(v);
  }
  return { value: out };
}

export function validateIntake(input: IntakeInput, procs: readonly Procedure[], now: number, opts: IntakeOptions = {}): IntakeResult {
  const errors: Partial<Record<IntakeField, string>> = {};

  const procedureCode = input.procedureCode.trim();
  const procedure = procedureCode === '' ? undefined : findProcedure(procs, procedureCode);
  if (procedureCode === '') errors.procedureCode = 'Chưa chọn thủ tục';
  else if (!procedure) errors.procedureCode = 'Thủ tục không có trong danh mục';

  // NFC so that names typed with combining marks (some keyboards) and precomposed ones are equal.
  const a = input.applicant;
  const name = collapse(a.name);
  if (name === '') errors.name = 'Họ tên không được để trống';

  const cccd = compactCccd(a.cccd);
  const check = checkCccd(cccd, { now });
  if (!check.ok) errors.cccd = cccdMessage(check.reason);

  const rawPhone = a.phone.trim();
  const phone = rawPhone === '' ? '' : normalizePhone(rawPhone);
  if (phone === null) errors.phone = 'Số điện thoại không hợp lệ';

  const address = collapse(a.address);
  if (address === '') errors.address = 'Địa chỉ không được để trống';

  const email = a.email === undefined ? undefined : a.email.trim();
  if (email !== undefined && email !== '' && !EMAIL.test(email)) errors.email = 'Email không hợp lệ';

  const residence = a.residence === undefined ? undefined : checkResidence(a.residence, opts);
  if (residence !== undefined && 'error' in residence) errors.residence = residence.error;

  const components = checkComponents(input.components);
  if ('error' in components) errors.components = components.error;
  else if (procedure && procedure.components.length > 0 && !components.value.some((c) => c.received)) {
    errors.components = 'Chưa đánh dấu thành phần hồ sơ nào đã nhận';
  }

  if (Object.keys(errors).length > 0 || phone === null || 'error' in components) return { ok: false, errors };
  const applicant: IntakeApplicant = { name, cccd, phone, address };
  if (email !== undefined) applicant.email = email;
  if (a.vneidVerified !== undefined) applicant.vneidVerified = a.vneidVerified;
  if (residence !== undefined && 'value' in residence) applicant.residence = residence.value;
  return { ok: true, value: { procedureCode, applicant, components: components.value } };
}

export type IntakeOutcome = { kind: 'complete' } | { kind: 'incomplete'; missing: string[] };

const STRENGTH: Record<CopyKind, number> = { original: 2, certified_copy: 1, copy: 0 };

/**
 * Complete, or every missing component at once, in the catalog's order. Copy kind and count are
 * checked only where the catalog states them (componentSpecs); a component marked not applicable
 * is not required.
 */
export function intakeOutcome(input: IntakeInput, procedure: Procedure): IntakeOutcome {
  const given = new Map(input.components.map((c) => [collapse(c.name), c]));
  const stated = procedure.componentSpecs !== undefined;
  const missing: string[] = [];
  for (const spec of componentSpecsOf(procedure)) {
    const c = given.get(collapse(spec.name));
    if (c?.applicable === false) continue;
    if (c === undefined || !c.received) {
      missing.push(spec.name);
      continue;
    }
    if (!stated) continue;
    if (c.copyKind !== undefined && STRENGTH[c.copyKind] < STRENGTH[spec.copyKind]) {
      missing.push(`${spec.name} (cần ${copyKindLabel(spec.copyKind).toLowerCase()}, đã nhận ${copyKindLabel(c.copyKind).toLowerCase()})`);
    } else if ((c.count ?? 1) < spec.count) {
      missing.push(`${spec.name} (cần ${spec.count} bản, đã nhận ${c.count ?? 1})`);
    }
  }
  return missing.length === 0 ? { kind: 'complete' } : { kind: 'incomplete', missing };
}
