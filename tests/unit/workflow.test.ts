import { describe, expect, it } from 'vitest';
import { reduceDossier } from '../../src/domain/dossier.ts';
import type { DossierEvent, DossierState } from '../../src/domain/dossier.ts';
import { WORKFLOW_ACTION_TYPES, actionLabel, allowedActions, buildEvent } from '../../src/domain/workflow.ts';
import type { ActionContext, OfficerRole, WorkflowAction } from '../../src/domain/workflow.ts';

const T0 = Date.UTC(2026, 2, 9, 3, 0); // Mon 09/03/2026 10:00 in Vietnam
const HOUR = 3_600_000;
let seq = 0;
const ctx = (role: OfficerRole, now = T0 + HOUR): ActionContext => ({ eventId: `e${++seq}`, now, officer: `o-${role}`, device: 'dev-A', role });

/** Applies actions in turn, as the worker does, failing loudly on a refused one. */
function run(actions: [WorkflowAction, OfficerRole][], start: DossierEvent[] = [received]): { events: DossierEvent[]; state: DossierState } {
  const events = start.slice();
  actions.forEach(([action, role], i) => {
    const built = buildEvent(action, reduceDossier(events), ctx(role, T0 + (i + 1) * HOUR));
    if (!built.ok) throw new Error(`${action.type}: ${built.reason} ${built.detail ?? ''}`);
    events.push(built.value);
  });
  return { events, state: reduceDossier(events) };
}

const received: DossierEvent = { id: 'r', type: 'received', at: T0, officer: 'o-counter', device: 'dev-A' };
const transfer: WorkflowAction = { type: 'transfer', to: { kind: 'commune_office', name: 'Văn phòng HĐND và UBND' } };
const approve: WorkflowAction = { type: 'resolve', outcome: 'approved', documentNo: '123/QĐ-UBND' };

describe('allowedActions', () => {
  it('offers the counter intake-side steps and the processing body its own', () => {
    const fresh = reduceDossier([received]);
    expect(allowedActions(fresh, 'counter')).toEqual(['transfer', 'request_supplement', 'withdraw']);
    expect(allowedActions(fresh, 'processing')).toEqual(['accept', 'resolve', 'apologize', 'stop']);
    expect(allowedActions(fresh, 'leader')).toEqual(['transfer', 'accept', 'request_supplement', 'resolve', 'apologize', 'stop', 'withdraw']);
  });

  it('lets the counter ask for a supplement only before the transfer', () => {
    const { state } = run([[transfer, 'counter']]);
    expect(allowedActions(state, 'counter')).toEqual(['withdraw']);
    expect(allowedActions(state, 'processing')).toEqual(['accept', 'request_supplement', 'resolve', 'apologize', 'stop']);
    const accepted = run([[transfer, 'counter'], [{ type: 'accept' }, 'processing']]).state;
    expect(allowedActions(accepted, 'processing')).not.toContain('accept');
  });

  it('offers the return once resolved, and nothing after a final status', () => {
    const resolved = run([[transfer, 'counter'], [approve, 'processing']]).state;
    expect(allowedActions(resolved, 'counter')).toEqual(['return_result']);
    expect(allowedActions(resolved, 'processing')).toEqual([]);
    const returned = run([[transfer, 'counter'], [approve, 'processing'], [{ type: 'return_result', rating: 'satisfied' }, 'counter']]).state;
    const stopped = run([[{ type: 'stop', reason: 'Công dân không bổ sung' }, 'processing']]).state;
    for (const s of [returned, stopped, reduceDossier([])]) {
      for (const role of ['counter', 'processing', 'leader'] as const) expect(allowedActions(s, role)).toEqual([]);
    }
  });

  it('offers only the supplement and withdrawal for a dossier incomplete at intake', () => {
    const intake: DossierEvent = { id: 'q', type: 'supplement_requested', at: T0, officer: 'o', device: 'd', data: { atIntake: true, missing: '["Tờ khai"]', reason: 'Thiếu' } };
    const state = reduceDossier([intake]);
    expect(allowedActions(state, 'counter')).toEqual(['supplement_received', 'withdraw']);
    expect(allowedActions(state, 'processing')).toEqual([]);
    expect(allowedActions(state, 'leader')).toEqual(['supplement_received', 'withdraw']);
    const after = run([[{ type: 'supplement_received' }, 'counter']], [intake]).state;
    expect(after).toMatchObject({ status: 'received', receivedAt: T0 + HOUR });
    expect(allowedActions(after, 'counter')).toEqual(['transfer', 'request_supplement', 'withdraw']);
  });

  it('waits for the supplement', () => {
    const { state } = run([[{ type: 'request_supplement', missing: ['Giấy chứng sinh'], reason: 'Thiếu' }, 'counter']]);
    expect(allowedActions(state, 'counter')).toEqual(['supplement_received', 'withdraw']);
    expect(allowedActions(state, 'processing')).toEqual(['apologize', 'stop']);
  });
});

