/** Enrollment, health, the admin API and the static PWA files. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { MsgType, PROTOCOL_VERSION } from '../../src/protocol/constants.ts';
import type { ApiError, EnrollResponse } from '../../src/protocol/http.ts';
import { hashPassword, verifyPassword } from '../../sync-server/auth.ts';
import { addDevice, ADMIN_TOKEN, OTHER_UNIT, startTestServer, SyncTestClient, UNIT, type TestServer } from './helpers.ts';

const dist = mkdtempSync(join(tmpdir(), 'motcua-dist-'));
mkdirSync(join(dist, 'assets'));
writeFileSync(join(dist, 'index.html'), '<!doctype html><title>Một cửa</title>');
writeFileSync(join(dist, 'sw.js'), 'self.addEventListener("fetch", () => {});');
writeFileSync(join(dist, 'manifest.webmanifest'), '{"name":"Một cửa"}');
writeFileSync(join(dist, 'assets', 'app-abc123.js'), 'export {};');
writeFileSync(join(dist, '.env'), 'SECRET=1');
afterAll(() => rmSync(dist, { recursive: true, force: true }));

let t: TestServer | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

async function admin(server: TestServer, method: string, path: string, body?: unknown, token = ADMIN_TOKEN): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

async function enroll(server: TestServer, body: unknown): Promise<Response> {
  return fetch(`${server.url}/api/enroll`, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) });
}

/** A raw GET, because fetch() normalises away the `..` a path-traversal attempt needs. */
function rawGet(server: TestServer, path: string): Promise<number> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    })
      .on('error', reject)
      .end();
  });
}

describe('enrollment', () => {
  it('turns a code into a device token that opens /sync; a used-up code gets a Vietnamese error', async () => {
    t = await startTestServer();
    const pw = await hashPassword('demo1234');
    await t.store.putOfficer({ id: 'o1', unit: UNIT, username: 'demo', displayName: 'Cán bộ Demo', role: 'counter', ...pw });
    const created = await admin(t, 'POST', '/api/admin/enrollments', { unit: UNIT, uses: 1 });
    const { code } = (await created.json()) as { code: string };
    expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);

    const res = await enroll(t, { code: code.toLowerCase().replace(/-/g, ' '), label: 'Quầy 1' });
    expect(res.status).toBe(200);
    const device = (await res.json()) as EnrollResponse;
    expect(device).toMatchObject({ unit: UNIT, unitName: 'Phường Thanh Khê', ordinal: 0 });
    expect(device.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(device.officers).toEqual([{ id: 'o1', username: 'demo', displayName: 'Cán bộ Demo', role: 'counter', ...pw }]);

    const c = await SyncTestClient.open(t, device.token, 'protocol');
    expect((await c.next(MsgType.Welcome)).deviceId).toBe(device.deviceId);
    c.close();

    const again = await enroll(t, { code, label: 'Quầy 2' });
    expect(again.status).toBe(403);
    expect(await again.json()).toEqual({ error: 'invalid_code', message: 'Mã đăng ký không hợp lệ hoặc đã hết lượt' } satisfies ApiError);
    expect((await enroll(t, '{oops')).status).toBe(400);
    expect((await enroll(t, { code: 1 })).status).toBe(400);
  });

  it('a multi-use code enrolls several devices with distinct ordinals', async () => {
    t = await startTestServer();
    const { code } = (await (await admin(t, 'POST', '/api/admin/enrollments', { unit: OTHER_UNIT, uses: 3 })).json()) as { code: string };
    const ordinals = [];
    for (let i = 0; i < 3; i++) ordinals.push(((await (await enroll(t, { code, label: `M${i}` })).json()) as EnrollResponse).ordinal);
    expect(ordinals).toEqual([0, 1, 2]);
    expect((await enroll(t, { code, label: 'M4' })).status).toBe(403);
  });
});

