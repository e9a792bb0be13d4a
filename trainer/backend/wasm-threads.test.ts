import { beforeAll, describe, expect } from 'vitest';
import { initBackend } from './index.ts';
import { threadedConvTests } from './test-util.ts';

// Its own test file: threads are fixed when the wasm backend first initialises in a process.
beforeAll(async () => {
  process.env.GANZOO_WASM_THREADS = '2';
  const info = await initBackend('wasm');
  delete process.env.GANZOO_WASM_THREADS;
  expect(info.detail).toMatch(
    /^SIMD on, 1 thread;.*convolutions: FMA indirect GEMM on 2 threads;.*heap kernels.*: on$/,
  );
});

describe('wasm with GANZOO_WASM_THREADS=2', threadedConvTests);
