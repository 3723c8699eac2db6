/**
 * The sync admins' API (city data center): enrollment codes, revocation, and what the server holds.
 * Every route needs `Authorization: Bearer <admin token>` (admin-token.ts). Wrong tokens are logged
 * (`admin_auth_failed`, never the token) and limited per client like wrong enrollment codes.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isUnitCode } from '../src/protocol/doc-names.ts';
import type { CatalogPublished, CatalogRejected } from '../src/protocol/http.ts';
import { HASH_PREFIX } from './admin-token.ts';
import { hashEnrollmentCode, newEnrollmentCode } from './auth.ts';
import { handleOfficers } from './admin-officers.ts';
import { checkCatalog } from './catalog.ts';
import { listDeviceReports } from './device-reports.ts';
import { logEvent, type TokenBucket } from './conn.ts';
import { parseExport, sendExport } from './export.ts';
import {
  badRequest,
  HttpError,
  intField,
  mediaType,
  methodNotAllowed,
  notFound,
  readJsonObject,
  readText,
  sendJson,
  type HttpDeps,
} from './http-util.ts';
import type { Device, DeviceRole } from './store/types.ts';

const HOUR_MS = 3_600_000;
/** A code is typed within days of being made: a week at most, and at most 20 devices per code. */
export const ENROLLMENT_LIMITS = { maxTtlHours: 24 * 7, defaultTtlHours: 24 * 3, maxUses: 20 } as const;

const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * Whether the request carries the admin token. `configured` is the token, or HASH_PREFIX and its
 * sha256 hex (what main.ts passes: the token itself is not kept). Constant time: both sides hashed.
 */
