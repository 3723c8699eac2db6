import { defineConfig } from 'vitest/config';

// Unit and Node integration tests. Browser tests run under Playwright (playwright.config.ts).
export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/server/**/*.test.ts', 'tests/worker/**/*.test.ts', 'tests/chaos/**/*.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
