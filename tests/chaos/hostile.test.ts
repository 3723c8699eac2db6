import { describe, expect, it } from 'vitest';
import { runFuzz } from '../../chaos/fuzz.ts';
import { formatTable } from '../../chaos/report.ts';

describe('@chaos hostile input against the running server', () => {
  it('[S8] [S9] every bad frame, token, doc name and request gets a named refusal; the server keeps serving; nothing stored changes; no personal data in logs', async () => {
    const r = await runFuzz({ seed: 9, durationMs: 8_000 });
    expect(r.failures, formatTable([r])).toEqual([]);
    expect(Object.keys(r.faults).length).toBeGreaterThan(15);
    expect(r.confirmed).toBeGreaterThan(0);
  }, 90_000);
});
