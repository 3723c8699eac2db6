/**
 * Headers on every HTTP answer of the server (the PWA's files, the JSON API, errors), set once at the
 * top of the request handler (http.ts).
 *
 * The Content-Security-Policy allows only the app's own files: no inline script (the built index.html
 * has none: the service worker is registered from the bundle, injectRegister: false in vite.config.ts),
 * no inline style (the print page size is a constructed stylesheet, src/ui/print.ts), no eval.
 * - img-src adds data: and blob: for QR codes and future scans.
 * - connect-src 'self' covers the same origin's ws:/wss: (CSP Level 3; tests/e2e/security-web.spec.ts
 *   syncs under it in Chromium with no violation).
 * - frame-ancestors 'none': the app is never framed (clickjacking of the sign-in or the forms).
 */
import type { ServerResponse } from 'node:http';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  // For browsers that predate frame-ancestors.
  'x-frame-options': 'DENY',
};

export function setSecurityHeaders(res: ServerResponse): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
}
