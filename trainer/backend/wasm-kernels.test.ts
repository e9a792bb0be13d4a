import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { heapKernels, useHeapKernels } from './heap-kernels.ts';
import { initBackend } from './index.ts';
import { type Input, leakedBy, randomInput, randomValues, relError, runOn } from './test-util.ts';
import { WASM_KERNELS, WRAPPED_MATMULS } from './wasm-kernels.ts';

type Pad = 'same' | 'valid' | number;
interface ConvCase {
  x: [number, number, number, number];
  k: [number, number];
  cout: number;
  strides: number | [number, number];
  pad: Pad;
}

const CASES: ConvCase[] = [
  { x: [2, 7, 7, 3], k: [3, 3], cout: 4, strides: 1, pad: 'same' },
  { x: [2, 8, 8, 3], k: [3, 3], cout: 5, strides: 1, pad: 'valid' },
  { x: [2, 9, 9, 3], k: [4, 4], cout: 4, strides: 2, pad: 'same' },
  { x: [2, 9, 10, 2], k: [5, 5], cout: 3, strides: 2, pad: 'valid' },
  { x: [2, 8, 8, 3], k: [2, 2], cout: 4, strides: 2, pad: 'valid' },
  { x: [2, 7, 7, 3], k: [1, 1], cout: 4, strides: 2, pad: 'same' },
  { x: [3, 14, 14, 4], k: [4, 4], cout: 6, strides: 2, pad: 'same' },
  { x: [2, 11, 12, 3], k: [3, 5], cout: 4, strides: [1, 2], pad: 'same' },
  { x: [2, 10, 10, 3], k: [5, 5], cout: 4, strides: 3, pad: 'same' },
  { x: [2, 7, 7, 3], k: [3, 3], cout: 4, strides: 2, pad: 1 },
  // DCGAN MNIST layers (batch 2): 28x28x1 -> 14x14x64 and 14x14x64 -> 7x7x128.
  { x: [2, 28, 28, 1], k: [5, 5], cout: 64, strides: 2, pad: 'same' },
  { x: [2, 14, 14, 64], k: [5, 5], cout: 128, strides: 2, pad: 'same' },
];
// Narrow DCGAN layer at full batch; only for the input gradient, cpu's filter gradient takes a minute here.
const FULL_BATCH: ConvCase = { x: [64, 14, 14, 32], k: [5, 5], cout: 64, strides: 2, pad: 'same' };

const label = (c: ConvCase) => `x ${c.x.join('x')} k ${c.k.join('x')}->${c.cout} s ${c.strides} ${c.pad}`;
const filterShape = (c: ConvCase): [number, number, number, number] => [c.k[0], c.k[1], c.x[3], c.cout];
const dyShape = (c: ConvCase) =>
  tf.backend_util.computeConv2DInfo(c.x, filterShape(c), c.strides, 1, c.pad).outShape as number[];
const TOL = 1e-4;

beforeAll(async () => {
  await initBackend('wasm');
});

// Few input channels take the col2im route, many the phase-split route: cover every case on both.
const withChannels = (c: ConvCase, ch: number): ConvCase => ({ ...c, x: [c.x[0], c.x[1], c.x[2], ch] });
const INPUT_CASES = [...CASES.flatMap((c) => [c, withChannels(c, c.x[3] < 8 ? 9 : 3)]), FULL_BATCH];

const backpropInput = (c: ConvCase) => (dy: tf.Tensor, filter: tf.Tensor) =>
  tf
    .engine()
    .runKernel(
      'Conv2DBackpropInput',
      { dy, filter },
      { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x },
    ) as tf.Tensor;

