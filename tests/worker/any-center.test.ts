import { afterEach, describe, expect, it } from 'vitest';
import { MsgType } from '../../src/protocol/constants.ts';
import { actOnDossier, dossierView, type DossierDeps } from '../../src/worker/dossier-api.ts';
import type { Session } from '../../src/worker/types.ts';
import { addDevice, OTHER_UNIT, startTestServer, type TestServer } from '../server/helpers.ts';
import { NodeDevice, waitFor } from './support/device.ts';

let server: TestServer | null = null;
const devices: NodeDevice[] = [];

afterEach(async () => {
  for (const d of devices.splice(0)) d.stop();
  await server?.close();
  server = null;
});

const leader: Session = { officerId: 'o-leader', username: 'lead', displayName: 'Lãnh đạo', role: 'leader' };

function deps(d: NodeDevice): DossierDeps {
  return { store: d.store, now: Date.now, newId: () => crypto.randomUUID(), unitName: (c) => c, officerNames: async () => ({}) };
}

describe('any-center intake across communes', () => {
  it('[S12][S13] a dossier transferred to another commune reaches it, its step comes back, and every event gets a server time', async () => {
    server = await startTestServer();
    const s = server;
    const a = new NodeDevice(await addDevice(s.store), s.wsUrl);
    const c = new NodeDevice(await addDevice(s.store, OTHER_UNIT), s.wsUrl);
    await s.store.putUnits([{ code: '20197', name: 'Phường Liên Chiểu' }]);
    const stranger = new NodeDevice(await addDevice(s.store, '20197'), s.wsUrl);
    devices.push(a, c, stranger);
    const docName = await a.intake('Võ Thị Hồng');
    const id = docName.split('/')[2] ?? '';
    a.start();
    c.start();
    stranger.start();

    const sent = await actOnDossier(deps(a), id, { type: 'transfer', to: { kind: 'other_commune', name: 'UBND Phường Hải Vân', unit: OTHER_UNIT } }, a.info, leader);
    expect(sent.ok).toBe(true);
    a.client?.kick();
    await waitFor('C holds the dossier', async () => (await c.store.db.dossiers.get(id)) !== undefined);

    const accepted = await actOnDossier(deps(c), id, { type: 'accept' }, c.info, leader);
    expect(accepted.ok).toBe(true);
    c.client?.kick();
    await waitFor('A sees the step taken in the other commune', async () => (await dossierView(deps(a), id, leader))?.state.status === 'processing');

    await waitFor('every event stamped by the server', async () => {
      const view = await dossierView(deps(a), id, leader);
      return view !== null && view.events.length === 3 && view.events.every((e) => e.serverAt !== null);
    });
    const view = await dossierView(deps(a), id, leader);
    expect(view?.events.map((e) => e.type)).toEqual(['received', 'transferred', 'accepted']);
    const stamps = view?.events.map((e) => e.serverAt ?? 0) ?? [];
    expect(stamps.every((t) => Math.abs(t - Date.now()) < 60_000)).toBe(true);
    // A third commune, neither home nor granted, never receives it.
    await waitFor('stranger pulled', () => stranger.wire.received.some((m) => m.type === MsgType.PullBatch));
    expect(await stranger.store.db.dossiers.count()).toBe(0);
    expect(await c.store.db.dossiers.count()).toBe(1);
  });
});
