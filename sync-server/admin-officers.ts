/**
 * Officer accounts (S23), under the admin token: list a commune's officers, create one, change one
 * (role, name, disabled, password reset). Every change moves the unit's officer-list version, which
 * devices revalidate at each connection (GET /api/officers, http.ts), and is logged without the
 * password or its hash.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OfficerCredential, OfficersResponse } from '../src/protocol/http.ts';
import { hashPassword, passwordProblem } from './auth.ts';
import { requireDevice, sendVersioned } from './device-http.ts';
import { logEvent } from './conn.ts';
import { badRequest, HttpError, methodNotAllowed, notFound, readJsonObject, sendJson, type HttpDeps } from './http-util.ts';
import { StoreError, type Officer, type OfficerChange, type OfficerRole } from './store/types.ts';

const OFFICER_ROLES: readonly OfficerRole[] = ['counter', 'processing', 'leader'];
const USERNAME_RE = /^[a-z0-9._-]{3,32}$/;
const MAX_NAME = 100;

/** An officer as admins see it: never the salt or the hash. */
export interface PublicOfficer {
  readonly id: string;
  readonly unit: string;
  readonly username: string;
  readonly displayName: string;
  readonly role: OfficerRole;
  readonly disabled: boolean;
  readonly disabledAt: number | null;
}

const publicOfficer = (o: Officer): PublicOfficer => ({
  id: o.id,
  unit: o.unit,
  username: o.username,
  displayName: o.displayName,
  role: o.role,
  disabled: o.disabledAt !== null,
  disabledAt: o.disabledAt,
});

/**
 * What a device receives: a disabled officer keeps a name (timelines still show who acted) but no
 * hash, so no device can sign them in.
 */
export function officerCredential(o: Officer): OfficerCredential {
  const base = { id: o.id, username: o.username, displayName: o.displayName, role: o.role };
  return o.disabledAt === null ? { ...base, salt: o.salt, hash: o.hash, iterations: o.iterations } : { ...base, salt: '', hash: '', iterations: 0, disabled: true };
}

/**
 * The body of GET /api/officers for a unit and its ETag: the version, and a digest of the body, since
 * a store restored from a backup (S17) counts versions again from an older one and a device holding
 * the same number must still get the new list.
 */
async function officersFor(deps: HttpDeps, unit: string): Promise<{ etag: string; text: string }> {
  const list = await deps.store.officerList(unit);
  const body: OfficersResponse = { version: list.version, officers: list.officers.map(officerCredential) };
  const text = JSON.stringify(body);
  return { etag: `${list.version}.${createHash('sha256').update(text).digest('base64url').slice(0, 16)}`, text };
}

function roleField(v: unknown, fallback?: OfficerRole): OfficerRole | undefined {
  if (v === undefined) return fallback;
  const role = OFFICER_ROLES.find((r) => r === v);
  if (role === undefined) throw badRequest('Vai trò phải là counter, processing hoặc leader');
  return role;
}

function nameField(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.trim() === '' || v.length > MAX_NAME) throw badRequest(`Họ tên phải có từ 1 đến ${MAX_NAME} ký tự`);
  return v.trim();
}

async function newPassword(v: unknown): Promise<{ salt: string; hash: string; iterations: number }> {
  const problem = passwordProblem(v);
  if (problem !== null) throw badRequest(problem);
  return hashPassword(v as string);
}

/**
 * Routes under /api/admin/officers; the caller checked the admin token. `knownUnit` refuses a unit
 * the server does not have (admin.ts).
 */
export async function handleOfficers(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  deps: HttpDeps,
  knownUnit: (unit: unknown) => Promise<string>,
): Promise<void> {
  const path = url.pathname;
  if (path === '/api/admin/officers') {
    if (req.method === 'GET') {
      const unit = await knownUnit(url.searchParams.get('unit'));
      const list = await deps.store.officerList(unit);
      return sendJson(res, 200, { unit, version: list.version, officers: list.officers.map(publicOfficer) });
    }
    if (req.method !== 'POST') throw methodNotAllowed();
    return createOfficer(req, res, deps, knownUnit);
  }
  const one = /^\/api\/admin\/officers\/([^/]+)$/.exec(path);
  if (one === null) throw notFound();
  if (req.method !== 'POST') throw methodNotAllowed();
  return changeOfficer(req, res, deps, decodeURIComponent(one[1] ?? ''));
}

async function createOfficer(req: IncomingMessage, res: ServerResponse, deps: HttpDeps, knownUnit: (unit: unknown) => Promise<string>): Promise<void> {
  const body = await readJsonObject(req);
  const unit = await knownUnit(body.unit);
  const username = typeof body.username === 'string' ? body.username.trim().toLowerCase() : '';
  if (!USERNAME_RE.test(username)) throw badRequest('Tên đăng nhập phải gồm 3-32 ký tự a-z, 0-9, dấu chấm, gạch');
  const displayName = nameField(body.displayName) ?? username;
  const role = roleField(body.role, 'counter') ?? 'counter';
  const password = await newPassword(body.password);
  let officer: Officer;
  try {
    officer = await deps.store.createOfficer({ id: randomUUID(), unit, username, displayName, role, ...password });
  } catch (e) {
    if (e instanceof StoreError && e.code === 'duplicate') throw new HttpError(409, 'duplicate', 'Đơn vị đã có cán bộ với tên đăng nhập này');
    throw e;
  }
  logEvent(deps.log, 'officer_created', { unit, officer: officer.id, role });
  sendJson(res, 200, publicOfficer(officer));
}

async function changeOfficer(req: IncomingMessage, res: ServerResponse, deps: HttpDeps, id: string): Promise<void> {
  const body = await readJsonObject(req);
  if (body.disabled !== undefined && typeof body.disabled !== 'boolean') throw badRequest('Trường "disabled" phải là true hoặc false');
  const role = roleField(body.role);
  const displayName = nameField(body.displayName);
  const password = body.password === undefined ? undefined : await newPassword(body.password);
  const current = await deps.store.getOfficer(id);
  if (current === null) throw notFound('Không tìm thấy cán bộ');
  const change: OfficerChange = {
    ...(role === undefined ? {} : { role }),
    ...(displayName === undefined ? {} : { displayName }),
    // Disabling twice keeps the first time.
    ...(body.disabled === undefined ? {} : { disabledAt: body.disabled ? (current.disabledAt ?? Date.now()) : null }),
    ...(password === undefined ? {} : { password }),
  };
  const changed = Object.keys(change);
  if (changed.length === 0) throw badRequest('Không có thay đổi nào (role, displayName, disabled, password)');
  const officer = await deps.store.updateOfficer(id, change);
  if (officer === null) throw notFound('Không tìm thấy cán bộ');
  logEvent(deps.log, 'officer_changed', {
    unit: officer.unit,
    officer: officer.id,
    changed: changed.map((k) => (k === 'disabledAt' ? (officer.disabledAt === null ? 'enabled' : 'disabled') : k)).join(','),
  });
  sendJson(res, 200, publicOfficer(officer));
}

/**
 * GET /api/officers: the device's own unit's officers, like the catalog (S23). Devices ask with
 * If-None-Match each time they connect; an unchanged list costs a 304 and no body. A department
 * device gets its own unit's officers too.
 */
export async function serveOfficers(req: IncomingMessage, res: ServerResponse, deps: HttpDeps): Promise<void> {
  const device = await requireDevice(req, res, deps.store);
  const { etag, text } = await officersFor(deps, device.unit);
  sendVersioned(req, res, etag, () => text);
}
