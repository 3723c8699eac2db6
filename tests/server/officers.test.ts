/** Officer accounts with a life cycle (S23): the admin routes, their refusals, and GET /api/officers. */
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiError, EnrollResponse, OfficersResponse } from '../../src/protocol/http.ts';
import { OFFICERS_PATH } from '../../src/protocol/http.ts';
import { hashPassword, newToken, PASSWORD_HASH, verifyPassword } from '../../sync-server/auth.ts';
import type { PublicOfficer } from '../../sync-server/admin-officers.ts';
import { addDevice, ADMIN_TOKEN, OTHER_UNIT, startTestServer, UNIT, type TestServer } from './helpers.ts';

let t: TestServer | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

const PASSWORD = 'mat-khau-dai-10';

function admin(server: TestServer, method: string, path: string, body?: unknown, token = ADMIN_TOKEN): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

async function create(server: TestServer, body: Record<string, unknown>): Promise<PublicOfficer> {
  const res = await admin(server, 'POST', '/api/admin/officers', { unit: UNIT, password: PASSWORD, ...body });
  expect(res.status).toBe(200);
  return (await res.json()) as PublicOfficer;
}

async function change(server: TestServer, id: string, body: unknown): Promise<Response> {
  return admin(server, 'POST', `/api/admin/officers/${id}`, body);
}

async function listed(server: TestServer, unit = UNIT): Promise<{ version: number; officers: PublicOfficer[] }> {
  const res = await admin(server, 'GET', `/api/admin/officers?unit=${unit}`);
  expect(res.status).toBe(200);
  return (await res.json()) as { version: number; officers: PublicOfficer[] };
}

function deviceGet(server: TestServer, token: string | null, ifNoneMatch?: string): Promise<Response> {
  const headers: Record<string, string> = {};
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (ifNoneMatch !== undefined) headers['if-none-match'] = ifNoneMatch;
  return fetch(`${server.url}${OFFICERS_PATH}`, { headers });
}

async function refusal(res: Response, status: number): Promise<ApiError> {
  expect(res.status).toBe(status);
  return (await res.json()) as ApiError;
}

