/**
 * CONTRACT (types fixed; the functions are implemented by the domain work of issue 3):
 * what an officer can do to a dossier, as actions that become events in its log.
 *
 * The worker calls `buildEvent` inside the transaction that appends the event to the dossier's doc;
 * the UI calls `allowedActions` to offer only what makes sense now. Concurrent offline actions that
 * turn out impossible once merged are not prevented here: the reducer flags them as conflicts.
 */
import type { DossierEvent, DossierState, DossierStatus } from './dossier.ts';
import { isFinalStatus, statusLabel } from './dossier.ts';
import { assertNever, fail, ok } from './errors.ts';
import type { Result } from './errors.ts';
import { formatVnDateTime } from './time.ts';

export type OfficerRole = 'counter' | 'processing' | 'leader';
export type Rating = 'very_satisfied' | 'satisfied' | 'unsatisfied';

/** Where a dossier is sent for processing. `unit` is set when the body is another commune (any-center). */
export interface ProcessingBody {
  kind: 'commune_office' | 'city_department' | 'other_commune';
  name: string;
  unit?: string;
}

export type WorkflowAction =
  | { type: 'transfer'; to: ProcessingBody; note?: string }
  | { type: 'accept'; note?: string }
  | { type: 'request_supplement'; missing: string[]; reason: string }
  | { type: 'supplement_received'; note?: string }
  | { type: 'resolve'; outcome: 'approved'; documentNo: string; note?: string }
  | { type: 'resolve'; outcome: 'denied'; reason: string }
  | { type: 'stop'; reason: string }
  | { type: 'apologize'; newDueAt: number; reason: string }
  | { type: 'withdraw'; reason: string }
  | { type: 'return_result'; rating?: Rating; note?: string };

export type WorkflowActionType = WorkflowAction['type'];

export interface ActionContext {
  eventId: string;
  now: number;
  officer: string;
  device: string;
  role: OfficerRole;
}

/** Every action, in the order the UI offers them. */
export const WORKFLOW_ACTION_TYPES: readonly WorkflowActionType[] = [
  'transfer',
  'accept',
  'request_supplement',
  'supplement_received',
  'resolve',
  'apologize',
  'stop',
  'withdraw',
  'return_result',
];

const ROLE_ACTIONS: Record<OfficerRole, readonly WorkflowActionType[]> = {
  counter: ['transfer', 'request_supplement', 'supplement_received', 'withdraw', 'return_result'],
  processing: ['accept', 'request_supplement', 'resolve', 'stop', 'apologize'],
  leader: WORKFLOW_ACTION_TYPES,
};

type Status = DossierStatus | 'empty';
const OPEN: readonly Status[] = ['received', 'supplement_requested', 'processing'];

/** Whether the action makes sense in this state for this role (the role's list is checked apart). */
function fits(type: WorkflowActionType, state: DossierState, role: OfficerRole): boolean {
  const s = state.status;
  switch (type) {
    case 'transfer':
      // The counter sends a fresh dossier; re-routing one already in processing is a leader's call.
      return s === 'received' || (role === 'leader' && s === 'processing');
    case 'accept':
      return s === 'received' || (s === 'processing' && state.acceptedAt === null);
    case 'request_supplement':
      // At the counter only before the transfer; the processing body asks during processing.
      if (role === 'counter') return s === 'received';
      if (role === 'processing') return s === 'processing';
      return s === 'received' || s === 'processing';
    case 'supplement_received':
      return s === 'supplement_requested';
    case 'resolve':
      return s === 'received' || s === 'processing';
    case 'apologize':
    case 'stop':
      // Only once received: a dossier still incomplete at intake has no deadline to miss.
      return OPEN.includes(s) && state.receivedAt !== null;
    case 'withdraw':
      return OPEN.includes(s);
    case 'return_result':
      return s === 'resolved';
    default:
      return assertNever(type, 'workflow action');
  }
}

/**
 * What `role` may do to a dossier in `state` now, in WORKFLOW_ACTION_TYPES order; nothing before
 * receipt or after a final status.
 */
export function allowedActions(state: DossierState, role: OfficerRole): WorkflowActionType[] {
  if (state.status === 'empty' || isFinalStatus(state.status)) return [];
  return WORKFLOW_ACTION_TYPES.filter((t) => ROLE_ACTIONS[role].includes(t) && fits(t, state, role));
}

export function actionLabel(type: WorkflowActionType): string {
  switch (type) {
    case 'transfer':
      return 'Chuyển xử lý';
    case 'accept':
      return 'Nhận xử lý';
    case 'request_supplement':
      return 'Yêu cầu bổ sung hồ sơ';
    case 'supplement_received':
      return 'Nhận hồ sơ bổ sung';
    case 'resolve':
      return 'Giải quyết';
    case 'stop':
      return 'Dừng giải quyết';
    case 'apologize':
      return 'Xin lỗi và hẹn lại ngày trả';
    case 'withdraw':
      return 'Rút hồ sơ';
    case 'return_result':
      return 'Trả kết quả';
    default:
      return assertNever(type, 'workflow action');
  }
}

export function roleLabel(role: OfficerRole): string {
  switch (role) {
    case 'counter':
      return 'Cán bộ một cửa';
    case 'processing':
      return 'Cán bộ xử lý';
    case 'leader':
      return 'Lãnh đạo';
    default:
      return assertNever(role, 'officer role');
  }
}

export const RATINGS: readonly Rating[] = ['very_satisfied', 'satisfied', 'unsatisfied'];
const BODY_KINDS: readonly ProcessingBody['kind'][] = ['commune_office', 'city_department', 'other_commune'];

type Data = Record<string, string | number | boolean>;
type Built = Result<DossierEvent, 'not_allowed' | 'invalid'>;

