/**
 * Fails fast with a clear message when the pieces the browser tests need are missing, and builds the
 * PWA when dist/ does not exist (`npm run test:e2e` always rebuilds it first; E2E_BUILD=1 forces it).
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { CHROMIUM_PATH } from './chromium.ts';
import { ROOT } from './server.ts';

export default function globalSetup(): void {
  try {
    accessSync(CHROMIUM_PATH, constants.X_OK);
  } catch {
    throw new Error(`No Chromium at ${CHROMIUM_PATH}: apt-get install -y chromium, or set CHROMIUM_PATH`);
  }
  if (!existsSync(`${ROOT}sync-server/main.ts`)) throw new Error('sync-server/main.ts is missing');
  if (process.env['E2E_BUILD'] === '1' || !existsSync(`${ROOT}dist/index.html`)) {
    console.log('[e2e] building the PWA (vite build)');
    execFileSync(process.execPath, [`${ROOT}node_modules/vite/bin/vite.js`, 'build'], { cwd: ROOT, stdio: 'inherit' });
  }
}