describe('buildEvent', () => {
  it('takes a dossier through transfer, supplement, resolution and return with a rating', () => {
    const { events, state } = run([
      [{ type: 'transfer', to: { kind: 'other_commune', name: ' UBND  xã Hòa Vang ', unit: '20308' }, note: ' phi địa giới ' }, 'counter'],
      [{ type: 'accept' }, 'processing'],
      [{ type: 'request_supplement', missing: ['Tờ khai', ' Tờ khai ', 'Giấy chứng sinh'], reason: 'Thiếu giấy tờ' }, 'processing'],
      [{ type: 'supplement_received' }, 'counter'],
      [approve, 'processing'],
      [{ type: 'return_result', rating: 'very_satisfied' }, 'counter'],
    ]);
    expect(events.map((e) => e.type)).toEqual(['received', 'transferred', 'accepted', 'supplement_requested', 'supplement_received', 'resolved', 'returned']);
    expect(events[1]).toMatchObject({ data: { kind: 'other_commune', name: 'UBND xã Hòa Vang', unit: '20308' }, note: 'phi địa giới', officer: 'o-counter', device: 'dev-A' });
    expect(JSON.parse(String(events[3]?.data?.['missing']))).toEqual(['Tờ khai', 'Giấy chứng sinh']);
    expect(events[5]?.data).toEqual({ outcome: 'approved', documentNo: '123/QĐ-UBND' });
    expect(state).toMatchObject({ status: 'returned', outcome: 'approved', documentNo: '123/QĐ-UBND', rating: 'very_satisfied', conflicts: [] });
    expect(state.handler).toEqual({ kind: 'other_commune', name: 'UBND xã Hòa Vang', unit: '20308' });
    expect(state.supplementPeriods).toEqual([{ from: T0 + 3 * HOUR, to: T0 + 4 * HOUR }]);
  });

  it('refuses by role and by status, in Vietnamese', () => {
    const fresh = reduceDossier([received]);
    expect(buildEvent(approve, fresh, ctx('counter'))).toEqual({ ok: false, reason: 'not_allowed', detail: 'Cán bộ một cửa không có quyền "Giải quyết".' });
    expect(buildEvent({ type: 'return_result' }, fresh, ctx('counter'))).toEqual({
      ok: false,
      reason: 'not_allowed',
      detail: 'Không thể "Trả kết quả" khi hồ sơ ở trạng thái "Đã tiếp nhận".',
    });
    const withdrawn = run([[{ type: 'withdraw', reason: 'Công dân xin rút' }, 'counter']]).state;
    const after = buildEvent({ type: 'accept' }, withdrawn, ctx('leader'));
    expect(after).toMatchObject({ ok: false, reason: 'not_allowed' });
    expect(!after.ok && after.detail).toMatch(/Đã rút hồ sơ/);
    expect(buildEvent({ type: 'accept' }, reduceDossier([]), ctx('leader'))).toMatchObject({ ok: false, reason: 'not_allowed' });
  });

  it('requires what each form needs', () => {
    const fresh = reduceDossier([received]);
    const cases: [WorkflowAction, RegExp][] = [
      [{ type: 'transfer', to: { kind: 'commune_office', name: '  ' } }, /tên cơ quan/],
      [{ type: 'transfer', to: { kind: 'other_commune', name: 'UBND xã A' } }, /xã, phường/],
      [{ type: 'request_supplement', missing: [' '], reason: 'x' }, /cần bổ sung/],
      [{ type: 'request_supplement', missing: ['Tờ khai'], reason: '' }, /lý do yêu cầu bổ sung/],
      [{ type: 'resolve', outcome: 'approved', documentNo: ' ' }, /số văn bản/],
      [{ type: 'resolve', outcome: 'denied', reason: '' }, /lý do không giải quyết/],
      [{ type: 'stop', reason: '' }, /lý do dừng/],
      [{ type: 'withdraw', reason: ' ' }, /lý do rút/],
    ];
    for (const [action, detail] of cases) {
      const r = buildEvent(action, fresh, ctx('leader'));
      expect(r.ok, action.type).toBe(false);
      expect(!r.ok && r.reason).toBe('invalid');
      expect(!r.ok && r.detail).toMatch(detail);
    }
    const denied = buildEvent({ type: 'resolve', outcome: 'denied', reason: 'Không đủ điều kiện' }, fresh, ctx('processing'));
    expect(denied.ok && denied.value.data).toEqual({ outcome: 'denied', reason: 'Không đủ điều kiện' });
    const badRating = buildEvent({ type: 'return_result', rating: 'great' as 'satisfied' }, run([[approve, 'processing']]).state, ctx('counter'));
    expect(badRating).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it('accepts an apology only before the due date, with a later date', () => {
    const due = T0 + 48 * HOUR;
    const state = { ...reduceDossier([received]), dueAt: due };
    const later = due + 24 * HOUR;
    const good = buildEvent({ type: 'apologize', newDueAt: later, reason: 'Cần xác minh' }, state, ctx('processing', due - HOUR));
    expect(good.ok && good.value).toMatchObject({ type: 'apologized', data: { newDueAt: later, reason: 'Cần xác minh', previousDueAt: due } });
    const late = buildEvent({ type: 'apologize', newDueAt: later, reason: 'Cần xác minh' }, state, ctx('processing', due));
    expect(late).toMatchObject({ ok: false, reason: 'invalid' });
    expect(!late.ok && late.detail).toMatch(/^Đã quá hạn trả kết quả \(10:00 11\/03\/2026\)/);
    const earlier = buildEvent({ type: 'apologize', newDueAt: due - 1, reason: 'x' }, state, ctx('processing'));
    expect(!earlier.ok && earlier.detail).toMatch(/sau ngày hẹn hiện tại/);
    expect(buildEvent({ type: 'apologize', newDueAt: later, reason: ' ' }, state, ctx('processing'))).toMatchObject({ ok: false, reason: 'invalid' });
    expect(buildEvent({ type: 'apologize', newDueAt: NaN, reason: 'x' }, state, ctx('processing'))).toMatchObject({ ok: false, reason: 'invalid' });
    // Without a known due date, a second apology must still move the date later than the first.
    const once = run([[{ type: 'apologize', newDueAt: later, reason: 'Cần xác minh' }, 'processing']]);
    expect(once.state.apologizedDueAt).toBe(later);
    const again = buildEvent({ type: 'apologize', newDueAt: later - HOUR, reason: 'x' }, once.state, ctx('processing'));
    expect(again).toMatchObject({ ok: false, reason: 'invalid' });
  });
});

describe('actionLabel', () => {
  it('names every action in Vietnamese, distinctly', () => {
    const labels = WORKFLOW_ACTION_TYPES.map(actionLabel);
    expect(new Set(labels).size).toBe(WORKFLOW_ACTION_TYPES.length);
    expect(actionLabel('return_result')).toBe('Trả kết quả');
    expect(actionLabel('apologize')).toBe('Xin lỗi và hẹn lại ngày trả');
  });
});