export function adminTokenMatches(req: IncomingMessage, configured: string): boolean {
  const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  const given = m?.[1];
  if (given === undefined || configured === '') return false;
  const expected = configured.startsWith(HASH_PREFIX) ? Buffer.from(configured.slice(HASH_PREFIX.length), 'hex') : sha256(configured);
  const actual = sha256(given);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** The caller's failure bucket and address (http.ts FailureLimiter), for the admin-token check. */
export interface AdminGuard {
  readonly failures: TokenBucket;
  readonly client: string;
}

function checkAdmin(req: IncomingMessage, path: string, deps: HttpDeps, guard: AdminGuard): void {
  // No token at all is not a guess (a browser opening the URL, a probe): refused, neither counted nor logged.
  if (req.headers.authorization === undefined) throw new HttpError(401, 'unauthorized', 'Không có quyền quản trị');
  if (!guard.failures.has()) {
    logEvent(deps.log, 'admin_auth_failed', { client: guard.client, path, limited: true });
    throw new HttpError(429, 'too_many_attempts', 'Sai mã quản trị quá nhiều lần, vui lòng đợi một phút rồi thử lại');
  }
  if (adminTokenMatches(req, deps.adminToken)) return;
  guard.failures.take();
  logEvent(deps.log, 'admin_auth_failed', { client: guard.client, path, limited: false });
  throw new HttpError(401, 'unauthorized', 'Không có quyền quản trị');
}

/** A device as admins see it: never the token hash. */
function publicDevice(d: Device): Omit<Device, 'tokenHash'> {
  return { id: d.id, unit: d.unit, ordinal: d.ordinal, label: d.label, role: d.role, createdAt: d.createdAt, revokedAt: d.revokedAt };
}

async function knownUnit(deps: HttpDeps, unit: unknown): Promise<string> {
  if (typeof unit !== 'string' || !isUnitCode(unit) || (await deps.store.getUnit(unit)) === null) {
    throw badRequest('Không có đơn vị hành chính với mã này');
  }
  return unit;
}

export async function handleAdmin(req: IncomingMessage, res: ServerResponse, url: URL, deps: HttpDeps, guard: AdminGuard): Promise<void> {
  const path = url.pathname;
  checkAdmin(req, path, deps, guard);

  if (path === '/api/admin/enrollments') {
    if (req.method !== 'POST') throw methodNotAllowed();
    const body = await readJsonObject(req);
    const unit = await knownUnit(deps, body.unit);
    const uses = intField(body, 'uses', 1, ENROLLMENT_LIMITS.maxUses, 1);
    const ttlHours = intField(body, 'ttlHours', 1, ENROLLMENT_LIMITS.maxTtlHours, ENROLLMENT_LIMITS.defaultTtlHours);
    const role: DeviceRole = body.role === 'department' ? 'department' : 'counter';
    if (body.role !== undefined && body.role !== 'counter' && body.role !== 'department') throw badRequest('Vai trò không hợp lệ');
    const code = newEnrollmentCode();
    const now = Date.now();
    const expiresAt = now + ttlHours * HOUR_MS;
    await deps.store.createEnrollment({ codeHash: hashEnrollmentCode(code), unit, role, usesLeft: uses, expiresAt, createdAt: now });
    logEvent(deps.log, 'enrollment_created', { unit, uses, role });
    return sendJson(res, 200, { code, unit, uses, role, expiresAt });
  }

  if (path === '/api/admin/officers' || path.startsWith('/api/admin/officers/')) {
    return handleOfficers(req, res, url, deps, (unit) => knownUnit(deps, unit));
  }

  if (path === '/api/admin/catalog') {
    if (req.method !== 'POST') throw methodNotAllowed();
    return publishCatalog(req, res, deps);
  }

  const revoke = /^\/api\/admin\/devices\/([^/]+)\/revoke$/.exec(path);
  if (revoke !== null) {
    if (req.method !== 'POST') throw methodNotAllowed();
    const id = decodeURIComponent(revoke[1] ?? '');
    const device = await deps.store.revokeDevice(id, Date.now());
    if (device === null) throw notFound('Không tìm thấy thiết bị');
    // Cut its open sockets now; from here on its token is refused at the upgrade with Revoked.
    const closed = deps.hub.revoke(device.id);
    logEvent(deps.log, 'device_revoked', { device: device.id, unit: device.unit, closed });
    return sendJson(res, 200, { ...publicDevice(device), closed });
  }

  if (req.method !== 'GET') throw methodNotAllowed();
  switch (path) {
    case '/api/admin/devices': {
      const unit = url.searchParams.get('unit');
      const devices = await deps.store.listDevices(unit === null ? undefined : await knownUnit(deps, unit));
      return sendJson(res, 200, devices.map(publicDevice));
    }
    case '/api/admin/devices/reports': {
      // What devices set aside after the server refused it (S22), their last report each.
      const unit = url.searchParams.get('unit');
      return sendJson(res, 200, await listDeviceReports(deps.store, unit === null ? undefined : await knownUnit(deps, unit)));
    }
    case '/api/admin/docs': {
      const unit = await knownUnit(deps, url.searchParams.get('unit'));
      const limit = Number(url.searchParams.get('limit') ?? 10_000);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100_000) throw badRequest('Tham số limit không hợp lệ');
      return sendJson(res, 200, await deps.store.docStats(unit, limit));
    }
    case '/api/admin/stats':
      return sendJson(res, 200, await deps.store.stats());
    case '/api/admin/export/dossiers': {
      const unit = url.searchParams.get('unit');
      const request = parseExport(url.searchParams, unit === null ? undefined : await knownUnit(deps, unit));
      const count = await sendExport(res, deps.store, request);
      logEvent(deps.log, 'dossiers_exported', { unit: unit ?? 'all', format: request.format, count });
      return;
    }
    default:
      throw notFound();
  }
}

/** A catalog of a few thousand procedures fits; more is not a catalog. */
const MAX_CATALOG_BYTES = 8 * 1024 * 1024;

/** Publishes a catalog after the domain's checks; one error refuses it whole and stores nothing. */
async function publishCatalog(req: IncomingMessage, res: ServerResponse, deps: HttpDeps): Promise<void> {
  const type = mediaType(req);
  const format = type === 'application/json' ? 'json' : type === 'text/csv' ? 'csv' : null;
  if (format === null) {
    throw new HttpError(415, 'unsupported_media_type', 'Danh mục phải gửi dạng application/json hoặc text/csv');
  }
  const checked = checkCatalog(format, await readText(req, MAX_CATALOG_BYTES));
  if (!checked.ok) {
    logEvent(deps.log, 'catalog_rejected', { format, errors: checked.errors.length });
    const body: CatalogRejected = { error: 'invalid_catalog', message: 'Danh mục có lỗi nên chưa được công bố', errors: checked.errors };
    return sendJson(res, 400, body);
  }
  await deps.store.putCatalog({ ...checked.catalog, publishedAt: Date.now() });
  logEvent(deps.log, 'catalog_published', { format, version: checked.catalog.version, count: checked.catalog.count });
  const body: CatalogPublished = { version: checked.catalog.version, count: checked.catalog.count, errors: [] };
  sendJson(res, 200, body);
}
