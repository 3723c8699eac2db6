import { describe, expect, it } from 'vitest';
import { formatTable } from '../../chaos/report.ts';
import { runServerCrash } from '../../chaos/server-crash.ts';

describe('@chaos sync server SIGKILLed during pushes and pulls', () => {
  it('[S1] [S2] [S3] [S6] every confirmed batch survives, the rest arrives, no outbox drops an unconfirmed update', async () => {
    const r = await runServerCrash({ seed: 5, durationMs: 8_000, devices: 3 });
    expect(r.failures, formatTable([r])).toEqual([]);
    expect(r.faults['server_sigkill']).toBeGreaterThan(0);
    expect(r.confirmed).toBeGreaterThan(0);
    expect(r.missing).toBe(0);
    expect(r.duplicates).toBe(0);
    expect(r.identical).toBe(true);
  }, 90_000);
});
