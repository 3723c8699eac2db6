/**
 * Serves the built PWA (dist/). The service worker caches the app, so what matters here is that an
 * update is noticed: index.html and sw.js are always revalidated, while /assets/* carry a content hash
 * in their names and can be cached for a year. Navigations to app routes fall back to index.html.
 */
import { createReadStream, type Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

export const NO_BUILD_MESSAGE = 'Chưa có giao diện: hãy chạy `npm run build` / No UI build: run `npm run build`';

function cacheControl(rel: string): string {
  if (rel.startsWith('/assets/')) return 'public, max-age=31536000, immutable';
  // index.html, sw.js, the manifest and icons: revalidate every time (ETag makes that cheap).
  return 'no-cache';
}

async function fileStats(path: string): Promise<Stats | null> {
  try {
    const s = await stat(path);
    return s.isFile() ? s : null;
  } catch {
    return null;
  }
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

/** A navigation (a page load of an app route), as opposed to a missing script or image. */
function isNavigation(req: IncomingMessage, rel: string): boolean {
  const ext = extname(rel);
  return (ext === '' || ext === '.html') && (req.headers.accept ?? '').includes('text/html');
}

export async function serveStatic(root: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' });
    res.end();
    return;
  }
  const base = resolve(root);
  let rel: string;
  try {
    rel = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
  } catch {
    return sendText(res, 400, 'Bad request');
  }
  // normalize() of an absolute path cannot climb above '/', so the join stays inside `base`; the
  // prefix check below is the second lock. Dotfiles (.env, .git) are never served.
  rel = normalize(`/${rel}`).split(sep).join('/');
  if (rel.includes('\0') || rel.split('/').some((seg) => seg.startsWith('.'))) return sendText(res, 404, 'Not found');
  if (rel.endsWith('/')) rel += 'index.html';
  let file = join(base, rel);
  if (file !== base && !file.startsWith(base + sep)) return sendText(res, 404, 'Not found');

  let stats = await fileStats(file);
  if (stats === null && isNavigation(req, rel)) {
    rel = '/index.html';
    file = join(base, rel);
    stats = await fileStats(file);
    if (stats === null) return sendText(res, 404, NO_BUILD_MESSAGE);
  }
  if (stats === null) return sendText(res, 404, 'Not found');

  const etag = `W/"${stats.size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}"`;
  const headers = {
    'content-type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'cache-control': cacheControl(rel),
    etag,
    'x-content-type-options': 'nosniff',
  };
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  res.writeHead(200, { ...headers, 'content-length': stats.size });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}
