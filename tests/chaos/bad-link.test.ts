import { describe, expect, it } from 'vitest';
import { runBadLink } from '../../chaos/bad-link.ts';
import { formatTable } from '../../chaos/report.ts';
import { LinkProxy } from '../support/link-proxy.ts';
import { NodeDevice, waitFor } from '../worker/support/device.ts';
import { addDevice, startTestServer } from '../server/helpers.ts';

describe('@chaos bad links between devices and the sync server', () => {
  it('[S1] [S3] [S6] latency, caps, drops and half-open stalls: after the links heal every replica converges, nothing confirmed is missing', async () => {
    // Stalls here are shorter than the heartbeat's silence limit (a long one costs over a minute; the
    // `npm run chaos` run has them): they end by healing, and the queued bytes arrive late.
    const r = await runBadLink({ seed: 11, durationMs: 10_000, devices: 3, longStalls: false });
    // S14 has its own test below, which fails today.
    const failures = r.failures.filter((f) => !f.startsWith('[S14]'));
    expect(failures, formatTable([r])).toEqual([]);
    expect(r.faults['stall'] ?? 0).toBeGreaterThan(0);
    expect(r.faults['drop'] ?? 0).toBeGreaterThan(0);
    expect(r.faults['latency'] ?? 0).toBeGreaterThan(0);
    expect(r.faults['bandwidth_cap'] ?? 0).toBeGreaterThan(0);
    expect(r.confirmed).toBeGreaterThan(0);
    expect(r.missing).toBe(0);
    expect(r.duplicates).toBe(0);
    expect(r.identical).toBe(true);
  }, 90_000);

  // Found by the bad-link run (fixed): with nothing to push or pull, SyncClient.pump waited on
  // `Promise.race([wake, conn.closed])` and, once the connection was closed, spun on that settled race
  // (a core at 100 %, an IndexedDB read per turn) instead of returning to reconnect.
  it('[S14] a link dropped while the device is idle is reconnected without new local work', async () => {
    const t = await startTestServer();
    const proxy = await LinkProxy.start({ host: '127.0.0.1', port: Number(new URL(t.url).port) });
    const d = new NodeDevice(await addDevice(t.store), `ws://127.0.0.1:${proxy.port}`);
    try {
      d.start();
      await waitFor('online', () => d.status?.phase === 'online');
      await d.intake('Võ Thị Rảnh Rỗi');
      await waitFor('pushed', async () => (await d.store.pendingCount()) === 0);
      // Idle: the push's ack, the Notify for its server stamps and the pull that follows are done. A
      // drop in the middle of a request is noticed by that request; the gap is the drop between them.
      let seen = -1;
      await waitFor('idle', () => {
        const now = d.wire.sent.length + d.wire.received.length;
        const quiet = now === seen;
        seen = now;
        return quiet;
      });
      await new Promise((r) => setTimeout(r, 300));
      proxy.dropAll();
      // The backoff of NodeDevice is at most 200 ms: a second connection is due well within 3 s.
      await waitFor('a new connection', () => proxy.stats.connections >= 2, 3_000);
    } finally {
      d.stop();
      await proxy.close();
      await t.close();
    }
  });
});