describe('Conv2DBackpropInput on wasm matches cpu', () => {
  for (const [i, c] of INPUT_CASES.entries()) {
    it(label(c), async () => {
      const inputs = [randomInput(dyShape(c), 10 + i), randomInput(filterShape(c), 20 + i)];
      const run = backpropInput(c);
      const [wasm, cpu] = [await runOn('wasm', inputs, run), await runOn('cpu', inputs, run)];
      expect(relError(wasm, cpu)).toBeLessThan(TOL);
    });
  }

  it.each([
    ['weaves the phases on the heap (one copy each)', 8, 'weave', 4],
    ["adds an image layer's patches back on the heap", 3, 'col2im', 1],
  ] as const)(
    '%s, and without the heap kernels splits and stacks the phases',
    async (_, cin, kernel, calls) => {
      const c: ConvCase = { x: [2, 9, 9, cin], k: [4, 4], cout: 6, strides: 2, pad: 'same' };
      const inputs = [randomInput(dyShape(c), 1), randomInput(filterShape(c), 2)];
      const cpu = await runOn('cpu', inputs, backpropInput(c));
      const heap = heapKernels()!;
      const spy = vi.spyOn(heap, kernel);
      expect(relError(await runOn('wasm', inputs, backpropInput(c)), cpu)).toBeLessThan(TOL);
      expect(spy).toHaveBeenCalledTimes(calls);
      spy.mockRestore();
      useHeapKernels(undefined);
      try {
        expect(relError(await runOn('wasm', inputs, backpropInput(c)), cpu)).toBeLessThan(TOL);
      } finally {
        useHeapKernels(heap);
      }
    },
  );
});

describe('Conv2DBackpropFilter on wasm matches cpu', () => {
  for (const [i, c] of CASES.entries()) {
    it(label(c), async () => {
      const inputs = [randomInput(c.x, 30 + i), randomInput(dyShape(c), 40 + i)];
      const run = (x: tf.Tensor, dy: tf.Tensor) =>
        tf.engine().runKernel(
          'Conv2DBackpropFilter',
          { x, dy },
          {
            strides: c.strides,
            pad: c.pad,
            dataFormat: 'NHWC',
            filterShape: filterShape(c),
          },
        ) as tf.Tensor;
      const [wasm, cpu] = [await runOn('wasm', inputs, run), await runOn('cpu', inputs, run)];
      expect(relError(wasm, cpu)).toBeLessThan(TOL);
    });
  }
});

describe('layer gradients on wasm match cpu', () => {
  it('conv2d and conv2dTranspose, both inputs', async () => {
    const inputs = [randomInput([3, 9, 9, 4], 1), randomInput([5, 5, 4, 6], 2), randomInput([4, 4, 4, 6], 3)];
    const f = (x: tf.Tensor, w1: tf.Tensor, w2: tf.Tensor) => {
      const [gx, g1, g2] = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => {
        const h = tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same');
        const y = tf.conv2dTranspose(tf.tanh(h), c as tf.Tensor4D, [3, 10, 10, 4], 2, 'same');
        return tf.sum(tf.mul(y, y));
      })([x, w1, w2]);
      return tf.concat([gx!.flatten(), g1!.flatten(), g2!.flatten()]);
    };
    expect(relError(await runOn('wasm', inputs, f), await runOn('cpu', inputs, f))).toBeLessThan(TOL);
  });

  it('gather (UnsortedSegmentSum), float and int ids out of range', async () => {
    const ids: Input = { values: Int32Array.from([0, 3, 3, 9, 1, 0, 7, 3]), shape: [8], dtype: 'int32' };
    const inputs = [randomInput([10, 5], 4), ids, randomInput([8, 5], 5)];
    const f = (table: tf.Tensor, idx: tf.Tensor, w: tf.Tensor) =>
      tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, idx as tf.Tensor1D), w)))(table);
    expect(relError(await runOn('wasm', inputs, f), await runOn('cpu', inputs, f))).toBeLessThan(TOL);
    const seg: Input = { values: Int32Array.from([2, -1, 0, 2, 5, 1]), shape: [6], dtype: 'int32' };
    const direct = [randomInput([6, 4], 6), seg];
    const g = (x: tf.Tensor, s: tf.Tensor) => tf.unsortedSegmentSum(x, s as tf.Tensor1D, 4);
    expect(relError(await runOn('wasm', direct, g), await runOn('cpu', direct, g))).toBeLessThan(TOL);
  });

  it('depthwiseConv2d, both inputs', async () => {
    const inputs = [randomInput([2, 9, 9, 3], 7), randomInput([3, 3, 3, 2], 8)];
    const f = (x: tf.Tensor, w: tf.Tensor) => {
      const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.square(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same'))),
      )([x, w]);
      return tf.concat([gx!.flatten(), gw!.flatten()]);
    };
    expect(relError(await runOn('wasm', inputs, f), await runOn('cpu', inputs, f))).toBeLessThan(TOL);
  });

  it('maxPool with negative windows', async () => {
    const values = randomValues(2 * 6 * 6 * 3, 9).map((v) => v - 2);
    const inputs: Input[] = [{ values, shape: [2, 6, 6, 3] }, randomInput([2, 3, 3, 3], 10)];
    const f = (x: tf.Tensor, w: tf.Tensor) =>
      tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid'), w)))(x);
    expect(relError(await runOn('wasm', inputs, f), await runOn('cpu', inputs, f))).toBeLessThan(TOL);
  });
});

