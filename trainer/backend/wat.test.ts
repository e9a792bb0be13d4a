import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cachedBinaryPath, compileKernel, KERNEL_VARIANTS, kernelBinary, kernelSource } from './wat.ts';

const cache = mkdtempSync(join(tmpdir(), 'ganzoo-wasm-cache-'));
const before = process.env.GANZOO_WASM_CACHE;
process.env.GANZOO_WASM_CACHE = cache;
afterAll(() => {
  if (before === undefined) delete process.env.GANZOO_WASM_CACHE;
  else process.env.GANZOO_WASM_CACHE = before;
  rmSync(cache, { recursive: true, force: true });
});

describe('wasm kernels from .wat sources', () => {
  it('compiles each source once into a cache keyed by its text and features, then reads it back', async () => {
    for (const [name, features] of KERNEL_VARIANTS) {
      const first = await kernelBinary(name, features);
      expect(first.cached, `${name} ${JSON.stringify(features)}`).toBe(false);
      expect(first.path.startsWith(cache)).toBe(true);
      expect(existsSync(first.path)).toBe(true);
      const again = await kernelBinary(name, features);
      expect(again).toMatchObject({ cached: true, path: first.path });
      expect(Buffer.from(again.bytes).equals(Buffer.from(first.bytes))).toBe(true);
    }
    // Another text or other features are another binary.
    const text = kernelSource('igemm');
    const plain = cachedBinaryPath('igemm', text, { relaxedSimd: true });
    expect(cachedBinaryPath('igemm', `${text} `, { relaxedSimd: true })).not.toBe(plain);
    expect(cachedBinaryPath('igemm', text, { relaxedSimd: true, sharedMemory: true })).not.toBe(plain);
  });

  it('gives modules with the exports the backend calls', async () => {
    const heap = await compileKernel('heap-kernels');
    if (typeof heap === 'string') throw new Error(heap);
    expect(WebAssembly.Module.exports(heap).map((e) => e.name)).toEqual(
      expect.arrayContaining(['sumRows', 'leakyRelu', 'channelAffine', 'adam', 'col2im', 'weave']),
    );
    const igemm = await compileKernel('igemm', { relaxedSimd: true });
    // Where relaxed SIMD is unavailable the string says so; the backend then keeps XNNPACK.
    if (typeof igemm !== 'string')
      expect(WebAssembly.Module.exports(igemm).map((e) => e.name)).toEqual(
        expect.arrayContaining(['igemm', 'packB', 'packBT', 'swapOuter', 'compact']),
      );
    else expect(igemm).toMatch(/relaxed SIMD unavailable/);
  });
});
