import { describe, expect, it } from 'vitest';
import { CLOCK_SKEW_TOLERANCE_MS } from '../../src/domain/clock.ts';
import { orderedEvents, reduceDossier, type DossierEvent } from '../../src/domain/dossier.ts';

const T = Date.UTC(2026, 10, 23, 3, 0, 0);
const ev = (id: string, type: DossierEvent['type'], at: number, serverAt?: number): DossierEvent =>
  serverAt === undefined ? { id, type, at, officer: 'o', device: id } : { id, type, at, officer: 'o', device: id, serverAt };

describe('device clocks against server stamps', () => {
  it('a device time far ahead of its server stamp is replaced by the stamp and flagged', () => {
    const state = reduceDossier([ev('a', 'received', T + 3 * 86_400_000, T), ev('b', 'accepted', T + 3_600_000, T + 3_600_000)]);
    expect(state.receivedAt).toBe(T);
    expect(state.status).toBe('processing');
    expect(state.conflicts).toEqual([{ eventId: 'a', reason: expect.stringMatching(/72 giờ/) as unknown as string }]);
  });

  it('small drift and clocks behind (offline laptops) are trusted', () => {
    const state = reduceDossier([ev('a', 'received', T + CLOCK_SKEW_TOLERANCE_MS - 1, T), ev('b', 'accepted', T + 60_000, T + 5 * 86_400_000)]);
    expect(state.conflicts).toEqual([]);
    expect(state.receivedAt).toBe(T + CLOCK_SKEW_TOLERANCE_MS - 1);
  });

  it('the correction changes the order: a step dated before a future-dated receipt comes after it', () => {
    const events = [ev('r', 'received', T + 86_400_000, T), ev('x', 'transferred', T + 1000, T + 1000), ev('y', 'accepted', T + 2000)];
    expect(orderedEvents(events).map((e) => e.id)).toEqual(['r', 'x', 'y']);
    expect(reduceDossier(events).status).toBe('processing');
  });
});
