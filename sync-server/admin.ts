/**
 * The sync admins' API (city data center): enrollment codes, revocation, and what the server holds.
 * Every route needs `Authorization: Bearer <ADMIN_TOKEN>`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isUnitCode } from '../src/protocol/doc-names.ts';
import type { CatalogPublished, CatalogRejected } from '../src/protocol/http.ts';
import { hashEnrollmentCode, isAdmin, newEnrollmentCode } from './auth.ts';
import { handleOfficers } from './admin-officers.ts';
import { checkCatalog } from './catalog.ts';
import { listDeviceReports } from './device-reports.ts';
import { logEvent } from './conn.ts';
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
const DEFAULT_CODE_TTL_HOURS = 24 * 7;

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

export async function handleAdmin(req: IncomingMessage, res: ServerResponse, url: URL, deps: HttpDeps): Promise<void> {
  if (!isAdmin(req, deps.adminToken)) throw new HttpError(401, 'unauthorized', 'Không có quyền quản trị');
  const path = url.pathname;

  if (path === '/api/admin/enrollments') {
    if (req.method !== 'POST') throw methodNotAllowed();
    const body = await readJsonObject(req);
    const unit = await knownUnit(deps, body.unit);
    const uses = intField(body, 'uses', 1, 1000, 1);
    const ttlHours = intField(body, 'ttlHours', 1, 24 * 366, DEFAULT_CODE_TTL_HOURS);
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
