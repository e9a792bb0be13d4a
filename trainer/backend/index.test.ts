import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { initBackend } from './index.ts';
import { WASM_KERNELS } from './wasm-kernels.ts';

const saved = process.env.GANZOO_BACKEND;
afterEach(() => {
  if (saved === undefined) delete process.env.GANZOO_BACKEND;
  else process.env.GANZOO_BACKEND = saved;
});

describe('initBackend', () => {
  it('loads wasm with the project kernels, and again idempotently', async () => {
    const first = await initBackend('wasm');
    expect(first).toMatchObject({ name: 'wasm', tfjsBackend: 'wasm' });
    expect(first.detail).toMatch(/SIMD/);
    expect(first.detail).toContain('Conv2DBackpropInput');
    expect(await initBackend('wasm')).toEqual(first);
    expect(tf.getBackend()).toBe('wasm');
    for (const k of WASM_KERNELS) expect(tf.getKernel(k.kernelName, 'wasm')?.kernelFunc).toBe(k.kernelFunc);
    expect(tf.getGradient('Greater')).toBeDefined();
  });

  it('reads GANZOO_BACKEND when no choice is given', async () => {
    process.env.GANZOO_BACKEND = 'cpu';
    expect((await initBackend()).name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    await initBackend('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  it('rejects an unknown value, naming the valid ones', async () => {
    await expect(initBackend('gpu')).rejects.toThrow(/GANZOO_BACKEND=gpu.*auto, node-gpu, node, wasm, cpu/);
  });

  it('fails loudly for an explicit native backend that is not installed', async () => {
    let installed = true;
    try {
      await import('@tensorflow/tfjs-node-gpu' as string);
    } catch {
      installed = false;
    }
    if (installed) return;
    await expect(initBackend('node-gpu')).rejects.toThrow(
      /GANZOO_BACKEND=node-gpu: @tensorflow\/tfjs-node-gpu is not installed/,
    );
  });

  it('auto picks the first backend that loads', async () => {
    const info = await initBackend('auto');
    expect(['node-gpu', 'node', 'wasm']).toContain(info.name);
    expect(tf.getBackend()).toBe(info.tfjsBackend);
  });
});
