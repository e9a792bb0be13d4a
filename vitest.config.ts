import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['**/node_modules/**', 'web/dist/**'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // wasm training is single-threaded; two workers keep both cores busy without thrashing.
    maxWorkers: 2,
  },
});
