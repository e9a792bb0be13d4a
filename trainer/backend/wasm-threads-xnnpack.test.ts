import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from './index.ts';
import { leakedBy, randomInput, relError, runOn } from './test-util.ts';

// Its own test file: threads are fixed when the wasm backend first initialises in a process.
beforeAll(async () => {
  process.env.GANZOO_WASM_THREADS = '2';
  process.env.GANZOO_WASM_FMA = '0';
  const info = await initBackend('wasm');
  delete process.env.GANZOO_WASM_THREADS;
  delete process.env.GANZOO_WASM_FMA;
  expect(info.detail).toMatch(/^SIMD on, 2 threads;/);
  expect(info.detail).toMatch(/convolutions: XNNPACK \(off: GANZOO_WASM_FMA=0\)$/);
});

describe('wasm with GANZOO_WASM_THREADS=2 and the FMA kernel off: XNNPACK threads', () => {
  it('conv2d and its gradients match cpu at a DCGAN layer', async () => {
    const inputs = [randomInput([8, 14, 14, 32], 1), randomInput([5, 5, 32, 64], 2)];
    const f = (x: tf.Tensor, w: tf.Tensor) => {
      const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same'))),
      )([x, w]);
      return tf.concat([gx!.flatten(), gw!.flatten()]);
    };
    expect(relError(await runOn('wasm', inputs, f), await runOn('cpu', inputs, f))).toBeLessThan(1e-4);
  });

  it('is leak-free', () => {
    const x = tf.randomNormal([16, 14, 14, 32]) as tf.Tensor4D;
    const w = tf.randomNormal([5, 5, 32, 64]) as tf.Tensor4D;
    expect(leakedBy(() => tf.conv2d(x, w, 2, 'same'))).toEqual({ tensors: 0, dataIds: 0 });
    tf.dispose([x, w]);
  });
});
