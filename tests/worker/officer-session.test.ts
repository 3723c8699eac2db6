/** The officer's session on the device (S23): in memory only, the idle lock, the delay, the upgrade, the refreshed list. */
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { META } from '../../src/worker/local-store.ts';
import { FIRST_DELAY_MS } from '../../src/worker/login-throttle.ts';
import type { LocalVerifier } from '../../src/worker/officer-auth.ts';
import { OFFICER_META } from '../../src/worker/officer-source.ts';
import type { IntakeInput } from '../../src/worker/types.ts';
import { startTestServer, UNIT, type TestServer } from '../server/helpers.ts';
import { waitFor } from './support/device.ts';
import { addOfficer, adminCall, enrollDevice, officerDevice, type OfficerDevice } from './support/officer-device.ts';

let server: TestServer | null = null;
const devices: OfficerDevice[] = [];
afterEach(async () => {
  for (const d of devices.splice(0)) d.api.logout();
  await server?.close();
  server = null;
});

const PW = 'mat-khau-lan-2026';

async function setup(): Promise<{ s: TestServer; dev: OfficerDevice; lan: string }> {
  server = await startTestServer();
  const lan = await addOfficer(server, 'lan', PW);
  const dev = officerDevice(server);
  devices.push(dev);
  await enrollDevice(server, dev);
  return { s: server, dev, lan };
}

const EMPTY_INTAKE = { procedureCode: '', applicant: { name: '', cccd: '', phone: '', address: '' }, components: [] } as unknown as IntakeInput;

