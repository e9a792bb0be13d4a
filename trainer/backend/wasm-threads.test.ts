import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from './index.ts';
import { leakedBy, randomInput, relError, runOn } from './test-util.ts';

// Its own test file: threads are fixed when the wasm backend first initialises in a process.
beforeAll(async () => {
  process.env.GANZOO_WASM_THREADS = '2';
  const info = await initBackend('wasm');
  delete process.env.GANZOO_WASM_THREADS;
  expect(info.detail).toMatch(/^SIMD on, 1 thread;.*convolutions: FMA indirect GEMM on 2 threads$/);
});

describe('wasm with GANZOO_WASM_THREADS=2', () => {
  it('conv2d and its gradients match cpu at a DCGAN layer', async () => {
    const inputs = [
      randomInput([8, 14, 14, 32], 1),
      randomInput([5, 5, 32, 64], 2),
      randomInput([8, 7, 7, 64], 3),
    ];
    const f = (x: tf.Tensor, w: tf.Tensor, dy: tf.Tensor) => {
      const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same'), dy)),
      )([x, w]);
      return tf.concat([gx!.flatten(), gw!.flatten()]);
    };
    expect(relError(await runOn('wasm', inputs, f), await runOn('cpu', inputs, f))).toBeLessThan(1e-4);
  });

  it('is leak-free and stable over repeated steps', () => {
    const x = tf.randomNormal([16, 14, 14, 32]) as tf.Tensor4D;
    const w = tf.randomNormal([5, 5, 32, 64]) as tf.Tensor4D;
    const step = () =>
      tf.tidy(() =>
        tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same')),
        )([x, w]),
      );
    for (let i = 0; i < 20; i++) tf.dispose(step());
    expect(leakedBy(step)).toEqual({ tensors: 0, dataIds: 0 });
    tf.dispose([x, w]);
  });
});
