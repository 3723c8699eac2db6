/**
 * An intake (S1): validated against the catalog, numbered, written with its list row and outbox row in
 * one IndexedDB transaction, and answered with what the receipt (or the supplement or refusal form)
 * shows. The caller (api.ts) checked the device and the session.
 */
import { processingTime, type Procedure } from '../domain/catalog.ts';
import { dueAt, type WorkCalendar } from '../domain/calendar.ts';
import type { DossierEvent } from '../domain/dossier.ts';
import { formatDossierCode } from '../domain/dossier-code.ts';
import { validateIntake } from '../domain/intake.ts';
import { vnDayKey } from '../domain/time.ts';
import * as Y from 'yjs';
import { dossierDocName } from '../protocol/doc-names.ts';
import { newDossierDoc, writerIdOf } from './dossier-doc.ts';
import type { DeviceInfo, LocalStore } from './local-store.ts';
import type { Failure, IntakeDecision, IntakeInput, Outcome, Receipt, Session } from './types.ts';

export interface IntakeDeps {
  readonly store: LocalStore;
  readonly now: () => number;
  readonly calendar: () => WorkCalendar | null;
  readonly procedures: () => Promise<Procedure[]>;
}

/** Who takes it in, and when the worker got the call (performance.now(), for 'intake-worker'). */
export interface IntakeBy {
  readonly device: DeviceInfo;
  readonly session: Session;
  readonly startedAt: number;
}

const fail = (reason: string, message: string, fieldErrors?: Record<string, string>): Failure =>
  fieldErrors === undefined ? { ok: false, reason, message } : { ok: false, reason, message, fieldErrors };

function dueFor(d: IntakeDeps, receivedAt: number, time: ReturnType<typeof processingTime>): number | null {
  const cal = d.calendar();
  return cal === null ? null : dueAt(cal, { receivedAt, ...time, pauses: [] });
}

/** Validates, numbers and writes the dossier; resolves once it is durable (S1). */
export async function takeIn(d: IntakeDeps, by: IntakeBy, input: IntakeInput, decision: IntakeDecision): Promise<Outcome<Receipt>> {
  const { device, session, startedAt } = by;
  const now = d.now();
  const procs = await d.procedures();
  const checked = validateIntake(input, procs, now);
  if (!checked.ok) {
    // A supplement request or a refusal is exactly the case where the checklist is not complete.
    const { components: _ignored, ...rest } = checked.errors;
    const errors = decision.kind === 'receive' ? checked.errors : rest;
    if (Object.keys(errors).length > 0) return fail('invalid', 'Hồ sơ chưa hợp lệ, vui lòng kiểm tra các trường được đánh dấu.', errors);
  }
  if (decision.kind === 'supplement' && decision.missing.length === 0) {
    return fail('invalid', 'Phiếu yêu cầu bổ sung phải liệt kê đầy đủ các thành phần còn thiếu.');
  }
  if (decision.kind !== 'receive' && decision.reason.trim() === '') return fail('invalid', 'Cần ghi rõ lý do.');
  const value = checked.ok ? checked.value : normaliseLoosely(input);
  const procedure = procs.find((p) => p.code === value.procedureCode);
  if (procedure === undefined) return fail('invalid', 'Thủ tục không có trong danh mục.', { procedureCode: 'Thủ tục không có trong danh mục' });
  const id = crypto.randomUUID();
  const docName = dossierDocName(device.unit, id);
  const day = vnDayKey(now);
  const time = processingTime(procedure);
  const due = decision.kind === 'receive' ? dueFor(d, now, time) : null;
  const event = intakeEvent(decision, {
    id: crypto.randomUUID(),
    at: now,
    officer: session.officerId,
    officerName: session.displayName,
    device: device.deviceId,
  });
  let code = '';
  const writeAt = performance.now();
  try {
    await d.store.commitNewDossier(
      day,
      device.ordinal,
      (n) => {
        code = formatDossierCode(device.unit, day, n);
        const doc = newDossierDoc(
          {
            code,
            unit: device.unit,
            procedureCode: value.procedureCode,
            procedureName: procedure.name,
            name: value.applicant.name,
            cccd: value.applicant.cccd,
            phone: value.applicant.phone,
            address: value.applicant.address,
            receivedAt: now,
            components: JSON.stringify(value.components),
            email: value.applicant.email ?? '',
            vneidVerified: value.applicant.vneidVerified ?? false,
            residence: residenceText(value.applicant.residence),
            processingDays: time.processingDays,
            processingHours: time.processingHours,
            sameDay15h: time.sameDay15hRule,
            dueAt: due ?? 0,
          },
          event,
          writerIdOf(device.deviceId),
        );
        return { docName, update: Y.encodeStateAsUpdate(doc), doc };
      },
      now,
    );
  } catch (e) {
    if (isQuotaError(e)) return fail('storage_full', 'Bộ nhớ của máy đã đầy: hồ sơ CHƯA được lưu. Hãy giải phóng dung lượng rồi thử lại.');
    return fail('write_failed', `Không lưu được hồ sơ: ${e instanceof Error ? e.message : String(e)}. Hồ sơ CHƯA được tiếp nhận.`);
  }
  performance.measure('intake-write', { start: writeAt });
  performance.measure('intake-worker', { start: startedAt });
  return {
    ok: true,
    value: {
      kind: decision.kind,
      dueAt: due,
      missing: decision.kind === 'supplement' ? decision.missing : [],
      reason: decision.kind === 'receive' ? '' : decision.reason,
      processingDays: procedure.processingDays,
      id,
      code,
      unit: device.unit,
      unitName: device.unitName,
      receivedAt: now,
      procedureCode: value.procedureCode,
      procedureName: procedure.name,
      applicant: value.applicant,
      components: value.components,
      officerName: session.displayName,
    },
  };
}

function isQuotaError(e: unknown): boolean {
  const err = e as { name?: string; inner?: { name?: string } } | null;
  return err?.name === 'QuotaExceededError' || err?.inner?.name === 'QuotaExceededError';
}

function intakeEvent(decision: IntakeDecision, base: Omit<DossierEvent, 'type'>): DossierEvent {
  switch (decision.kind) {
    case 'receive':
      return { ...base, type: 'received' };
    case 'supplement':
      return { ...base, type: 'supplement_requested', data: { missing: JSON.stringify(decision.missing), reason: decision.reason, atIntake: true } };
    case 'refuse':
      return { ...base, type: 'refused', data: { reason: decision.reason, atIntake: true } };
  }
}

function residenceText(r: IntakeInput['applicant']['residence']): string {
  if (r === undefined) return '';
  return 'unit' in r ? r.unit : r.elsewhere;
}

/** The input as typed, trimmed, for a supplement request or a refusal that failed only the checklist rule. */
function normaliseLoosely(input: IntakeInput): IntakeInput {
  return { ...input, procedureCode: input.procedureCode.trim(), applicant: { ...input.applicant, name: input.applicant.name.trim() } };
}

