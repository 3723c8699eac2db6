import { describe, expect, it } from 'vitest';
import { runPgNodesCrash } from '../../chaos/pg-nodes-crash.ts';
import { formatTable } from '../../chaos/report.ts';

describe('@chaos two server nodes on one PostgreSQL SIGKILLed during pushes and pulls', () => {
  it('[S2] [S3] [S15] every confirmed batch survives in PostgreSQL, devices on either node converge, nothing doubled', async () => {
    const r = await runPgNodesCrash({ seed: 11, durationMs: 8_000, devices: 4 });
    expect(r.failures, formatTable([r])).toEqual([]);
    expect((r.faults['node_sigkill'] ?? 0) + (r.faults['both_nodes_sigkill'] ?? 0)).toBeGreaterThan(0);
    expect(r.confirmed).toBeGreaterThan(0);
    expect(r.missing).toBe(0);
    expect(r.duplicates).toBe(0);
    expect(r.identical).toBe(true);
  }, 120_000);
});