describe('Tile on wasm matches cpu', () => {
  const cases: [number[], number[]][] = [
    [[5], [3]],
    [
      [1, 1, 1, 8],
      [4, 3, 3, 1],
    ],
    [
      [2, 3],
      [2, 2],
    ],
    [
      [2, 1, 3],
      [1, 4, 2],
    ],
    [
      [3, 2, 2, 2],
      [2, 1, 3, 2],
    ],
  ];
  for (const [shape, reps] of cases) {
    it(`${shape.join('x')} by ${reps.join('x')}`, async () => {
      const f = (x: tf.Tensor) => tf.tile(x, reps);
      const input = randomInput(shape, 3);
      expect(relError(await runOn('wasm', [input], f), await runOn('cpu', [input], f))).toBe(0);
      const ints: Input = {
        values: Int32Array.from(input.values, (v) => Math.round(v * 100)),
        shape,
        dtype: 'int32',
      };
      expect(relError(await runOn('wasm', [ints], f), await runOn('cpu', [ints], f))).toBe(0);
    });
  }
  it('bool', async () => {
    const f = () =>
      tf.tile(tf.tensor2d([true, false, false, true, true, false], [2, 3]), [3, 2]).cast('float32');
    expect(relError(await runOn('wasm', [], f), await runOn('cpu', [], f))).toBe(0);
  });
});

describe('matMul (transposed operands, batched fused bias) on wasm matches cpu', () => {
  for (const [ta, tb] of [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ] as const) {
    it(`transposeA ${ta} transposeB ${tb}, plain, batched and fused`, async () => {
      const inputs = [
        randomInput(ta ? [7, 5] : [5, 7], 1),
        randomInput(tb ? [3, 7] : [7, 3], 2),
        randomInput(ta ? [2, 7, 5] : [2, 5, 7], 3),
        randomInput(tb ? [2, 3, 7] : [2, 7, 3], 4),
        randomInput([3], 5),
      ];
      const f = (a: tf.Tensor, b: tf.Tensor, a3: tf.Tensor, b3: tf.Tensor, bias: tf.Tensor) =>
        tf.concat([
          tf.matMul(a, b, ta, tb).flatten(),
          tf.matMul(a3, b3, ta, tb).flatten(),
          tf.fused
            .matMul({ a: a3, b: b3, transposeA: ta, transposeB: tb, bias, activation: 'relu' })
            .flatten(),
        ]);
      expect(relError(await runOn('wasm', inputs, f), await runOn('cpu', inputs, f))).toBeLessThan(TOL);
    });
  }

  it('transposeA times a column (a weight gradient into one unit), plain and batched', async () => {
    const inputs = [randomInput([9, 13], 11), randomInput([9, 1], 12), randomInput([2, 9, 13], 13)];
    const f = (a: tf.Tensor, b: tf.Tensor, a3: tf.Tensor) => {
      const plain = tf.matMul(a, b, true, false);
      const batched = tf.matMul(a3, tf.stack([b, tf.neg(b)]), true, false);
      expect(plain.shape).toEqual([13, 1]);
      expect(batched.shape).toEqual([2, 13, 1]);
      // With a fused activation it is not the plain product.
      const activated = tf.fused.matMul({ a, b, transposeA: true, activation: 'relu' });
      return tf.concat([plain.flatten(), batched.flatten(), activated.flatten()]);
    };
    expect(relError(await runOn('wasm', inputs, f), await runOn('cpu', inputs, f))).toBeLessThan(TOL);
  });

  it('dense layer gradients', async () => {
    const inputs = [randomInput([8, 20], 6), randomInput([20, 30], 7), randomInput([30], 8)];
    const f = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => {
      const grads = tf.grads((a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) =>
        tf.sum(tf.square(tf.fused.matMul({ a, b: c, bias: d, activation: 'relu' }))),
      )([x, w, b]);
      return tf.concat(grads.map((g) => g.flatten()));
    };
    expect(relError(await runOn('wasm', inputs, f), await runOn('cpu', inputs, f))).toBeLessThan(TOL);
  });
});

