import { describe, expect, it } from 'vitest';
import { DOSSIER_EVENT_TYPES, currentDueAt, eventLabel, reduceDossier, sortEvents, statusLabel } from '../../src/domain/dossier.ts';
import type { DossierEvent, DossierEventType } from '../../src/domain/dossier.ts';

const T0 = Date.UTC(2026, 1, 13, 2, 0);
const ev = (id: string, type: DossierEventType, minute: number, device = 'dev-A'): DossierEvent => ({
  id,
  type,
  at: T0 + minute * 60_000,
  officer: `officer-${device}`,
  device,
});

function permutations<T>(xs: readonly T[]): T[][] {
  if (xs.length <= 1) return [xs.slice()];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((rest) => [x, ...rest]));
}

/** Deterministic PRNG so a failing seed can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function shuffle<T>(xs: readonly T[], rand: () => number): T[] {
  const a = xs.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j] as T, a[i] as T];
  }
  return a;
}

describe('reduceDossier', () => {
  it('follows the ordinary path to the return of the result', () => {
    const s = reduceDossier([
      ev('1', 'received', 0),
      ev('2', 'transferred', 5),
      ev('3', 'accepted', 60, 'dev-B'),
      ev('4', 'resolved', 120, 'dev-B'),
      ev('5', 'transferred', 130, 'dev-B'),
      ev('6', 'returned', 200),
    ]);
    expect(s).toMatchObject({ status: 'returned', receivedAt: T0, conflicts: [], eventCount: 6 });
    expect(s.resolvedAt).toBe(T0 + 120 * 60_000);
    expect(s.returnedAt).toBe(T0 + 200 * 60_000);
  });

  it('is empty without events', () => {
    expect(reduceDossier([])).toMatchObject({ status: 'empty', receivedAt: null, conflicts: [], eventCount: 0 });
  });

  it('flags a second return and keeps the status', () => {
    const s = reduceDossier([ev('r', 'received', 0), ev('s', 'resolved', 10), ev('x', 'returned', 20, 'dev-A'), ev('y', 'returned', 21, 'dev-B')]);
    expect(s.status).toBe('returned');
    expect(s.returnedAt).toBe(T0 + 20 * 60_000);
    expect(s.conflicts).toEqual([{ eventId: 'y', reason: 'Không thể "Trả kết quả" khi hồ sơ ở trạng thái "Đã trả kết quả"' }]);
    expect(s.eventCount).toBe(4);
  });

  it('flags a resolution after a refusal', () => {
    const s = reduceDossier([ev('r', 'received', 0), ev('no', 'refused', 10, 'dev-A'), ev('yes', 'resolved', 11, 'dev-B')]);
    expect(s.status).toBe('refused');
    expect(s.resolvedAt).toBeNull();
    expect(s.conflicts.map((c) => c.eventId)).toEqual(['yes']);
  });

  it('treats refused, returned, withdrawn and stopped as final', () => {
    for (const final of ['refused', 'withdrawn', 'stopped'] as const) {
      const later = DOSSIER_EVENT_TYPES.map((t, i) => ev(`later-${i}`, t, 100 + i));
      const s = reduceDossier([ev('r', 'received', 0), ev('f', final, 10), ...later]);
      expect(s.status).toBe(final);
      expect(s.conflicts).toHaveLength(DOSSIER_EVENT_TYPES.length);
    }
  });

  it('counts duplicate event ids once', () => {
    const received = ev('r', 'received', 0);
    const resolved = ev('s', 'resolved', 10);
    const s = reduceDossier([received, resolved, { ...received }, { ...resolved }, resolved]);
    expect(s).toMatchObject({ status: 'resolved', eventCount: 2, conflicts: [] });
  });

  it('resumes the previous status when a supplement arrives and records the pause', () => {
    const atIntake = reduceDossier([ev('r', 'received', 0), ev('q', 'supplement_requested', 1), ev('a', 'supplement_received', 61)]);
    expect(atIntake.status).toBe('received');
    expect(atIntake.supplementPeriods).toEqual([{ from: T0 + 60_000, to: T0 + 61 * 60_000 }]);
    const inProcessing = reduceDossier([ev('r', 'received', 0), ev('t', 'transferred', 1), ev('q', 'supplement_requested', 2)]);
    expect(inProcessing.status).toBe('supplement_requested');
    expect(inProcessing.supplementPeriods).toEqual([{ from: T0 + 2 * 60_000, to: null }]);
    const resumed = reduceDossier([ev('r', 'received', 0), ev('t', 'transferred', 1), ev('q', 'supplement_requested', 2), ev('a', 'supplement_received', 3)]);
    expect(resumed.status).toBe('processing');
    const twice = reduceDossier([ev('r', 'received', 0), ev('q1', 'supplement_requested', 1), ev('q2', 'supplement_requested', 2, 'dev-B')]);
    expect(twice.conflicts.map((c) => c.eventId)).toEqual(['q2']);
  });

  it('puts the receipt first when another device’s clock runs behind', () => {
    const s = reduceDossier([ev('t', 'transferred', -3, 'dev-slow'), ev('r', 'received', 0)]);
    expect(s).toMatchObject({ status: 'processing', conflicts: [], receivedAt: T0 });
    const twoReceipts = reduceDossier([ev('r1', 'received', 0, 'dev-A'), ev('r2', 'received', 0, 'dev-B')]);
    expect(twoReceipts.conflicts.map((c) => c.eventId)).toEqual(['r2']);
  });

  it('reports an event type it does not know instead of failing', () => {
    const alien = { ...ev('z', 'received', 5), type: 'archived' } as unknown as DossierEvent;
    const s = reduceDossier([ev('r', 'received', 0), alien]);
    expect(s.status).toBe('received');
    expect(s.conflicts).toEqual([{ eventId: 'z', reason: 'Loại sự kiện không xác định: "archived"' }]);
  });
});

describe('apologies, stops and results (issue 3)', () => {
  const withData = (e: DossierEvent, data: DossierEvent['data']): DossierEvent => ({ ...e, data });
  const due1 = T0 + 3 * 86_400_000;
  const due2 = due1 + 86_400_000;

  it('records the outcome and the rating that travel in the events', () => {
    const s = reduceDossier([
      ev('r', 'received', 0),
      withData(ev('t', 'transferred', 1), { kind: 'city_department', name: 'Sở Xây dựng' }),
      ev('a', 'accepted', 2, 'dev-B'),
      withData(ev('s', 'resolved', 3, 'dev-B'), { outcome: 'approved', documentNo: '45/GP' }),
      withData(ev('x', 'returned', 4), { rating: 'unsatisfied' }),
    ]);
    expect(s).toMatchObject({ status: 'returned', outcome: 'approved', documentNo: '45/GP', rating: 'unsatisfied', conflicts: [] });
    expect(s.handler).toEqual({ kind: 'city_department', name: 'Sở Xây dựng' });
    expect(s.acceptedAt).toBe(T0 + 2 * 60_000);
    const denied = reduceDossier([ev('r', 'received', 0), withData(ev('s', 'resolved', 3), { outcome: 'denied', reason: 'Không đủ điều kiện' })]);
    expect(denied).toMatchObject({ outcome: 'denied', documentNo: null });
    const reTransfer = reduceDossier([ev('r', 'received', 0), ev('t', 'transferred', 1), ev('a', 'accepted', 2), ev('t2', 'transferred', 3)]);
    expect(reTransfer.acceptedAt).toBeNull();
  });

  it('keeps the status on an apology and lets the latest one set the date', () => {
    const log = [
      ev('r', 'received', 0),
      ev('t', 'transferred', 1),
      withData(ev('p1', 'apologized', 10), { newDueAt: due1, reason: 'Cần xác minh' }),
      withData(ev('p2', 'apologized', 20, 'dev-B'), { newDueAt: due2, reason: 'Chờ ý kiến Sở' }),
    ];
    const s = reduceDossier(log);
    expect(s).toMatchObject({ status: 'processing', apologizedDueAt: due2, conflicts: [] });
    expect(currentDueAt(log, T0 + 86_400_000)).toBe(due2);
    expect(currentDueAt(log.slice(0, 2), T0 + 86_400_000)).toBe(T0 + 86_400_000);
    expect(currentDueAt(log.slice(0, 2), null)).toBeNull();
    // An apology while waiting for a supplement does not open a second pause.
    const waiting = reduceDossier([ev('r', 'received', 0), ev('q', 'supplement_requested', 1), withData(ev('p', 'apologized', 2), { newDueAt: due1, reason: 'x' })]);
    expect(waiting).toMatchObject({ status: 'supplement_requested', conflicts: [] });
    expect(waiting.supplementPeriods).toHaveLength(1);
  });

  it('flags an apology after the return and ignores its date', () => {
    const log = [
      ev('r', 'received', 0),
      ev('s', 'resolved', 1),
      ev('x', 'returned', 2, 'dev-A'),
      withData(ev('p', 'apologized', 3, 'dev-B'), { newDueAt: due1, reason: 'x' }),
    ];
    expect(reduceDossier(log).conflicts).toEqual([{ eventId: 'p', reason: 'Không thể "Xin lỗi và hẹn lại ngày trả" khi hồ sơ ở trạng thái "Đã trả kết quả"' }]);
    expect(currentDueAt(log, due2)).toBe(due2);
  });

  it('stops for good, and flags a resolution or a return made offline afterwards', () => {
    const s = reduceDossier([
      ev('r', 'received', 0),
      ev('q', 'supplement_requested', 1),
      withData(ev('stop', 'stopped', 5, 'dev-A'), { reason: 'Quá hạn bổ sung' }),
      ev('late', 'supplement_received', 6, 'dev-B'),
      ev('res', 'resolved', 7, 'dev-B'),
    ]);
    expect(s).toMatchObject({ status: 'stopped', stoppedAt: T0 + 5 * 60_000, resolvedAt: null });
    expect(s.conflicts.map((c) => c.eventId)).toEqual(['late', 'res']);
    expect(s.conflicts[1]?.reason).toBe('Không thể "Giải quyết xong" khi hồ sơ ở trạng thái "Đã dừng giải quyết"');
  });

  it('flags a withdrawal that crossed a resolution', () => {
    const s = reduceDossier([ev('r', 'received', 0), ev('t', 'transferred', 1), ev('res', 'resolved', 10, 'dev-B'), ev('w', 'withdrawn', 11, 'dev-A')]);
    expect(s.status).toBe('resolved');
    expect(s.conflicts.map((c) => c.eventId)).toEqual(['w']);
  });

  it('labels the new types', () => {
    expect(statusLabel('stopped')).toBe('Đã dừng giải quyết');
    expect(eventLabel('stopped')).toBe('Dừng giải quyết');
  });
});

describe('incomplete or refused at intake', () => {
  const atIntake = (e: DossierEvent): DossierEvent => ({ ...e, data: { ...e.data, atIntake: true } });

  it('waits for the supplement without a clock, and is received when it arrives', () => {
    const waiting = reduceDossier([atIntake(ev('q', 'supplement_requested', 0))]);
    expect(waiting).toMatchObject({ status: 'supplement_requested', receivedAt: null, conflicts: [], supplementPeriods: [] });
    const complete = reduceDossier([atIntake(ev('q', 'supplement_requested', 0)), ev('a', 'supplement_received', 2880)]);
    expect(complete).toMatchObject({ status: 'received', receivedAt: T0 + 2880 * 60_000, conflicts: [], supplementPeriods: [] });
    // A slow clock on the device that took the supplement does not put it before the intake.
    const slow = reduceDossier([atIntake(ev('q', 'supplement_requested', 10, 'dev-A')), ev('a', 'supplement_received', 5, 'dev-slow')]);
    expect(slow).toMatchObject({ status: 'received', conflicts: [] });
  });

  it('refuses at intake for good', () => {
    const s = reduceDossier([atIntake(ev('x', 'refused', 0)), ev('late', 'transferred', 5)]);
    expect(s).toMatchObject({ status: 'refused', receivedAt: null });
    expect(s.conflicts.map((c) => c.eventId)).toEqual(['late']);
  });
});

describe('order independence', () => {
  const log = [
    ev('a', 'received', 0, 'dev-A'),
    ev('b', 'transferred', 5, 'dev-A'),
    ev('c', 'resolved', 30, 'dev-B'),
    ev('d', 'refused', 30, 'dev-A'), // same instant as c: the device id decides
    ev('e', 'returned', 40, 'dev-C'),
    ev('f', 'returned', 41, 'dev-A'),
  ];

  it('derives the same state from every permutation of a small log', () => {
    const expected = reduceDossier(log);
    expect(expected.status).toBe('refused');
    expect(expected.conflicts.map((c) => c.eventId)).toEqual(['c', 'e', 'f']);
    const perms = permutations(log);
    expect(perms).toHaveLength(720);
    for (const p of perms) expect(reduceDossier(p)).toEqual(expected);
  });

  it('derives the same state from random logs in random order, with duplicates', () => {
    const rand = rng(20260213);
    for (let round = 0; round < 300; round++) {
      const events: DossierEvent[] = [];
      const n = 1 + Math.floor(rand() * 8);
      for (let i = 0; i < n; i++) {
        const type = DOSSIER_EVENT_TYPES[Math.floor(rand() * DOSSIER_EVENT_TYPES.length)] ?? 'received';
        events.push(ev(`e${i}`, type, Math.floor(rand() * 4), `dev-${Math.floor(rand() * 3)}`));
      }
      const expected = reduceDossier(events);
      expect(expected.eventCount).toBe(n);
      for (let k = 0; k < 5; k++) {
        const withDupes = [...events, ...events.filter(() => rand() < 0.3)];
        expect(reduceDossier(shuffle(withDupes, rand)), `round ${round}`).toEqual(expected);
      }
    }
  });

  it('picks the same copy when one id arrives with two different contents', () => {
    const a = ev('same', 'resolved', 10, 'dev-A');
    const b = { ...a, type: 'refused' as const };
    const base = [ev('r', 'received', 0)];
    expect(reduceDossier([...base, a, b])).toEqual(reduceDossier([...base, b, a]));
    expect(reduceDossier([...base, a, b]).eventCount).toBe(2);
    const c = { ...a, note: 'x' };
    expect(reduceDossier([...base, a, c])).toEqual(reduceDossier([...base, c, a]));
  });

  it('sorts by time, then device, then id', () => {
    const sorted = sortEvents([ev('2', 'resolved', 1, 'B'), ev('1', 'resolved', 1, 'B'), ev('9', 'received', 1, 'A'), ev('0', 'received', 0, 'Z')]);
    expect(sorted.map((e) => e.id)).toEqual(['0', '9', '1', '2']);
  });
});

describe('statusLabel', () => {
  it('speaks Vietnamese', () => {
    expect(statusLabel('received')).toBe('Đã tiếp nhận');
    expect(statusLabel('returned')).toBe('Đã trả kết quả');
    expect(statusLabel('processing')).toBe('Đang xử lý');
  });
});
