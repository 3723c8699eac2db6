/** Group commit of a live socket's updates (live-writer.ts). */
import { describe, expect, it } from 'vitest';
import { LiveWriter } from '../../sync-server/live-writer.ts';

const u = (n: number): Uint8Array => new Uint8Array([n]);

describe('LiveWriter', () => {
  it('stores what arrives during an append together in the next one, in order', async () => {
    const groups: number[][] = [];
    let release: () => void = () => undefined;
    const writer = new LiveWriter(
      async (group) => {
        groups.push(group.map((g) => g[0] ?? -1));
        if (groups.length === 1) await new Promise<void>((r) => (release = r));
      },
      () => undefined,
    );
    writer.add(u(1));
    for (let i = 2; i <= 6; i++) writer.add(u(i));
    release();
    await writer.idle();
    expect(groups).toEqual([[1], [2, 3, 4, 5, 6]]);
  });

  it('a failed append ends the writer with the error and drops what waited', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const writer = new LiveWriter(
      async () => {
        calls++;
        throw new Error('disk full');
      },
      (err) => errors.push(err),
    );
    writer.add(u(1));
    writer.add(u(2));
    await writer.idle();
    expect(calls).toBe(1);
    expect(errors).toHaveLength(1);
  });
});
