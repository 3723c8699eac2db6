/** The procedure catalog the data center publishes: admin upload (JSON, CSV), device download with ETag. */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { catalogVersion, parseCatalogCsv } from '../../src/domain/catalog-import.ts';
import { parseCatalog } from '../../src/domain/catalog.ts';
import { PATHS } from '../../src/protocol/constants.ts';
import type { CatalogPublished, CatalogRejected, CatalogResponse } from '../../src/protocol/http.ts';
import { newToken } from '../../sync-server/auth.ts';
import { catalogEntry, checkCatalog, matchesEtag, SEED_CATALOG_URL, seedCatalog } from '../../sync-server/catalog.ts';
import { MemoryStore } from '../../sync-server/store/memory.ts';
import { addDevice, ADMIN_TOKEN, startTestServer, type TestServer } from './helpers.ts';

let t: TestServer | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

const SEED_TEXT = readFileSync(SEED_CATALOG_URL, 'utf8');

const CSV = [
  'name,code,field,level,processingDays,processingUnit,sameDay15h,components,fees,authority',
  'Chứng thực bản sao từ bản chính,2.000815,Chứng thực,xa,2,giờ,không,"Bản chính giấy tờ|original|1;Bản sao cần chứng thực|copy|3",2.000 đồng/trang,UBND xã',
  'Đăng ký kết hôn,1.000894,Hộ tịch,xa,0,,,"Tờ khai|bản chính|1;Giấy xác nhận tình trạng hôn nhân|bản sao có chứng thực|1",Miễn phí,UBND xã',
  '',
].join('\r\n');

async function publish(server: TestServer, body: string, type: string, token = ADMIN_TOKEN): Promise<Response> {
  return fetch(`${server.url}/api/admin/catalog`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': type },
    body,
  });
}

function getCatalog(server: TestServer, token: string | null, ifNoneMatch?: string): Promise<Response> {
  const headers: Record<string, string> = {};
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (ifNoneMatch !== undefined) headers['if-none-match'] = ifNoneMatch;
  return fetch(`${server.url}${PATHS.catalog}`, { headers });
}