const clean = (s: string | undefined): string => (s ?? '').normalize('NFC').replace(/\s+/g, ' ').trim();
const invalid = (detail: string): Built => fail('invalid', detail);

/**
 * The event for an action, or why it cannot be taken: 'not_allowed' (role or status) or 'invalid'
 * (a field the form needs is missing or wrong), each with a Vietnamese `detail` for the officer.
 * An apology is checked against `state.dueAt` when the caller sets it (else the latest apology).
 */
export function buildEvent(action: WorkflowAction, state: DossierState, ctx: ActionContext): Built {
  const label = actionLabel(action.type);
  if (state.status === 'empty') return fail('not_allowed', 'Hồ sơ chưa được tiếp nhận.');
  if (isFinalStatus(state.status)) {
    return fail('not_allowed', `Hồ sơ đã ở trạng thái "${statusLabel(state.status)}": không thể ${label.toLowerCase()}.`);
  }
  if (!ROLE_ACTIONS[ctx.role].includes(action.type)) {
    return fail('not_allowed', `${roleLabel(ctx.role)} không có quyền "${label}".`);
  }
  if (!fits(action.type, state, ctx.role)) {
    return fail('not_allowed', `Không thể "${label}" khi hồ sơ ở trạng thái "${statusLabel(state.status)}".`);
  }
  const made = eventData(action, state, ctx);
  if (typeof made === 'string') return invalid(made);
  const note = 'note' in action ? clean(action.note) : '';
  const event: DossierEvent = { id: ctx.eventId, type: made.type, at: ctx.now, officer: ctx.officer, device: ctx.device };
  if (note !== '') event.note = note;
  if (Object.keys(made.data).length > 0) event.data = made.data;
  return ok(event);
}

/** The event type and data of a valid action, or the Vietnamese reason it is not valid. */
function eventData(action: WorkflowAction, state: DossierState, ctx: ActionContext): { type: DossierEvent['type']; data: Data } | string {
  switch (action.type) {
    case 'transfer': {
      const name = clean(action.to.name);
      if (!BODY_KINDS.includes(action.to.kind)) return 'Loại cơ quan giải quyết không hợp lệ.';
      if (name === '') return 'Chưa nhập tên cơ quan giải quyết.';
      const unit = clean(action.to.unit);
      if (action.to.kind === 'other_commune' && unit === '') return 'Chưa chọn xã, phường giải quyết hồ sơ.';
      const data: Data = { kind: action.to.kind, name };
      if (unit !== '') data.unit = unit;
      return { type: 'transferred', data };
    }
    case 'accept':
      return { type: 'accepted', data: {} };
    case 'request_supplement': {
      const missing = [...new Set(action.missing.map((m) => clean(m)).filter((m) => m !== ''))];
      if (missing.length === 0) return 'Chưa liệt kê thành phần hồ sơ cần bổ sung.';
      const reason = clean(action.reason);
      if (reason === '') return 'Chưa nhập lý do yêu cầu bổ sung.';
      return { type: 'supplement_requested', data: { missing: JSON.stringify(missing), reason } };
    }
    case 'supplement_received':
      return { type: 'supplement_received', data: {} };
    case 'resolve': {
      if (action.outcome === 'approved') {
        const documentNo = clean(action.documentNo);
        if (documentNo === '') return 'Chưa nhập số văn bản kết quả giải quyết.';
        return { type: 'resolved', data: { outcome: 'approved', documentNo } };
      }
      const reason = clean(action.reason);
      if (reason === '') return 'Chưa nhập lý do không giải quyết hồ sơ.';
      return { type: 'resolved', data: { outcome: 'denied', reason } };
    }
    case 'stop': {
      const reason = clean(action.reason);
      return reason === '' ? 'Chưa nhập lý do dừng giải quyết hồ sơ.' : { type: 'stopped', data: { reason } };
    }
    case 'apologize':
      return apology(action, state, ctx);
    case 'withdraw': {
      const reason = clean(action.reason);
      return reason === '' ? 'Chưa nhập lý do rút hồ sơ.' : { type: 'withdrawn', data: { reason } };
    }
    case 'return_result': {
      if (action.rating === undefined) return { type: 'returned', data: {} };
      if (!RATINGS.includes(action.rating)) return 'Mức độ hài lòng không hợp lệ.';
      return { type: 'returned', data: { rating: action.rating } };
    }
    default:
      return assertNever(action, 'workflow action');
  }
}

/** Mẫu 04: only before the appointment in force, with a later date and a reason. */
function apology(action: Extract<WorkflowAction, { type: 'apologize' }>, state: DossierState, ctx: ActionContext): { type: 'apologized'; data: Data } | string {
  const reason = clean(action.reason);
  if (reason === '') return 'Chưa nhập lý do chậm trả kết quả.';
  if (!Number.isFinite(action.newDueAt)) return 'Chưa chọn ngày hẹn trả kết quả mới.';
  if (action.newDueAt <= ctx.now) return 'Ngày hẹn trả kết quả mới phải sau thời điểm hiện tại.';
  const current = state.dueAt ?? state.apologizedDueAt;
  const data: Data = { newDueAt: action.newDueAt, reason };
  if (typeof current === 'number' && Number.isFinite(current)) {
    if (ctx.now >= current) {
      return `Đã quá hạn trả kết quả (${formatVnDateTime(current)}): văn bản xin lỗi và hẹn lại phải được gửi trước thời hạn.`;
    }
    if (action.newDueAt <= current) return `Ngày hẹn mới phải sau ngày hẹn hiện tại (${formatVnDateTime(current)}).`;
    data.previousDueAt = current;
  }
  return { type: 'apologized', data };
}
