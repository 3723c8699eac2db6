/** Small helpers for the JSON API: bodies in, JSON and ApiError out. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError } from '../src/domain/errors.ts';
import type { ApiError } from '../src/protocol/http.ts';
import type { LogFn } from './conn.ts';
import type { Hub } from './hub.ts';
import type { SyncStore } from './store/types.ts';

export interface HttpDeps {
  readonly store: SyncStore;
  readonly hub: Hub;
  readonly adminToken: string;
  readonly staticDir: string;
  readonly log: LogFn;
}

/** An API failure with its HTTP status and the Vietnamese message the officer or admin reads. */
export class HttpError extends AppError {
  readonly status: number;
  constructor(status: number, code: string, message: string) {
    super(code, message);
    this.status = status;
  }
}

export const badRequest = (message = 'Yêu cầu không hợp lệ'): HttpError => new HttpError(400, 'bad_request', message);
export const notFound = (message = 'Không tìm thấy'): HttpError => new HttpError(404, 'not_found', message);
export const methodNotAllowed = (): HttpError => new HttpError(405, 'method_not_allowed', 'Phương thức không được hỗ trợ');

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

export function sendError(res: ServerResponse, err: HttpError): void {
  const body: ApiError = { error: err.code, message: err.message };
  sendJson(res, err.status, body);
}

const MAX_BODY_BYTES = 64 * 1024;

/** Reads a whole body as UTF-8 text; HttpError 413 past `maxBytes`. */
export async function readText(req: IncomingMessage, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buf.byteLength;
    if (size > maxBytes) throw new HttpError(413, 'too_large', 'Dữ liệu gửi lên quá lớn');
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The media type of a request, lower case, without parameters ('' when absent). */
export function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** Reads a JSON object body; HttpError 400 for anything else, 413 past MAX_BODY_BYTES. */
export async function readJsonObject(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = await readText(req, MAX_BODY_BYTES);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badRequest('Dữ liệu không phải JSON hợp lệ');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badRequest();
  return value as Record<string, unknown>;
}

export function stringField(body: Record<string, unknown>, key: string, maxLength: number): string {
  const v = body[key];
  if (typeof v !== 'string' || v.length > maxLength) throw badRequest(`Trường "${key}" không hợp lệ`);
  return v.trim();
}

export function intField(body: Record<string, unknown>, key: string, min: number, max: number, fallback?: number): number {
  const v = body[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw badRequest(`Trường "${key}" phải là số nguyên từ ${min} đến ${max}`);
  }
  return v;
}
