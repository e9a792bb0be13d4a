import { defineConfig } from 'vitest/config';

const INTEGRATION = 'test/integration/**/*.test.ts';
const E2E = 'test/e2e/**/*.test.ts';

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // wasm training is single-threaded; two workers keep both cores busy without thrashing.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['**/*.test.ts'],
          exclude: ['**/node_modules/**', 'web/dist/**', INTEGRATION, E2E],
        },
      },
      {
        // Against LocalStack and moto (docs/TESTING.md); the global set-up starts them only when a file of
        // this project runs.
        extends: true,
        test: {
          name: 'integration',
          include: [INTEGRATION],
          // A test starts trainer processes several times; on a loaded machine each start takes seconds.
          testTimeout: 300_000,
          globalSetup: ['test/integration/global-setup.ts'],
          setupFiles: ['test/integration/env.ts'],
        },
      },
      {
        // The dashboard in Debian's chromium, installed by the global set-up where it can be (test/e2e/chromium.ts).
        extends: true,
        test: {
          name: 'e2e',
          include: [E2E],
          globalSetup: ['test/e2e/global-setup.ts'],
        },
      },
    ],
  },
});