describe('[S23] officer accounts through the admin API', () => {
  it('creates an officer with a 600,000-iteration hash and lists it without salt or hash', async () => {
    t = await startTestServer();
    const o = await create(t, { username: 'Lan.Nguyen', displayName: 'Nguyễn Thị Lan', role: 'processing' });
    expect(o).toMatchObject({ unit: UNIT, username: 'lan.nguyen', displayName: 'Nguyễn Thị Lan', role: 'processing', disabled: false });
    const stored = await t.store.getOfficer(o.id);
    expect(stored?.iterations).toBe(600_000);
    expect(PASSWORD_HASH.iterations).toBe(600_000);
    expect(await verifyPassword(PASSWORD, stored ?? { salt: '', hash: '', iterations: 1 })).toBe(true);
    const list = await listed(t);
    expect(list.version).toBe(1);
    expect(list.officers).toEqual([o]);
    expect(JSON.stringify(list)).not.toContain(stored?.hash ?? 'x');
    expect(JSON.stringify(list)).not.toContain('salt');
    expect((await listed(t, OTHER_UNIT)).officers).toEqual([]);
  });

  it('refuses a short password, a bad username, role or name, an unknown unit and a taken username, in Vietnamese', async () => {
    t = await startTestServer();
    const short = await refusal(await admin(t, 'POST', '/api/admin/officers', { unit: UNIT, username: 'lan', password: '123456789' }), 400);
    expect(short.message).toBe('Mật khẩu phải có ít nhất 10 ký tự');
    // Ten code points, however many UTF-16 units or bytes: accepted.
    await create(t, { username: 'hoa', password: 'mậtkhẩuđủ1' });
    expect((await refusal(await admin(t, 'POST', '/api/admin/officers', { unit: UNIT, username: 'x', password: PASSWORD }), 400)).message).toContain('Tên đăng nhập');
    expect((await refusal(await admin(t, 'POST', '/api/admin/officers', { unit: UNIT, username: 'lan', password: PASSWORD, role: 'admin' }), 400)).message).toContain('Vai trò');
    expect((await refusal(await admin(t, 'POST', '/api/admin/officers', { unit: UNIT, username: 'lan', password: PASSWORD, displayName: ' ' }), 400)).message).toContain('Họ tên');
    expect((await refusal(await admin(t, 'POST', '/api/admin/officers', { unit: '99999', username: 'lan', password: PASSWORD }), 400)).message).toContain('đơn vị');
    await create(t, { username: 'lan' });
    const dup = await refusal(await admin(t, 'POST', '/api/admin/officers', { unit: UNIT, username: 'LAN', password: PASSWORD }), 409);
    expect(dup.message).toBe('Đơn vị đã có cán bộ với tên đăng nhập này');
    // The same username in another commune is another officer.
    expect((await admin(t, 'POST', '/api/admin/officers', { unit: OTHER_UNIT, username: 'lan', password: PASSWORD })).status).toBe(200);
    expect((await listed(t)).officers.map((o) => o.username)).toEqual(['hoa', 'lan']);
  });

  it('needs the admin token for every officer route', async () => {
    t = await startTestServer();
    const o = await create(t, { username: 'lan' });
    for (const [method, path, body] of [
      ['GET', `/api/admin/officers?unit=${UNIT}`, undefined],
      ['POST', '/api/admin/officers', { unit: UNIT, username: 'hoa', password: PASSWORD }],
      ['POST', `/api/admin/officers/${o.id}`, { disabled: true }],
    ] as const) {
      expect((await refusal(await admin(t, method, path, body, 'wrong-token'), 401)).error).toBe('unauthorized');
    }
    const device = await addDevice(t.store);
    expect((await admin(t, 'GET', `/api/admin/officers?unit=${UNIT}`, undefined, device.token)).status).toBe(401);
    expect((await listed(t)).officers.map((o) => o.username)).toEqual(['lan']);
    expect((await t.store.getOfficer(o.id))?.disabledAt).toBeNull();
  });

  it('disables and enables, changes the role and name, resets the password; each change moves the version', async () => {
    t = await startTestServer();
    const o = await create(t, { username: 'lan' });
    const before = await t.store.getOfficer(o.id);
    expect((await listed(t)).version).toBe(1);

    const disabled = (await (await change(t, o.id, { disabled: true })).json()) as PublicOfficer;
    expect(disabled.disabled).toBe(true);
    expect(disabled.disabledAt).toBeGreaterThan(0);
    expect((await listed(t)).version).toBe(2);
    expect(await t.store.listOfficers(UNIT)).toEqual([]);

    const enabled = (await (await change(t, o.id, { disabled: false })).json()) as PublicOfficer;
    expect(enabled).toMatchObject({ disabled: false, disabledAt: null });
    expect((await listed(t)).version).toBe(3);

    const moved = (await (await change(t, o.id, { role: 'leader', displayName: 'Trần Lan' })).json()) as PublicOfficer;
    expect(moved).toMatchObject({ role: 'leader', displayName: 'Trần Lan', username: 'lan' });
    expect((await listed(t)).version).toBe(4);

    expect((await change(t, o.id, { password: 'mat-khau-moi-2026' })).status).toBe(200);
    const after = await t.store.getOfficer(o.id);
    expect(after?.salt).not.toBe(before?.salt);
    expect(await verifyPassword('mat-khau-moi-2026', after ?? { salt: '', hash: '', iterations: 1 })).toBe(true);
    expect(await verifyPassword(PASSWORD, after ?? { salt: '', hash: '', iterations: 1 })).toBe(false);
    expect((await listed(t)).version).toBe(5);
  });

  it('refuses changes that are not one: unknown officer, nothing to change, bad values, short password', async () => {
    t = await startTestServer();
    const o = await create(t, { username: 'lan' });
    expect((await refusal(await change(t, 'no-such-officer', { disabled: true }), 404)).message).toBe('Không tìm thấy cán bộ');
    expect((await refusal(await change(t, o.id, {}), 400)).message).toContain('Không có thay đổi');
    expect((await refusal(await change(t, o.id, { disabled: 'yes' }), 400)).message).toContain('disabled');
    expect((await refusal(await change(t, o.id, { role: 'root' }), 400)).message).toContain('Vai trò');
    expect((await refusal(await change(t, o.id, { password: 'ngan' }), 400)).message).toBe('Mật khẩu phải có ít nhất 10 ký tự');
    expect((await admin(t, 'GET', `/api/admin/officers/${o.id}`)).status).toBe(405);
    expect((await listed(t)).version).toBe(1);
  });

  it('logs each change as an event with neither the password nor the hash', async () => {
    t = await startTestServer();
    const o = await create(t, { username: 'lan' });
    await change(t, o.id, { password: 'mat-khau-moi-2026', disabled: true });
    const stored = await t.store.getOfficer(o.id);
    const events = t.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => String(e.ev).startsWith('officer_'));
    expect(events).toEqual([
      { ev: 'officer_created', unit: UNIT, officer: o.id, role: 'counter' },
      { ev: 'officer_changed', unit: UNIT, officer: o.id, changed: 'disabled,password' },
    ]);
    const all = t.logs.join('\n');
    for (const secret of [PASSWORD, 'mat-khau-moi-2026', stored?.hash ?? 'x', stored?.salt ?? 'x']) expect(all).not.toContain(secret);
  });

  it('still verifies a 100,000-iteration hash made before, by the iterations stored with it', async () => {
    t = await startTestServer();
    const old = { ...(await hashPassword('demo-cu-100k')), iterations: 100_000 };
    // Re-derived at 100,000: what an older server stored.
    const { pbkdf2Sync } = await import('node:crypto');
    const hash = pbkdf2Sync('demo-cu-100k', Buffer.from(old.salt, 'base64'), 100_000, 32, 'sha256').toString('base64');
    await t.store.putOfficer({ id: 'old', unit: UNIT, username: 'cu', displayName: 'Cũ', role: 'counter', salt: old.salt, hash, iterations: 100_000 });
    const stored = await t.store.getOfficer('old');
    expect(await verifyPassword('demo-cu-100k', stored ?? old)).toBe(true);
    expect(await verifyPassword('demo-cu-100x', stored ?? old)).toBe(false);
  });
});

