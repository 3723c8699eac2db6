/**
 * Plain HTTP: device enrollment, health, the admin API and the built PWA. WebSocket upgrades are
 * routed in server.ts.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PATHS, PROTOCOL_VERSION } from '../src/protocol/constants.ts';
import { OFFICERS_PATH, type EnrollResponse, type OfficerCredential } from '../src/protocol/http.ts';
import { serveOfficers } from './admin-officers.ts';
import { handleAdmin } from './admin.ts';
import { hashEnrollmentCode, hashToken, newToken } from './auth.ts';
import { requireDevice, sendVersioned } from './device-http.ts';
import { clientAddress, FailureLimiter, trustedProxyHeader } from './client-address.ts';
import { logEvent, type TokenBucket } from './conn.ts';
import { storeErrorEvent } from './disk-full.ts';
import {
  HttpError,
  methodNotAllowed,
  type HttpDeps,
  notFound,
  readJsonObject,
  sendError,
  sendJson,
  stringField,
} from './http-util.ts';
import { isDemoStore } from './seed.ts';
import { setSecurityHeaders } from './security-headers.ts';
import { serveStatic } from './static.ts';

/** Wrong enrollment codes (and wrong admin tokens) allowed per client: a burst of 10, then one every 6 s. */
const CLIENT_FAILURES = { burst: 10, perSecond: 1 / 6 } as const;

export function createRequestHandler(deps: HttpDeps): (req: IncomingMessage, res: ServerResponse) => void {
  // Read once: the client behind a reverse proxy (client-address.ts), for both limits.
  const proxyHeader = trustedProxyHeader();
  const enrollFailures = new FailureLimiter(CLIENT_FAILURES.burst, CLIENT_FAILURES.perSecond);
  const adminFailures = new FailureLimiter(CLIENT_FAILURES.burst, CLIENT_FAILURES.perSecond);
  // A store holds demo data from its first demo start on, and production refuses such a store: asked once.
  let demo: Promise<boolean> | null = null;

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (path === PATHS.health) {
      if (req.method !== 'GET') throw methodNotAllowed();
      demo ??= isDemoStore(deps.store).catch((err: unknown) => {
        demo = null;
        throw err;
      });
      const [headSeq, isDemo] = await Promise.all([deps.store.headSeq(), demo]);
      // `demo`: the page shows its DEMO banner on every screen, and remembers it offline.
      return sendJson(res, 200, { ok: true, protocol: PROTOCOL_VERSION, headSeq, serverTime: Date.now(), demo: isDemo });
    }
    if (path === PATHS.enroll) {
      if (req.method !== 'POST') throw methodNotAllowed();
      const client = clientAddress(req, proxyHeader);
      return enroll(req, res, deps, enrollFailures.bucket(client), client);
    }
    if (path === PATHS.catalog) {
      if (req.method !== 'GET') throw methodNotAllowed();
      return serveCatalog(req, res, deps);
    }
    if (path === OFFICERS_PATH) {
      if (req.method !== 'GET') throw methodNotAllowed();
      return serveOfficers(req, res, deps);
    }
    if (path.startsWith('/api/admin/')) {
      const client = clientAddress(req, proxyHeader);
      return handleAdmin(req, res, url, deps, { failures: adminFailures.bucket(client), client });
    }
    if (path.startsWith('/api/')) throw notFound();
    return serveStatic(deps.staticDir, req, res);
  };

  return (req, res) => {
    setSecurityHeaders(res);
    route(req, res).catch((err: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (err instanceof HttpError) return sendError(res, err);
      logEvent(deps.log, storeErrorEvent(err, 'http_error'), { path: req.url ?? '', error: err instanceof Error ? err.message : String(err) });
      sendError(res, new HttpError(500, 'server_error', 'Lỗi máy chủ, vui lòng thử lại sau'));
    });
  };
}

async function enroll(req: IncomingMessage, res: ServerResponse, deps: HttpDeps, failures: TokenBucket, client: string): Promise<void> {
  if (!failures.has()) {
    logEvent(deps.log, 'enroll_refused', { reason: 'rate_limited', client });
    throw new HttpError(429, 'too_many_attempts', 'Nhập sai quá nhiều lần, vui lòng đợi một phút rồi thử lại');
  }
  const body = await readJsonObject(req);
  const code = stringField(body, 'code', 64);
  const label = stringField(body, 'label', 64) || 'Thiết bị';
  const token = newToken();
  const now = Date.now();
  const result = await deps.store.enrollDevice(hashEnrollmentCode(code), now, {
    id: randomUUID(),
    label,
    tokenHash: hashToken(token),
    createdAt: now,
  });
  if (!result.ok) {
    // Never the code: a log line must not let its reader enroll a device.
    logEvent(deps.log, 'enroll_refused', { reason: result.reason, client });
    if (result.reason === 'unit_full') {
      throw new HttpError(409, 'unit_full', 'Đơn vị đã đủ 10 thiết bị; hãy nhờ quản trị thu hồi một thiết bị cũ');
    }
    failures.take();
    throw new HttpError(403, 'invalid_code', 'Mã đăng ký không hợp lệ hoặc đã hết lượt');
  }
  const device = result.value;
  const [unit, officers] = await Promise.all([deps.store.getUnit(device.unit), deps.store.listOfficers(device.unit)]);
  const response: EnrollResponse = {
    deviceId: device.id,
    token,
    unit: device.unit,
    unitName: unit?.name ?? device.unit,
    ordinal: device.ordinal,
    officers: officers.map(
      (o): OfficerCredential => ({
        id: o.id,
        username: o.username,
        displayName: o.displayName,
        role: o.role,
        salt: o.salt,
        hash: o.hash,
        iterations: o.iterations,
      }),
    ),
  };
  logEvent(deps.log, 'enroll', { device: device.id, unit: device.unit, ordinal: device.ordinal, role: device.role });
  sendJson(res, 200, response);
}

/**
 * The published catalog, for enrolled devices only. Devices ask with If-None-Match each time they
 * connect; an unchanged catalog costs a 304 and no body.
 */
async function serveCatalog(req: IncomingMessage, res: ServerResponse, deps: HttpDeps): Promise<void> {
  await requireDevice(req, res, deps.store);
  const catalog = await deps.store.getCatalog();
  if (catalog === null) throw notFound('Trung tâm dữ liệu chưa công bố danh mục thủ tục');
  // The stored body is already the JSON of the procedures array: no need to parse it to send it.
  sendVersioned(req, res, catalog.version, () => `{"version":${JSON.stringify(catalog.version)},"procedures":${catalog.body}}`);
}