describe('catalog upload and download', () => {
  it('GET /api/catalog needs an enrolled, unrevoked device', async () => {
    t = await startTestServer();
    const a = await addDevice(t.store);
    expect((await getCatalog(t, null)).status).toBe(401);
    const forged = await getCatalog(t, newToken());
    expect(forged.status).toBe(401);
    expect(forged.headers.get('www-authenticate')).toBe('Bearer');
    expect((await getCatalog(t, ADMIN_TOKEN)).status).toBe(401);
    const none = await getCatalog(t, a.token);
    expect(none.status).toBe(404);
    await t.store.revokeDevice(a.device.id, Date.now());
    expect((await getCatalog(t, a.token)).status).toBe(401);
  });

  it('publishes a JSON catalog and serves it with its version as ETag, 304 while unchanged', async () => {
    t = await startTestServer();
    const a = await addDevice(t.store);
    expect((await publish(t, SEED_TEXT, 'application/json', 'wrong')).status).toBe(401);

    const res = await publish(t, SEED_TEXT, 'application/json; charset=utf-8');
    expect(res.status).toBe(200);
    const published = (await res.json()) as CatalogPublished;
    const expected = parseCatalog(JSON.parse(SEED_TEXT));
    expect(published).toEqual({ version: catalogVersion(expected.procedures), count: expected.procedures.length, errors: [] });

    const got = await getCatalog(t, a.token);
    expect(got.status).toBe(200);
    expect(got.headers.get('etag')).toBe(`"${published.version}"`);
    expect(got.headers.get('cache-control')).toBe('private, no-cache');
    const body = (await got.json()) as CatalogResponse;
    expect(body).toEqual({ version: published.version, procedures: JSON.parse(SEED_TEXT) });

    for (const tag of [`"${published.version}"`, `W/"${published.version}"`, `"old", "${published.version}"`, '*']) {
      const cached = await getCatalog(t, a.token, tag);
      expect(cached.status).toBe(304);
      expect(cached.headers.get('etag')).toBe(`"${published.version}"`);
      expect(await cached.text()).toBe('');
    }
    expect((await getCatalog(t, a.token, '"old"')).status).toBe(200);
  });

  it('publishes a CSV catalog as entries that parse back to the same version', async () => {
    t = await startTestServer();
    const a = await addDevice(t.store);
    const res = await publish(t, `\uFEFF${CSV}`, 'text/csv');
    expect(res.status).toBe(200);
    const published = (await res.json()) as CatalogPublished;
    const fromCsv = parseCatalogCsv(CSV);
    expect(published).toEqual({ version: catalogVersion(fromCsv.procedures), count: 2, errors: [] });

    const body = (await (await getCatalog(t, a.token)).json()) as CatalogResponse;
    const onDevice = parseCatalog(body.procedures);
    expect(onDevice.errors).toEqual([]);
    expect(onDevice.procedures).toEqual(fromCsv.procedures);
    expect(catalogVersion(onDevice.procedures)).toBe(body.version);
    expect(onDevice.procedures[0]).toMatchObject({ processingUnit: 'hours', processingHours: 2, sameDay15h: false, nationalCode: '2.000815' });
    expect(onDevice.procedures[0]?.componentSpecs).toEqual([
      { name: 'Bản chính giấy tờ', copyKind: 'original', count: 1 },
      { name: 'Bản sao cần chứng thực', copyKind: 'copy', count: 3 },
    ]);
  });

  it('refuses a catalog with any error, with the Vietnamese list, and keeps the published one', async () => {
    t = await startTestServer();
    const a = await addDevice(t.store);
    const first = (await (await publish(t, SEED_TEXT, 'application/json')).json()) as CatalogPublished;

    const entries = JSON.parse(SEED_TEXT) as Record<string, unknown>[];
    const broken = [...entries, { name: 'Thủ tục thiếu lĩnh vực', level: 'xa', processingDays: 1 }, entries[0]];
    const res = await publish(t, JSON.stringify(broken), 'application/json');
    expect(res.status).toBe(400);
    const rejected = (await res.json()) as CatalogRejected;
    expect(rejected.error).toBe('invalid_catalog');
    expect(rejected.errors).toEqual([`Mục ${entries.length}: thiếu lĩnh vực`, expect.stringMatching(new RegExp(`^Mục ${entries.length + 1}: trùng mã thủ tục`))]);

    const badCsv = `${CSV}Thủ tục lỗi,,Hộ tịch,xa,ba ngày,,,,,\r\n`;
    const csvRes = await publish(t, badCsv, 'text/csv');
    expect(csvRes.status).toBe(400);
    expect(((await csvRes.json()) as CatalogRejected).errors).toEqual(['Dòng 4: thời hạn giải quyết "ba ngày" phải là số nguyên không âm']);

    expect((await publish(t, '{oops', 'application/json')).status).toBe(400);
    expect(((await (await publish(t, '[]', 'application/json')).json()) as CatalogRejected).errors).toEqual(['Danh mục không có thủ tục nào']);
    expect(((await (await publish(t, '{"a":1}', 'application/json')).json()) as CatalogRejected).errors).toHaveLength(1);
    expect((await publish(t, SEED_TEXT, 'text/plain')).status).toBe(415);
    expect((await fetch(`${t.url}/api/admin/catalog`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status).toBe(405);

    const still = (await (await getCatalog(t, a.token)).json()) as CatalogResponse;
    expect(still.version).toBe(first.version);
    expect(t.logs.filter((l) => l.includes('"catalog_rejected"'))).toHaveLength(5);
  });
});

describe('catalog checks', () => {
  it('catalogEntry gives back the procedure through parseCatalog, for every shape the CSV makes', () => {
    const { procedures } = parseCatalogCsv(CSV);
    const back = parseCatalog(procedures.map(catalogEntry));
    expect(back).toEqual({ procedures, errors: [] });
    const seed = parseCatalog(JSON.parse(SEED_TEXT)).procedures;
    expect(parseCatalog(seed.map(catalogEntry)).procedures).toEqual(seed);
  });

  it('checkCatalog keeps an uploaded JSON array as it is', () => {
    const checked = checkCatalog('json', SEED_TEXT);
    if (!checked.ok) throw new Error(checked.errors.join('\n'));
    expect(JSON.parse(checked.catalog.body)).toEqual(JSON.parse(SEED_TEXT));
  });

  it('matches If-None-Match the way caches send it', () => {
    expect(matchesEtag(undefined, 'v')).toBe(false);
    expect(matchesEtag('"v"', 'v')).toBe(true);
    expect(matchesEtag('v', 'v')).toBe(true);
    expect(matchesEtag('W/"v"', 'v')).toBe(true);
    expect(matchesEtag('"a", "v"', 'v')).toBe(true);
    expect(matchesEtag('"vv"', 'v')).toBe(false);
  });

  it('seeds the shipped catalog once, never over a published one, and survives a missing file', async () => {
    const store = new MemoryStore();
    const first = await seedCatalog(store, SEED_CATALOG_URL, 123);
    expect(first.problem).toBeNull();
    expect(first.published).toMatchObject({ version: catalogVersion(parseCatalog(JSON.parse(SEED_TEXT)).procedures), publishedAt: 123 });
    expect(await store.getCatalog()).toEqual(first.published);
    expect(await seedCatalog(store)).toEqual({ published: null, problem: null });

    const empty = new MemoryStore();
    const missing = await seedCatalog(empty, new URL('./no-such-file.json', import.meta.url));
    expect(missing.published).toBeNull();
    expect(missing.problem).toMatch(/cannot read/);
    expect(await empty.getCatalog()).toBeNull();
  });
});