describe('admin API', () => {
  it('adds an officer whom devices enrolled afterwards receive, with a hash the device can check', async () => {
    t = await startTestServer();
    const bad = await admin(t, 'POST', '/api/admin/officers', { unit: OTHER_UNIT, username: 'x', password: 'short' });
    expect(bad.status).toBe(400);
    const saved = await admin(t, 'POST', '/api/admin/officers', { unit: OTHER_UNIT, username: 'Demo20194', password: 'demo-20194-pw', role: 'leader' });
    expect(await saved.json()).toMatchObject({ unit: OTHER_UNIT, username: 'demo20194', displayName: 'demo20194', role: 'leader', disabled: false });
    const { code } = (await (await admin(t, 'POST', '/api/admin/enrollments', { unit: OTHER_UNIT })).json()) as { code: string };
    const device = (await (await enroll(t, { code, label: 'M' })).json()) as EnrollResponse;
    const officer = device.officers.find((o) => o.username === 'demo20194');
    expect(officer?.role).toBe('leader');
    expect(await verifyPassword('demo-20194-pw', { salt: officer?.salt ?? '', hash: officer?.hash ?? '', iterations: officer?.iterations ?? 0 })).toBe(true);
  });

  it('requires the admin token', async () => {
    t = await startTestServer();
    const res = await admin(t, 'GET', '/api/admin/stats', undefined, 'wrong');
    expect(res.status).toBe(401);
    expect(((await res.json()) as ApiError).error).toBe('unauthorized');
    expect((await fetch(`${t.url}/api/admin/stats`)).status).toBe(401);
  });

  it('reports stats and per-doc rows, and revokes devices', async () => {
    t = await startTestServer();
    const a = await addDevice(t.store);
    const c = await SyncTestClient.open(t, a.token);
    await c.next(MsgType.Welcome);
    const doc = `${UNIT}/queue/2026-11-22`;
    c.send({ type: MsgType.Push, batchId: 'b', items: [{ doc, update: new Uint8Array([0, 0]) }] });
    await c.next(MsgType.PushAck);
    c.close();

    expect(await (await admin(t, 'GET', '/api/admin/stats')).json()).toEqual({ headSeq: 1, rows: 1, batches: 1, devices: 1 });
    expect(await (await admin(t, 'GET', `/api/admin/docs?unit=${UNIT}`)).json()).toEqual([{ doc, rows: 1, lastSeq: 1 }]);
    expect((await admin(t, 'GET', '/api/admin/docs?unit=x')).status).toBe(400);
    const devices = (await (await admin(t, 'GET', `/api/admin/devices?unit=${UNIT}`)).json()) as Record<string, unknown>[];
    expect(devices).toHaveLength(1);
    expect(devices[0]).not.toHaveProperty('tokenHash');
    expect((await admin(t, 'POST', '/api/admin/devices/nope/revoke')).status).toBe(404);
    expect((await admin(t, 'POST', '/api/admin/enrollments', { unit: '99999', uses: 1 })).status).toBe(400);
    expect((await admin(t, 'POST', '/api/admin/enrollments', { unit: UNIT, uses: 0 })).status).toBe(400);
  });
});

describe('health and static files', () => {
  it('answers health', async () => {
    t = await startTestServer();
    expect(await (await fetch(`${t.url}/api/health`)).json()).toMatchObject({ ok: true, protocol: PROTOCOL_VERSION, headSeq: 0 });
    expect((await fetch(`${t.url}/api/nothing`)).status).toBe(404);
  });

  it('serves the PWA with the right types and cache headers, falls back to index.html, and never leaves the folder', async () => {
    t = await startTestServer({ staticDir: dist });
    const get = (path: string, accept = '*/*'): Promise<Response> => fetch(`${t?.url ?? ''}${path}`, { headers: { accept } });

    const index = await get('/', 'text/html');
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect((await get('/sw.js')).headers.get('cache-control')).toBe('no-cache');
    expect((await get('/sw.js')).headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await get('/manifest.webmanifest')).headers.get('content-type')).toBe('application/manifest+json; charset=utf-8');
    const asset = await get('/assets/app-abc123.js');
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await asset.text()).toBe('export {};');

    const route = await get('/ho-so/123', 'text/html,application/xhtml+xml');
    expect(route.status).toBe(200);
    expect(await route.text()).toContain('Một cửa');
    expect((await get('/assets/missing.js')).status).toBe(404);
    expect((await get('/.env')).status).toBe(404);

    const etag = index.headers.get('etag') ?? '';
    expect((await fetch(`${t.url}/index.html`, { headers: { 'if-none-match': etag } })).status).toBe(304);
    expect((await fetch(`${t.url}/index.html`, { method: 'POST' })).status).toBe(405);

    for (const path of ['/../package.json', '/assets/../../package.json', '/%2e%2e/package.json', '/..%2f..%2fetc/passwd', '/%00']) {
      expect([400, 404]).toContain(await rawGet(t, path));
    }
  });
});
