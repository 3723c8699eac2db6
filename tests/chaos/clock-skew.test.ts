import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChaosDevice } from '../../chaos/devices.ts';
import { Rng } from '../../chaos/prng.ts';
import { converged } from '../../chaos/server-crash.ts';
import { Projector } from '../../src/worker/projector.ts';
import { addDevice, startTestServer, type TestServer } from '../server/helpers.ts';

const DAY = 86_400_000;
let t: TestServer;
let devices: ChaosDevice[];
let states: ReturnType<Projector['derive']>[];
let start = 0;

beforeAll(async () => {
  t = await startTestServer();
  start = Date.now();
  // A laptop three days ahead, one five hours behind, one right.
  const skews = [3 * DAY, -5 * 3_600_000, 0];
  devices = [];
  for (const skew of skews) {
    const d = await addDevice(t.store);
    const enrolled = { deviceId: d.device.id, token: d.token, unit: d.device.unit, unitName: 'test', ordinal: d.device.ordinal, officers: [] };
    devices.push(new ChaosDevice(enrolled, t.wsUrl, skew));
  }
  for (const d of devices) d.startSkewed();
  const rng = new Rng(17);
  const [ahead, behind, right] = devices as [ChaosDevice, ChaosDevice, ChaosDevice];
  const doc = await ahead.intakeOne(rng, 'Phạm Văn Lệch Giờ', '001099000111');
  await converged(devices, 15_000);
  expect(await behind.step(rng, doc)).toBe(true);
  await converged(devices, 15_000);
  expect(await right.step(rng, doc)).toBe(true);
  await converged(devices, 15_000);
  states = [];
  for (const d of devices) {
    const y = await d.store.loadDoc(doc);
    if (y === null) throw new Error('doc missing');
    states.push(new Projector(null).derive(y));
  }
});

afterAll(async () => {
  for (const d of devices) d.stop();
  await t.close();
});

describe('@chaos clock skew', () => {
  it('[S13] [S11] every event gets a server stamp from the server clock, and all replicas derive the same order and status', () => {
    const end = Date.now();
    for (const s of states) {
      expect(s.events).toHaveLength(3);
      for (const e of s.events) {
        expect(e.serverAt).not.toBeNull();
        expect(e.serverAt ?? 0).toBeGreaterThanOrEqual(start - 1000);
        expect(e.serverAt ?? 0).toBeLessThanOrEqual(end + 1000);
      }
      expect(JSON.stringify(s.state)).toBe(JSON.stringify(states[0]?.state));
    }
    // The reducer applies the intake first although the device behind dated a step before it (S11).
    expect(states[0]?.state.eventCount).toBe(3);
  });

  it('[S13] a receipt dated three days ahead by its laptop is dated by the server instead, and flagged', () => {
    const s = states[0];
    const received = s?.state.receivedAt ?? 0;
    expect(received).toBeGreaterThanOrEqual(start - 1000);
    expect(received).toBeLessThanOrEqual(Date.now() + 1000);
    const intake = s?.events.find((e) => e.type === 'received');
    expect(s?.state.conflicts.map((c) => c.eventId)).toEqual([intake?.id]);
    expect(s?.state.conflicts[0]?.reason).toMatch(/nhanh hơn giờ máy chủ 72 giờ/);
    // The timeline still shows what the laptop recorded, next to the server's time.
    expect((intake?.at ?? 0) - (intake?.serverAt ?? 0)).toBeGreaterThan(2 * DAY);
  });

  it('[S11] the timeline lists events in the order the reducer applies them: the receipt first', () => {
    expect(states[0]?.events[0]?.type).toBe('received');
    expect(states.every((s) => JSON.stringify(s.events.map((e) => e.id)) === JSON.stringify(states[0]?.events.map((e) => e.id)))).toBe(true);
  });
});
