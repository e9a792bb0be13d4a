import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from './index.ts';
import { matMulIgemm } from './matmul-igemm.ts';
import { leakedBy, randomInput, relError, runOn } from './test-util.ts';

beforeAll(async () => {
  const info = await initBackend('wasm');
  expect(info.detail).toContain('convolutions: FMA indirect GEMM');
});

interface Case {
  label: string;
  a: number[];
  b: number[];
  transposeA?: boolean;
  transposeB?: boolean;
  bias?: boolean;
  activation?: 'relu';
}

/** Products the FMA route takes: a dense layer's forward pass and gradients, padded columns, a bias. */
const TAKEN: Case[] = [
  { label: 'a dense layer forward', a: [64, 100], b: [100, 96] },
  { label: 'transposeA (a weight gradient)', a: [64, 100], b: [64, 96], transposeA: true },
  {
    label: 'transposeB (an input gradient), 100 columns padded to 104',
    a: [64, 96],
    b: [100, 96],
    transposeB: true,
  },
  { label: 'both transposed', a: [100, 64], b: [96, 100], transposeA: true, transposeB: true },
  { label: '60 columns padded to 64', a: [64, 128], b: [128, 60] },
  { label: 'fused bias', a: [64, 100], b: [100, 96], bias: true },
  { label: 'rank 3 with a batch of one', a: [1, 64, 100], b: [1, 100, 96] },
];

/** Products left to wasm's own kernel (and the matMul wrapper). */
const DECLINED: Case[] = [
  { label: 'a batch of two', a: [2, 64, 100], b: [2, 100, 96] },
  { label: 'one output column (a logit)', a: [64, 3136], b: [3136, 1] },
  { label: "few multiply-adds per value copied (col2im's shape)", a: [2000, 32], b: [32, 25] },
  { label: 'inner size not a multiple of 4', a: [64, 99], b: [99, 96] },
  { label: 'a fused activation', a: [64, 100], b: [100, 96], activation: 'relu' },
];

function product(c: Case) {
  return (a: tf.Tensor, b: tf.Tensor, bias?: tf.Tensor) =>
    tf.fused.matMul({
      a,
      b,
      transposeA: c.transposeA ?? false,
      transposeB: c.transposeB ?? false,
      bias,
      activation: c.activation ?? 'linear',
    });
}

function inputs(c: Case) {
  const list = [randomInput(c.a, 1), randomInput(c.b, 2)];
  if (c.bias) list.push(randomInput([c.transposeB ? c.b.at(-2)! : c.b.at(-1)!], 3));
  return list;
}

/** What the route gives for the case, called directly; undefined when it declines. */
function direct(c: Case): Float32Array | undefined {
  return tf.tidy(() => {
    const [a, b, bias] = inputs(c).map((i) => tf.tensor(i.values, i.shape));
    const out = matMulIgemm({
      inputs: { a: a!, b: b!, ...(bias ? { bias } : {}) },
      attrs: {
        transposeA: c.transposeA ?? false,
        transposeB: c.transposeB ?? false,
        activation: c.activation ?? 'linear',
      },
      backend: tf.backend(),
    });
    if (out == null) return undefined;
    return Float32Array.from(tf.engine().makeTensorFromTensorInfo(out).dataSync());
  });
}

describe('matMuls through the FMA kernel on wasm', () => {
  it.each(TAKEN.map((c) => [c.label, c] as const))('%s: taken, and matches cpu', async (_, c) => {
    const cpu = await runOn('cpu', inputs(c), product(c));
    const mine = direct(c);
    expect(mine).toBeDefined();
    expect(relError(mine!, cpu)).toBeLessThan(1e-5);
    // And through tfjs's own op on the backend, as training calls it.
    expect(relError(await runOn('wasm', inputs(c), product(c)), cpu)).toBeLessThan(1e-5);
  });

  it.each(DECLINED.map((c) => [c.label, c] as const))(
    '%s: declined, wasm still matches cpu',
    async (_, c) => {
      expect(direct(c)).toBeUndefined();
      const cpu = await runOn('cpu', inputs(c), product(c));
      expect(relError(await runOn('wasm', inputs(c), product(c)), cpu)).toBeLessThan(1e-5);
    },
  );

  it('gradients of a dense layer match cpu', async () => {
    const f = (x: tf.Tensor, w: tf.Tensor) => {
      const [gx, gw] = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.square(tf.matMul(p, q))))([x, w]);
      return tf.concat([gx!.flatten(), gw!.flatten()]);
    };
    const c = TAKEN[0]!;
    const cpu = await runOn('cpu', inputs(c), f);
    expect(relError(await runOn('wasm', inputs(c), f), cpu)).toBeLessThan(1e-5);
  });

  it('leaves no tensor or buffer behind', () => {
    const c = TAKEN[3]!;
    const [a, b] = inputs(c).map((i) => tf.tensor(i.values, i.shape));
    expect(leakedBy(() => product(c)(a!, b!))).toEqual({ tensors: 0, dataIds: 0 });
    tf.dispose([a!, b!]);
  });
});
