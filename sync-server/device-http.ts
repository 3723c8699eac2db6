/**
 * What the devices' own HTTP answers share (the catalog, the officer list, S23): a device token to
 * get in, and a versioned body that a device revalidates at each connection, so an unchanged one
 * costs a 304 and no body.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticate } from './auth.ts';
import { matchesEtag } from './catalog.ts';
import { HttpError } from './http-util.ts';
import type { Device, SyncStore } from './store/types.ts';

/** The device the request's bearer token names; 401 for anything else. */
export async function requireDevice(req: IncomingMessage, res: ServerResponse, store: SyncStore): Promise<Device> {
  const auth = await authenticate(store, req);
  if (auth.ok) return auth.device;
  res.setHeader('www-authenticate', 'Bearer');
  throw new HttpError(401, 'unauthorized', 'Thiết bị chưa được xác thực');
}

/** Answers with `ETag: "<version>"`: 304 when the device holds it, else the JSON `body()` builds. */
export function sendVersioned(req: IncomingMessage, res: ServerResponse, version: string, body: () => string): void {
  const headers = { etag: `"${version}"`, 'cache-control': 'private, no-cache' };
  if (matchesEtag(req.headers['if-none-match'], version)) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  const text = body();
  res.writeHead(200, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
