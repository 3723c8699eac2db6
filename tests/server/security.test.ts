/**
 * The server's web hardening and security logs, in process: headers on every answer, the limits on
 * enrollment codes, the per-client limits on wrong codes and wrong admin tokens (behind a trusted
 * proxy header too), their log lines without secrets, the demo flag of /api/health, disk_full, and
 * the export's formula-safe CSV.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/domain/csv.ts';
import { ENROLLMENT_LIMITS } from '../../sync-server/admin.ts';
import { isDiskFull } from '../../sync-server/disk-full.ts';
import { CONTENT_SECURITY_POLICY } from '../../sync-server/security-headers.ts';
import { DEMO_MARKER_SETTING } from '../../sync-server/seed.ts';
import { MemoryStore } from '../../sync-server/store/memory.ts';
import { CloseCode, MsgType } from '../../src/protocol/constants.ts';
import { addDevice, ADMIN_TOKEN, dossierDoc, fieldsUpdate, startTestServer, SyncTestClient, UNIT, type TestServer } from './helpers.ts';

const dist = mkdtempSync(join(tmpdir(), 'motcua-sec-'));
mkdirSync(join(dist, 'assets'));
writeFileSync(join(dist, 'index.html'), '<!doctype html><title>Một cửa</title>');
writeFileSync(join(dist, 'assets', 'app-abc123.js'), 'export {};');
afterAll(() => rmSync(dist, { recursive: true, force: true }));

let t: TestServer | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
  delete process.env.TRUSTED_PROXY_HEADER;
});

const events = (server: TestServer, ev: string): Record<string, unknown>[] =>
  server.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => e.ev === ev);

function post(server: TestServer, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

const adminPost = (server: TestServer, path: string, body: unknown) => post(server, path, body, { authorization: `Bearer ${ADMIN_TOKEN}` });
const wrongCode = (server: TestServer, from?: string) =>
  post(server, '/api/enroll', { code: 'ZZZZ-ZZZZ-ZZZZ', label: 'x' }, from === undefined ? {} : { 'x-forwarded-for': from });

describe('security headers', () => {
  it('every answer (the app, its assets, the API, errors, 304s) carries the CSP, no-referrer and nosniff', async () => {
    t = await startTestServer({ staticDir: dist });
    const page = await fetch(`${t.url}/`, { headers: { accept: 'text/html' } });
    const answers = [
      page,
      await fetch(`${t.url}/intake`, { headers: { accept: 'text/html' } }),
      await fetch(`${t.url}/assets/app-abc123.js`),
      await fetch(`${t.url}/`, { headers: { accept: 'text/html', 'if-none-match': page.headers.get('etag') ?? '' } }),
      await fetch(`${t.url}/api/health`),
      await fetch(`${t.url}/api/nothing`),
      await fetch(`${t.url}/api/admin/stats`),
      await fetch(`${t.url}/missing.png`),
    ];
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 304, 200, 404, 401, 404]);
    for (const r of answers) {
      expect(r.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
      expect(r.headers.get('referrer-policy')).toBe('no-referrer');
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    }
    for (const directive of [
      "default-src 'self'",
      "script-src 'self'",
      "img-src 'self' data: blob:",
      "connect-src 'self'",
      "worker-src 'self'",
      "frame-ancestors 'none'",
      "base-uri 'none'",
      "form-action 'self'",
      "object-src 'none'",
    ]) {
      expect(CONTENT_SECURITY_POLICY.split('; ')).toContain(directive);
    }
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-inline');
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-eval');
  });
});

describe('enrollment codes', () => {
  it('expire within 7 days (3 by default) and serve at most 20 devices; longer or more is refused', async () => {
    t = await startTestServer();
    const before = Date.now();
    const byDefault = (await (await adminPost(t, '/api/admin/enrollments', { unit: UNIT })).json()) as { expiresAt: number; uses: number };
    expect(byDefault.uses).toBe(1);
    expect(byDefault.expiresAt - before).toBeGreaterThanOrEqual(ENROLLMENT_LIMITS.defaultTtlHours * 3_600_000);
    expect(byDefault.expiresAt - Date.now()).toBeLessThanOrEqual(72 * 3_600_000);
    expect((await adminPost(t, '/api/admin/enrollments', { unit: UNIT, uses: 20, ttlHours: 168 })).status).toBe(200);
    const tooMany = await adminPost(t, '/api/admin/enrollments', { unit: UNIT, uses: 21 });
    expect(tooMany.status).toBe(400);
    expect(((await tooMany.json()) as { message: string }).message).toBe('Trường "uses" phải là số nguyên từ 1 đến 20');
    const tooLong = await adminPost(t, '/api/admin/enrollments', { unit: UNIT, ttlHours: 169 });
    expect(tooLong.status).toBe(400);
    expect(((await tooLong.json()) as { message: string }).message).toBe('Trường "ttlHours" phải là số nguyên từ 1 đến 168');
  });

  it('a refused enrollment is logged with its reason and client, never the code', async () => {
    t = await startTestServer();
    expect((await wrongCode(t)).status).toBe(403);
    const [refused] = events(t, 'enroll_refused');
    expect(refused).toEqual({ ev: 'enroll_refused', reason: 'invalid_code', client: '127.0.0.1' });
    expect(t.logs.join('\n')).not.toMatch(/ZZZZ/);
  });
});

describe('per-client limits', () => {
  it('without TRUSTED_PROXY_HEADER the socket address is the client: a forwarded-for header changes nothing', async () => {
    t = await startTestServer();
    for (let i = 0; i < 10; i++) expect((await wrongCode(t, `198.51.100.${i}`)).status).toBe(403);
    expect((await wrongCode(t, '198.51.100.99')).status).toBe(429);
    expect(events(t, 'enroll_refused').at(-1)).toEqual({ ev: 'enroll_refused', reason: 'rate_limited', client: '127.0.0.1' });
  });

  it('with TRUSTED_PROXY_HEADER, one commune behind NAT is limited alone, keyed on the right-most address that is not the proxy', async () => {
    process.env.TRUSTED_PROXY_HEADER = 'X-Forwarded-For';
    t = await startTestServer();
    for (let i = 0; i < 10; i++) expect((await wrongCode(t, '203.0.113.5')).status).toBe(403);
    expect((await wrongCode(t, '203.0.113.5')).status).toBe(429);
    // Another commune: its own bucket. The proxy's own address at the end is skipped.
    expect((await wrongCode(t, '198.51.100.7')).status).toBe(403);
    expect((await wrongCode(t, '198.51.100.8, 127.0.0.1')).status).toBe(403);
    expect(events(t, 'enroll_refused').at(-1)).toMatchObject({ client: '198.51.100.8' });
    // The limited commune cannot escape by prepending an address: the proxy appended the real one.
    expect((await wrongCode(t, '192.0.2.1, 203.0.113.5')).status).toBe(429);
    // No usable header: the socket address.
    expect((await wrongCode(t, 'garbage')).status).toBe(403);
    expect(events(t, 'enroll_refused').at(-1)).toMatchObject({ client: '127.0.0.1' });
  });

  it('wrong admin tokens are logged without the token and limited per client; the right token is refused too once limited', async () => {
    process.env.TRUSTED_PROXY_HEADER = 'x-forwarded-for';
    t = await startTestServer();
    const admin = (token: string, from: string) =>
      fetch(`${t?.url}/api/admin/stats`, { headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': from } });
    for (let i = 0; i < 10; i++) expect((await admin(`guess-number-${i}`, '203.0.113.9')).status).toBe(401);
    const failed = events(t, 'admin_auth_failed');
    expect(failed).toHaveLength(10);
    expect(failed[0]).toEqual({ ev: 'admin_auth_failed', client: '203.0.113.9', path: '/api/admin/stats', limited: false });
    expect(t.logs.join('\n')).not.toContain('guess-number');
    expect((await admin(ADMIN_TOKEN, '203.0.113.9')).status).toBe(429);
    expect(events(t, 'admin_auth_failed').at(-1)).toMatchObject({ limited: true });
    expect((await admin(ADMIN_TOKEN, '198.51.100.1')).status).toBe(200);
    // No token at all is not a guess: refused, not counted, not logged (a browser opening the URL).
    const logged = events(t, 'admin_auth_failed').length;
    for (let i = 0; i < 12; i++) expect((await fetch(`${t.url}/api/admin/stats`, { headers: { 'x-forwarded-for': '198.51.100.2' } })).status).toBe(401);
    expect(events(t, 'admin_auth_failed')).toHaveLength(logged);
    expect((await admin(ADMIN_TOKEN, '198.51.100.2')).status).toBe(200);
  });
});

describe('health and logs', () => {
  it('/api/health says demo: true only for a store that holds demo data', async () => {
    t = await startTestServer();
    expect(((await (await fetch(`${t.url}/api/health`)).json()) as { demo: boolean }).demo).toBe(false);
    await t.close();
    const store = new MemoryStore();
    await store.setSetting(DEMO_MARKER_SETTING, '1');
    t = await startTestServer({ store });
    expect(((await (await fetch(`${t.url}/api/health`)).json()) as { demo: boolean }).demo).toBe(true);
  });

  it('a full disk is its own event (disk_full), for SQLite, the file system and PostgreSQL alike', async () => {
    expect(isDiskFull(Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }))).toBe(true);
    expect(isDiskFull(Object.assign(new Error('no space'), { code: 'ENOSPC' }))).toBe(true);
    expect(isDiskFull(Object.assign(new Error('could not extend file'), { code: '53100' }))).toBe(true);
    expect(isDiskFull(new Error('wrapped', { cause: Object.assign(new Error('x'), { code: 'SQLITE_FULL' }) }))).toBe(true);
    expect(isDiskFull(Object.assign(new Error('busy'), { code: 'SQLITE_BUSY' }))).toBe(false);
    expect(isDiskFull('SQLITE_FULL')).toBe(false);

    // Full once the server runs (it reads the head at start).
    class FullStore extends MemoryStore {
      full = false;
      override headSeq(): Promise<number> {
        return this.full ? Promise.reject(Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' })) : super.headSeq();
      }
    }
    const store = new FullStore();
    t = await startTestServer({ store });
    store.full = true;
    expect((await fetch(`${t.url}/api/health`)).status).toBe(500);
    expect(events(t, 'disk_full')).toEqual([{ ev: 'disk_full', path: '/api/health', error: 'database or disk is full' }]);
    expect(events(t, 'http_error')).toEqual([]);
  });

  it('a push that finds the disk full is logged as disk_full, and the device is told to retry (4500), its batch unconfirmed', async () => {
    class FullStore extends MemoryStore {
      override appendBatch(): Promise<never> {
        return Promise.reject(Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }));
      }
    }
    const store = new FullStore();
    t = await startTestServer({ store });
    const d = await addDevice(store);
    const c = await SyncTestClient.welcomed(t, d.token);
    const update = fieldsUpdate({ code: 'X' }, d);
    c.send({ type: MsgType.Push, batchId: 'b-full', items: [{ doc: dossierDoc(), update }], grants: [] });
    expect((await c.closed).code).toBe(CloseCode.ServerError);
    expect(events(t, 'disk_full')).toEqual([expect.objectContaining({ ev: 'disk_full', device: d.device.id })]);
    expect(events(t, 'sync_error')).toEqual([]);
    expect(c.unread(MsgType.PushAck)).toEqual([]);
  });
});

describe('the admin export', () => {
  it('neutralises cells a spreadsheet would run as formulas', async () => {
    t = await startTestServer();
    const receivedAt = Date.UTC(2026, 10, 23, 3);
    const doc = `${UNIT}/dossier/0b7f6f4e-2f5c-4f59-a3f7-6d7c1c0e9a11`;
    const dossier = {
      doc,
      unit: UNIT,
      code: '=1+1',
      procedureCode: '+cmd',
      procedureName: '=HYPERLINK("http://evil.example","bấm")',
      status: 'received',
      receivedAt,
      dueAt: null,
      resolvedAt: null,
      returnedAt: null,
      rating: '-2',
      handler: '@SUM(A1:A9)',
      conflicts: 0,
      events: 1,
    };
    await t.store.appendBatch('d1', 'b1', [{ doc, unit: UNIT, data: new Uint8Array([0, 0]) }], {
      now: receivedAt,
      projection: { docs: new Map([[doc, { version: 0, projection: { dossier, events: [] } }]]), recompute: () => null },
    });
    const res = await fetch(`${t.url}/api/admin/export/dossiers?from=2026-11-23&to=2026-11-23&format=csv`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    const [, row] = parseCsv(await res.text()).records;
    expect(row?.fields.slice(2, 5)).toEqual(["'=1+1", "'+cmd", `'=HYPERLINK("http://evil.example","bấm")`]);
    expect(row?.fields[10]).toBe("'-2");
    expect(row?.fields[11]).toBe("'@SUM(A1:A9)");
  });
});
