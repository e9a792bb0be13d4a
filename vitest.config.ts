import { defineConfig } from 'vitest/config';

const INTEGRATION = 'test/integration/**/*.test.ts';

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
          exclude: ['**/node_modules/**', 'web/dist/**', INTEGRATION],
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
    ],
  },
});