describe('second-order gradient (gradient penalty) on wasm', () => {
  // D(x) = dense(leakyRelu(conv(leakyRelu(conv(x))))); penalty = mean((|dD/dx| - 1)^2).
  const shapes = { x: [2, 8, 8, 1], w1: [3, 3, 1, 4], w2: [3, 3, 4, 3], w3: [12, 1] };
  const x = randomInput(shapes.x, 11);
  const w2 = randomInput(shapes.w2, 13);
  const w3 = randomInput(shapes.w3, 14);
  const penalty = (xs: tf.Tensor, w1: tf.Tensor) => {
    const d = (inp: tf.Tensor) => {
      const h1 = tf.leakyRelu(tf.conv2d(inp as tf.Tensor4D, w1 as tf.Tensor4D, 2, 'same'), 0.2);
      const h2 = tf.leakyRelu(tf.conv2d(h1, tf.tensor4d(w2.values, shapes.w2 as never), 2, 'same'), 0.2);
      return tf.sum(tf.matMul(tf.reshape(h2, [2, 12]), tf.tensor2d(w3.values, [12, 1])));
    };
    const gx = tf.grad(d)(xs);
    const norms = tf.sqrt(tf.sum(tf.square(gx), [1, 2, 3]));
    return tf.mean(tf.square(tf.sub(norms, 1)));
  };
  const w1 = randomInput(shapes.w1, 12);
  const grad = (xs: tf.Tensor, w: tf.Tensor) => tf.grad((v: tf.Tensor) => penalty(xs, v))(w);

  it('matches cpu', async () => {
    expect(relError(await runOn('wasm', [x, w1], grad), await runOn('cpu', [x, w1], grad))).toBeLessThan(TOL);
  });

  it('matches central finite differences (step 1e-4)', async () => {
    const g = await runOn('wasm', [x, w1], grad);
    const h = 1e-4;
    const direction = randomValues(w1.values.length, 15);
    const shifted = (sign: number) => ({
      values: w1.values.map((v, i) => v + sign * h * direction[i]!),
      shape: shapes.w1,
    });
    const plus = (await runOn('wasm', [x, shifted(1)], penalty))[0]!;
    const minus = (await runOn('wasm', [x, shifted(-1)], penalty))[0]!;
    const numeric = (plus - minus) / (2 * h);
    const analytic = g.reduce((s, v, i) => s + v * direction[i]!, 0);
    expect(Math.abs(analytic)).toBeGreaterThan(1e-2);
    expect(Math.abs(numeric - analytic) / Math.abs(analytic)).toBeLessThan(0.02);
  });
});

