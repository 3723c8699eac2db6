import { defineConfig } from '@playwright/test';

/**
 * Browser end-to-end tests in a real Chromium (Debian's, at CHROMIUM_PATH), launched by the tests
 * themselves (tests/e2e/support/chromium.ts) so they can SIGKILL it. Each test starts its own sync
 * server on a free port serving dist/ (built by `npm run test:e2e`, or by the global setup when missing).
 * Run one scenario alone: `npx playwright test --grep @power-cut`.
 */
export default defineConfig({
  testDir: 'tests/e2e',
  testMatch: '**/*.spec.ts',
  globalSetup: './tests/e2e/support/global-setup.ts',
  // Two cores: one browser scenario at a time, and timings stay meaningful.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: !!process.env['CI'],
  // A scenario takes in dozens of dossiers and restarts servers and browsers: minutes, not seconds.
  timeout: 10 * 60_000,
  globalTimeout: 45 * 60_000,
  expect: { timeout: 15_000 },
  reporter: [['list', { printSteps: false }]],
  outputDir: 'test-results',
  use: {
    actionTimeout: 30_000,
    navigationTimeout: 30_000,
  },
});
