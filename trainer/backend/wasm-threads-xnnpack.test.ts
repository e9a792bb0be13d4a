import { beforeAll, describe, expect } from 'vitest';
import { initBackend } from './index.ts';
import { threadedConvTests } from './test-util.ts';

// Its own test file: threads are fixed when the wasm backend first initialises in a process.
beforeAll(async () => {
  process.env.GANZOO_WASM_THREADS = '2';
  process.env.GANZOO_WASM_FMA = '0';
  const info = await initBackend('wasm');
  delete process.env.GANZOO_WASM_THREADS;
  delete process.env.GANZOO_WASM_FMA;
  expect(info.detail).toMatch(/^SIMD on, 2 threads;/);
  expect(info.detail).toMatch(/convolutions: XNNPACK \(off: GANZOO_WASM_FMA=0\);/);
  // tfjs's threaded build imports its memory: the heap kernels stay off, and their routes fall back.
  expect(info.detail).toMatch(/heap kernels .*: off: the wasm backend exports no memory$/);
});

describe('wasm with GANZOO_WASM_THREADS=2 and the FMA kernel off: XNNPACK threads', threadedConvTests);
