import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { heapKernels } from './heap-kernels.ts';
import { initBackend } from './index.ts';
import { leakedBy, randomInput, relError, runOn } from './test-util.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('wasm fast paths match the cpu backend', () => {
  it.each([
    ['sum over leading axes', [64, 7, 7, 16], (x: tf.Tensor) => tf.sum(x, [0, 1, 2])],
    ['sum, keepDims', [8, 5, 5, 3], (x: tf.Tensor) => tf.sum(x, [0, 1, 2], true)],
    ['sum over axis 0 of a matrix', [64, 40], (x: tf.Tensor) => tf.sum(x, 0)],
    ['sum, rows not a multiple of eight', [3, 7, 5], (x: tf.Tensor) => tf.sum(x, [0, 1])],
    ['mean over leading axes', [64, 7, 7, 16], (x: tf.Tensor) => tf.mean(x, [0, 1, 2])],
    ['sum over a trailing axis (wasm own)', [6, 5, 4], (x: tf.Tensor) => tf.sum(x, 2)],
    ['sum of everything (wasm own)', [6, 5, 4], (x: tf.Tensor) => tf.sum(x)],
    ['sum over non-leading axes (wasm own)', [6, 5, 4], (x: tf.Tensor) => tf.sum(x, [1, 2])],
    ['sum over the batch of a dense layer', [64, 3136], (x: tf.Tensor) => tf.sum(x, 0)],
    ['sum over axis 1 behind an axis of size 1', [1, 64, 40], (x: tf.Tensor) => tf.sum(x, 1)],
    [
      'mean over axis 1 behind an axis of size 1, keepDims',
      [1, 9, 5, 3],
      (x: tf.Tensor) => tf.mean(x, 1, true),
    ],
    ['sum over axes 1, 2 behind an axis of size 1', [1, 6, 5, 4], (x: tf.Tensor) => tf.sum(x, [1, 2])],
    ['sum over no axes (wasm own)', [6, 5], (x: tf.Tensor) => tf.sum(x, [])],
    ['mean over a large leading block', [64, 14, 14, 32], (x: tf.Tensor) => tf.mean(x, [0, 1, 2])],
    ['leakyRelu', [64, 14, 14, 8], (x: tf.Tensor) => tf.leakyRelu(x, 0.2)],
    ['leakyRelu, alpha > 1', [4, 9], (x: tf.Tensor) => tf.leakyRelu(x, 3)],
    [
      'leakyRelu gradient',
      [16, 8],
      (x: tf.Tensor) => tf.grad((v: tf.Tensor) => tf.sum(tf.square(tf.leakyRelu(v, 0.2))))(x),
    ],
    [
      'batch norm over channels, with scale and offset',
      [8, 5, 5, 12],
      (x: tf.Tensor) => {
        const { mean, variance } = tf.moments(x, [0, 1, 2]);
        return tf.batchNorm(x, mean, variance, tf.linspace(-1, 1, 12), tf.linspace(0.5, 2, 12), 1e-3);
      },
    ],
    [
      'batch norm over channels not a multiple of four, no scale or offset',
      [6, 3, 3, 7],
      (x: tf.Tensor) => {
        const { mean, variance } = tf.moments(x, [0, 1, 2]);
        return tf.batchNorm(x, mean, variance, undefined, undefined, 1e-5);
      },
    ],
    [
      'batch norm with statistics of the full shape (wasm own)',
      [4, 6],
      (x: tf.Tensor) => tf.batchNorm(x, tf.mul(x, 0.5), tf.add(tf.square(x), 1), undefined, undefined, 1e-3),
    ],
    [
      'batch norm gradient',
      [16, 2, 2, 8],
      (x: tf.Tensor) =>
        tf.grad((v: tf.Tensor) => {
          const { mean, variance } = tf.moments(v, [0, 1, 2]);
          const offset = tf.linspace(-1, 1, 8);
          return tf.sum(tf.square(tf.batchNorm(v, mean, variance, offset, tf.linspace(0.5, 2, 8), 1e-3)));
        })(x),
    ],
  ] as const)('%s', async (_, shape, fn) => {
    const input = randomInput([...shape], 7);
    const wasm = await runOn('wasm', [input], fn);
    const cpu = await runOn('cpu', [input], fn);
    expect(relError(wasm, cpu)).toBeLessThan(1e-5);
  });

  it('identity shares the data instead of copying it, and the source outlives the clone', () => {
    const x = tf.tensor2d([
      [1, -2],
      [3, 4],
    ]);
    const buffers = tf.memory().numDataBuffers;
    const y = tf.clone(x);
    expect(tf.memory().numDataBuffers).toBe(buffers);
    expect(y.arraySync()).toEqual(x.arraySync());
    y.dispose();
    expect(x.arraySync()).toEqual([
      [1, -2],
      [3, 4],
    ]);
    x.dispose();
  });

  it("sums over leading axes take the heap kernel's one pass", () => {
    const heap = heapKernels()!;
    const sumRows = vi.spyOn(heap, 'sumRows');
    const x = tf.randomNormal([64, 7, 7, 16]);
    tf.dispose([tf.sum(x, [0, 1, 2]), tf.mean(x, [0, 1])]);
    expect(sumRows.mock.calls.map((c) => [c[2], c[3], c[4]])).toEqual([
      [64 * 7 * 7, 16, 1],
      [64 * 7, 7 * 16, 1 / (64 * 7)],
    ]);
    sumRows.mockRestore();
    x.dispose();
  });

  it('a cast to its own dtype shares the data; other casts still convert', () => {
    const x = tf.tensor1d([1.5, -2.25, 0]);
    const buffers = tf.memory().numDataBuffers;
    const same = tf.cast(x, 'float32');
    expect(tf.memory().numDataBuffers).toBe(buffers);
    expect(Array.from(same.dataSync())).toEqual([1.5, -2.25, 0]);
    const ints = tf.cast(x, 'int32');
    expect(ints.dtype).toBe('int32');
    expect(Array.from(ints.dataSync())).toEqual([1, -2, 0]);
    const back = tf.cast(ints, 'float32');
    expect(back.dtype).toBe('float32');
    expect(Array.from(back.dataSync())).toEqual([1, -2, 0]);
    tf.dispose([x, same, ints, back]);
  });

  it('leaks nothing', () => {
    const x = tf.randomNormal([16, 6, 6, 4]);
    expect(
      leakedBy(() => [
        tf.sum(x, [0, 1, 2]),
        tf.mean(x, [0, 1]),
        tf.leakyRelu(x, 0.2),
        tf.clone(x),
        tf.cast(x, 'float32'),
      ]),
    ).toEqual({
      tensors: 0,
      dataIds: 0,
    });
    x.dispose();
  });
});