describe('project kernels are leak-free on wasm', () => {
  const c = CASES[2]!;
  const t = (shape: number[], seed: number) =>
    tf.tensor(randomInput(shape, seed).values, shape as never) as tf.Tensor4D;
  const calls: Record<string, () => tf.Tensor> = {
    Conv2DBackpropFilter: () =>
      tf.tidy(() =>
        tf.engine().runKernel(
          'Conv2DBackpropFilter',
          { x: t(c.x, 1), dy: t(dyShape(c), 2) },
          {
            strides: c.strides,
            pad: c.pad,
            dataFormat: 'NHWC',
            filterShape: filterShape(c),
          },
        ),
      ) as tf.Tensor,
    Conv2DBackpropInput: () =>
      tf.tidy(() =>
        tf.engine().runKernel(
          'Conv2DBackpropInput',
          { dy: t(dyShape(c), 1), filter: t(filterShape(c), 2) },
          {
            strides: c.strides,
            pad: c.pad,
            dataFormat: 'NHWC',
            inputShape: c.x,
          },
        ),
      ) as tf.Tensor,
    UnsortedSegmentSum: () =>
      tf.tidy(() => tf.unsortedSegmentSum(t([5, 3], 1), tf.tensor1d([0, 2, 2, 1, 0], 'int32'), 3)),
    DepthwiseConv2dNativeBackpropFilter: () =>
      tf.tidy(() =>
        tf.grad((w: tf.Tensor) => tf.depthwiseConv2d(t([1, 5, 5, 2], 1), w as tf.Tensor4D, 1, 'same'))(
          t([3, 3, 2, 1], 2),
        ),
      ),
    DepthwiseConv2dNativeBackpropInput: () =>
      tf.tidy(() =>
        tf.grad((x: tf.Tensor) => tf.depthwiseConv2d(x as tf.Tensor4D, t([3, 3, 2, 1], 2), 1, 'same'))(
          t([1, 5, 5, 2], 1),
        ),
      ),
    Tile: () => tf.tidy(() => tf.tile(t([1, 1, 1, 4], 1), [2, 3, 3, 1])),
    BatchMatMul: () => tf.tidy(() => tf.matMul(t([2, 3, 4], 1), t([2, 5, 3], 2), true, true)),
    _FusedMatMul: () =>
      tf.tidy(() =>
        tf.fused.matMul({ a: t([3, 4], 1), b: t([5, 3], 2), transposeA: true, transposeB: true }),
      ),
    MaxPoolGrad: () =>
      tf.tidy(() =>
        tf.grad((x: tf.Tensor) => tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid'))(t([1, 4, 4, 2], 1)),
      ),
    Conv3DBackpropInputV2: () =>
      tf.tidy(() =>
        tf.conv3dTranspose(
          t([1, 2, 2, 2, 3], 1) as unknown as tf.Tensor5D,
          t([3, 3, 3, 2, 3], 2) as unknown as tf.Tensor5D,
          [1, 4, 4, 4, 2],
          2,
          'same',
        ),
      ),
    Conv3DBackpropFilterV2: () =>
      tf.tidy(() =>
        tf
          .engine()
          .runKernel(
            'Conv3DBackpropFilterV2',
            { x: t([1, 4, 4, 4, 2], 1), dy: t([1, 2, 2, 2, 3], 2) },
            { strides: [2, 2, 2], pad: 'same', filterShape: [3, 3, 3, 2, 3] },
          ),
      ) as tf.Tensor,
  };

  it('covers every registered kernel', () => {
    expect(Object.keys(calls).sort()).toEqual(
      [...WASM_KERNELS.map((k) => k.kernelName), ...WRAPPED_MATMULS].sort(),
    );
  });
  for (const [name, call] of Object.entries(calls)) {
    it(name, () => {
      expect(tf.getBackend()).toBe('wasm');
      expect(leakedBy(call)).toEqual({ tensors: 0, dataIds: 0 });
    });
  }
  it('second-order gradient', () => {
    const xs = t(shapes2.x, 1);
    const w = t(shapes2.w, 2);
    const call = () =>
      tf.tidy(() =>
        tf.grad((v: tf.Tensor) => {
          const gx = tf.grad((inp: tf.Tensor) =>
            tf.sum(tf.leakyRelu(tf.conv2d(inp as tf.Tensor4D, v as tf.Tensor4D, 2, 'same'))),
          )(xs);
          return tf.sum(tf.square(gx));
        })(w),
      );
    expect(leakedBy(call)).toEqual({ tensors: 0, dataIds: 0 });
    xs.dispose();
    w.dispose();
  });
});
const shapes2 = { x: [2, 6, 6, 2], w: [3, 3, 2, 3] };