describe('[S23] GET /api/officers for devices', () => {
  it('needs an enrolled, unrevoked device', async () => {
    t = await startTestServer();
    const a = await addDevice(t.store);
    const none = await deviceGet(t, null);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect((await deviceGet(t, newToken())).status).toBe(401);
    expect((await deviceGet(t, ADMIN_TOKEN)).status).toBe(401);
    expect((await deviceGet(t, a.token)).status).toBe(200);
    await t.store.revokeDevice(a.device.id, Date.now());
    expect((await deviceGet(t, a.token)).status).toBe(401);
    expect((await fetch(`${t.url}${OFFICERS_PATH}`, { method: 'POST', headers: { authorization: `Bearer ${a.token}` } })).status).toBe(405);
  });

  it("answers the device's own unit, with an ETag, 304 while unchanged, the new list after a change", async () => {
    t = await startTestServer();
    const a = await addDevice(t.store);
    const lan = await create(t, { username: 'lan' });
    await admin(t, 'POST', '/api/admin/officers', { unit: OTHER_UNIT, username: 'khac', password: PASSWORD });
    const first = await deviceGet(t, a.token);
    const etag = first.headers.get('etag') ?? '';
    expect(etag).toMatch(/^"1\./);
    const body = (await first.json()) as OfficersResponse;
    expect(body.version).toBe(1);
    expect(body.officers.map((o) => o.username)).toEqual(['lan']);
    const stored = await t.store.getOfficer(lan.id);
    expect(body.officers[0]).toEqual({ id: lan.id, username: 'lan', displayName: 'lan', role: 'counter', salt: stored?.salt, hash: stored?.hash, iterations: 600_000 });

    const same = await deviceGet(t, a.token, etag);
    expect(same.status).toBe(304);
    expect(same.headers.get('etag')).toBe(etag);
    expect(await same.text()).toBe('');

    await change(t, lan.id, { disabled: true });
    const next = await deviceGet(t, a.token, etag);
    expect(next.status).toBe(200);
    expect(next.headers.get('etag')).not.toBe(etag);
    const after = (await next.json()) as OfficersResponse;
    expect(after.version).toBe(2);
    // Listed for its name, with nothing a device could sign in with.
    expect(after.officers).toEqual([{ id: lan.id, username: 'lan', displayName: 'lan', role: 'counter', salt: '', hash: '', iterations: 0, disabled: true }]);
  });

  it('a device enrolled while an officer is disabled does not receive that officer', async () => {
    t = await startTestServer();
    const lan = await create(t, { username: 'lan' });
    await create(t, { username: 'hoa' });
    await change(t, lan.id, { disabled: true });
    const { code } = (await (await admin(t, 'POST', '/api/admin/enrollments', { unit: UNIT })).json()) as { code: string };
    const res = await fetch(`${t.url}/api/enroll`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code, label: 'M' }) });
    const enrolled = (await res.json()) as EnrollResponse;
    expect(enrolled.officers.map((o) => o.username)).toEqual(['hoa']);
  });
});
