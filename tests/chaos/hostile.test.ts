import { describe, expect, it } from 'vitest';
import { runFuzz } from '../../chaos/fuzz.ts';
import { formatTable } from '../../chaos/report.ts';

describe('@chaos hostile input against the running server', () => {
  it('[S8] [S9] [S19] [S20] [S21] every bad frame, token, doc name, request, forged writer, stamp or grant and flood gets a named refusal; the server keeps serving; nothing stored changes; no personal data in logs', async () => {
    const r = await runFuzz({ seed: 9, durationMs: 8_000 });
    expect(r.failures, formatTable([r])).toEqual([]);
    // Every kind runs at least once (the first sweep), the trust and quota kinds among them.
    expect(Object.keys(r.faults)).toEqual(expect.arrayContaining(['foreign_client_id', 'live_foreign_client_id', 'forged_grant', 'forged_stamp', 'stamp_delete', 'byte_flood', 'socket_flood']));
    expect(Object.keys(r.faults).length).toBeGreaterThan(30);
    expect(r.confirmed).toBeGreaterThan(0);
  }, 90_000);
});