describe('[S23] sessions on the device', () => {
  it('keeps the session in the worker only: never in IndexedDB, gone for the next worker, an old stored one deleted', async () => {
    const { s, dev } = await setup();
    await dev.store.setMeta(META.session, { officerId: 'x', username: 'lan', displayName: 'Lan', role: 'counter' });
    expect((await dev.api.boot()).session).toBeNull();
    expect(await dev.store.getMeta(META.session)).toBeUndefined();
    const out = await dev.api.login('lan', PW);
    expect(out.ok).toBe(true);
    expect(await dev.store.getMeta(META.session)).toBeUndefined();
    expect(dev.api.auth.state()).toMatchObject({ session: { username: 'lan' }, locked: false });
    // A reload, a second tab, a restarted browser: a new worker on the same IndexedDB.
    const again = officerDevice(s, dev.store);
    devices.push(again);
    const boot = await again.api.boot();
    expect(boot.device?.unit).toBe(UNIT);
    expect(boot.session).toBeNull();
    expect((await again.api.intake(EMPTY_INTAKE)) as unknown).toMatchObject({ ok: false, reason: 'signed_out' });
    dev.api.logout();
    expect(dev.api.auth.state().session).toBeNull();
    expect((await dev.api.intake(EMPTY_INTAKE)) as unknown).toMatchObject({ ok: false, reason: 'signed_out' });
  });

  it('locks itself after the idle time, refuses every dossier read and write while locked, and opens only with the password', async () => {
    const { dev } = await setup();
    await dev.api.login('lan', PW);
    dev.api.auth.setIdleLock(1_000);
    // Input keeps it open.
    for (let i = 0; i < 5; i++) {
      dev.clock += 600;
      dev.api.auth.activity();
      await new Promise((r) => setTimeout(r, 30));
    }
    expect(dev.api.auth.state().locked).toBe(false);
    dev.clock += 1_000;
    await waitFor('locked', () => dev.api.auth.state().locked);
    expect(dev.states.at(-1)).toMatchObject({ locked: true, reason: 'idle', session: { username: 'lan' } });

    expect(await dev.api.intake(EMPTY_INTAKE)).toMatchObject({ ok: false, reason: 'locked' });
    expect(await dev.api.act('any', { type: 'start_processing' } as never)).toMatchObject({ ok: false, reason: 'locked' });
    await expect(dev.api.dossier('any')).rejects.toMatchObject({ code: 'locked' });
    await expect(dev.api.dueAlerts({ officer: null, now: dev.clock, until: dev.clock + 1, running: ['received'] })).rejects.toMatchObject({ code: 'locked' });
    // Input does not open it.
    dev.api.auth.activity();
    expect(dev.api.auth.state().locked).toBe(true);

    expect(await dev.api.unlock('sai-mat-khau-roi')).toMatchObject({ ok: false, reason: 'bad_credentials' });
    expect(dev.api.auth.state().locked).toBe(true);
    expect(await dev.api.unlock(PW)).toMatchObject({ ok: true, value: { username: 'lan' } });
    expect(dev.api.auth.state()).toMatchObject({ locked: false, session: { username: 'lan' } });
    expect(await dev.api.dossier('none')).toBeNull();
    expect((await dev.api.intake(EMPTY_INTAKE)) as unknown).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it('makes sign-ins wait after 5 failures, 30 s doubling, across a reload, until one succeeds', async () => {
    const { s, dev } = await setup();
    for (let i = 1; i <= 4; i++) expect(await dev.api.login('lan', `sai-${i}-mat-khau`)).toMatchObject({ ok: false, reason: 'bad_credentials' });
    expect(await dev.api.signInWait()).toBeNull();
    const fifth = await dev.api.login('lan', 'sai-5-mat-khau');
    expect(fifth).toMatchObject({ ok: false, reason: 'throttled', retryAt: dev.clock + FIRST_DELAY_MS });
    if (!fifth.ok) expect(fifth.message).toContain('30 giây');
    // The right password is not even checked during the delay.
    expect(await dev.api.login('lan', PW)).toMatchObject({ ok: false, reason: 'throttled' });

    const reloaded = officerDevice(s, dev.store);
    devices.push(reloaded);
    reloaded.clock = dev.clock + 10_000;
    await reloaded.api.boot();
    expect(await reloaded.api.signInWait()).toBe(dev.clock + FIRST_DELAY_MS);
    expect(await reloaded.api.login('lan', PW)).toMatchObject({ ok: false, reason: 'throttled' });

    reloaded.clock = dev.clock + FIRST_DELAY_MS;
    const sixth = await reloaded.api.login('lan', 'sai-6-mat-khau');
    expect(sixth).toMatchObject({ ok: false, reason: 'throttled', retryAt: reloaded.clock + 2 * FIRST_DELAY_MS });
    reloaded.clock += 2 * FIRST_DELAY_MS;
    expect(await reloaded.api.login('lan', PW)).toMatchObject({ ok: true });
    expect(await reloaded.store.getMeta(OFFICER_META.failures)).toEqual({ count: 0, until: 0 });
    reloaded.api.logout();
    expect(await reloaded.api.login('lan', 'sai-7-mat-khau')).toMatchObject({ ok: false, reason: 'bad_credentials' });
  });

  it('signs in on a full disk (its bookkeeping writes refused), and still counts wrong passwords in memory', async () => {
    const { dev } = await setup();
    const full = (): Promise<never> => Promise.reject(new DOMException('disk full', 'QuotaExceededError'));
    dev.store.db.meta.put = full as unknown as typeof dev.store.db.meta.put;
    dev.store.setMeta = full as unknown as typeof dev.store.setMeta;
    expect(await dev.api.login('lan', 'sai-1-mat-khau')).toMatchObject({ ok: false, reason: 'bad_credentials' });
    // A success after a failure wants to clear the count: refused by the disk, the sign-in still opens.
    expect(await dev.api.login('lan', PW)).toMatchObject({ ok: true });
    dev.api.logout();
    for (let i = 1; i <= 4; i++) expect(await dev.api.login('lan', `sai-${i}-mat-khau`)).toMatchObject({ ok: false, reason: 'bad_credentials' });
    expect(await dev.api.login('lan', 'sai-5-mat-khau')).toMatchObject({ ok: false, reason: 'throttled' });
    expect(await dev.api.login('lan', PW)).toMatchObject({ ok: false, reason: 'throttled' });
  });

  it('upgrades a 100,000-iteration hash to a 600,000 verifier on the device, used until the server record changes', async () => {
    server = await startTestServer();
    const s = server;
    const salt = randomBytes(16);
    const oldHash = pbkdf2Sync('mat-khau-cu-100k', salt, 100_000, 32, 'sha256').toString('base64');
    await s.store.putOfficer({ id: 'old', unit: UNIT, username: 'cu', displayName: 'Cán bộ cũ', role: 'counter', salt: salt.toString('base64'), hash: oldHash, iterations: 100_000 });
    const dev = officerDevice(s);
    devices.push(dev);
    await enrollDevice(s, dev);
    expect(await dev.store.getMeta(OFFICER_META.verifiers)).toBeUndefined();

    expect(await dev.api.login('cu', 'mat-khau-cu-100k')).toMatchObject({ ok: true });
    const verifiers = (await dev.store.getMeta<Record<string, LocalVerifier>>(OFFICER_META.verifiers)) ?? {};
    const v = verifiers.old;
    expect(v).toMatchObject({ serverSalt: salt.toString('base64'), serverHash: oldHash, iterations: 600_000 });
    expect(v?.hash).not.toBe(oldHash);
    expect(pbkdf2Sync('mat-khau-cu-100k', Buffer.from(v?.salt ?? '', 'base64'), 600_000, 32, 'sha256').toString('base64')).toBe(v?.hash);
    dev.api.logout();

    // The verifier is what is checked now: spoil it and the right password fails.
    await dev.store.setMeta(OFFICER_META.verifiers, { old: { ...v, hash: Buffer.alloc(32).toString('base64') } });
    expect(await dev.api.login('cu', 'mat-khau-cu-100k')).toMatchObject({ ok: false, reason: 'bad_credentials' });
    await dev.store.setMeta(OFFICER_META.verifiers, { old: v });
    expect(await dev.api.login('cu', 'mat-khau-cu-100k')).toMatchObject({ ok: true });

    // A reset on the server: the next connection brings the new record and drops the verifier.
    await adminCall(s, 'POST', '/api/admin/officers/old', { password: 'mat-khau-moi-600k' });
    await dev.api.refreshOfficers();
    expect(dev.api.auth.state()).toMatchObject({ session: null });
    expect(dev.states.at(-1)).toMatchObject({ session: null, reason: 'changed' });
    expect(await dev.store.getMeta(OFFICER_META.verifiers)).toEqual({});
    expect(await dev.api.login('cu', 'mat-khau-cu-100k')).toMatchObject({ ok: false, reason: 'bad_credentials' });
    expect(await dev.api.login('cu', 'mat-khau-moi-600k')).toMatchObject({ ok: true });
  });

  it('a refreshed list signs a disabled officer out at once and refuses their sign-in; 304 while nothing changed', async () => {
    const { s, dev, lan } = await setup();
    await addOfficer(s, 'hoa', 'mat-khau-hoa-2026');
    await dev.api.refreshOfficers();
    expect(dev.fetches.at(-1)).toEqual({ path: '/api/officers', status: 200 });
    expect(Object.values(await dev.api.officerNames())).toEqual(['Cán bộ hoa', 'Cán bộ lan']);
    await dev.api.refreshOfficers();
    expect(dev.fetches.at(-1)).toEqual({ path: '/api/officers', status: 304 });

    expect(await dev.api.login('lan', PW)).toMatchObject({ ok: true });
    await adminCall(s, 'POST', `/api/admin/officers/${lan}`, { disabled: true });
    // Still signed in until the device hears of it: offline, nothing can tell it.
    expect(dev.api.auth.state().session?.username).toBe('lan');
    await dev.api.refreshOfficers();
    expect(dev.fetches.at(-1)).toEqual({ path: '/api/officers', status: 200 });
    expect(dev.states.at(-1)).toEqual({ session: null, locked: false, reason: 'disabled' });
    expect(await dev.api.intake(EMPTY_INTAKE)).toMatchObject({ ok: false, reason: 'signed_out' });
    expect(await dev.api.login('lan', PW)).toMatchObject({ ok: false, reason: 'disabled', message: 'Tài khoản này đã bị vô hiệu hoá. Hãy liên hệ quản trị viên.' });
    // The name stays for timelines.
    expect(Object.values(await dev.api.officerNames())).toContain('Cán bộ lan');
    // Another officer is untouched by it; a role change applies to a session at once.
    expect(await dev.api.login('hoa', 'mat-khau-hoa-2026')).toMatchObject({ ok: true });
    const hoa = dev.api.auth.state().session?.officerId ?? '';
    await adminCall(s, 'POST', `/api/admin/officers/${hoa}`, { role: 'leader' });
    await dev.api.refreshOfficers();
    expect(dev.api.auth.state().session).toMatchObject({ username: 'hoa', role: 'leader' });

    await adminCall(s, 'POST', `/api/admin/officers/${lan}`, { disabled: false });
    await dev.api.refreshOfficers();
    dev.api.logout();
    expect(await dev.api.login('lan', PW)).toMatchObject({ ok: true });
  });

  it('keeps its list when the server cannot be reached', async () => {
    const { s, dev } = await setup();
    await s.close();
    server = null;
    await dev.api.refreshOfficers();
    expect(await dev.api.login('lan', PW)).toMatchObject({ ok: true });
  });
});
