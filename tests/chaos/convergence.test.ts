import { describe, expect, it } from 'vitest';
import { CONVERGENCE_DEFAULTS, runConvergence } from '../../chaos/convergence.ts';
import { formatTable } from '../../chaos/report.ts';

describe('@chaos seeded random convergence', () => {
  it('[S11] [S1] [S3] [S13] drops, duplicates, reorders and partitions: every replica ends identical, conflicts flagged alike, nothing confirmed missing', async () => {
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const r = await runConvergence({ ...CONVERGENCE_DEFAULTS, seed, steps: 1500 });
      expect(r.failures, `seed ${seed}\n${formatTable([r])}`).toEqual([]);
      expect(r.identical).toBe(true);
      expect(r.missing).toBe(0);
      expect(r.duplicates).toBe(0);
      expect(r.confirmed).toBeGreaterThan(0);
    }
  });

  it('@chaos the same seed replays the same run', async () => {
    const a = await runConvergence({ ...CONVERGENCE_DEFAULTS, seed: 42, steps: 800 });
    const b = await runConvergence({ ...CONVERGENCE_DEFAULTS, seed: 42, steps: 800 });
    expect(a.faults).toEqual(b.faults);
    expect(a.confirmed).toBe(b.confirmed);
  });
});
