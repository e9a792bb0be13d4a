import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/index.ts';
import { randomValues } from '../backend/test-util.ts';
import { selfAttention } from './attention.ts';
import { checkGradients, relativeError } from './gradient-check.ts';
import { Init } from './init.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

const [N, H, W, C] = [2, 4, 3, 8];

function block(spectralNorm: boolean) {
  const x = tf.input({ shape: [H, W, C] });
  const { out, map } = selfAttention(x, { init: new Init(1), spectralNorm, name: 'attn' });
  return tf.model({ inputs: x, outputs: [out, map] });
}

const input = (seed: number) => tf.tensor4d(randomValues(N * H * W * C, seed), [N, H, W, C]);
const gammaOf = (m: tf.LayersModel) => m.getLayer('attn_gamma').trainableWeights[0]!;

describe('self-attention', () => {
  it('starts as the identity (gamma 0) and gives a row-stochastic attention map [N, HW, HW]', () => {
    const m = block(true);
    const x = input(1);
    const [out, map] = m.predict(x) as tf.Tensor[];
    expect(out!.shape).toEqual([N, H, W, C]);
    expect(Array.from(out!.dataSync())).toEqual(Array.from(x.dataSync()));
    expect(map!.shape).toEqual([N, H * W, H * W]);
    const rows = tf.sum(map!, -1).dataSync();
    for (const r of rows) expect(r).toBeCloseTo(1, 5);
    expect(gammaOf(m).read().dataSync()[0]).toBe(0);
  });

  it('computes x + gamma conv(softmax(f g^T) h), checked against the same sum written with tensor ops', () => {
    const m = block(false);
    gammaOf(m).write(tf.tensor1d([0.7]));
    const x = input(2);
    const [out, map] = m.predict(x) as tf.Tensor[];
    const conv = (name: string, t: tf.Tensor) => {
      const [k, b] = m.getLayer(name).getWeights();
      return tf.add(tf.conv2d(t as tf.Tensor4D, k as tf.Tensor4D, 1, 'same'), b!);
    };
    const flat = (t: tf.Tensor) => tf.reshape(t, [N, H * W, -1]);
    const f = flat(conv('attn_query', x));
    const g = flat(conv('attn_key', x));
    const v = flat(conv('attn_value', x));
    const attention = tf.softmax(tf.matMul(f, g, false, true));
    const o = conv('attn_out', tf.reshape(tf.matMul(attention, v), [N, H, W, C / 2]));
    const expected = tf.add(x, tf.mul(0.7, o));
    expect(tf.max(tf.abs(tf.sub(out!, expected))).dataSync()[0]).toBeLessThan(1e-5);
    expect(tf.max(tf.abs(tf.sub(map!, attention))).dataSync()[0]).toBeLessThan(1e-6);
  });

  it('gradients of every weight and the input match finite differences', () => {
    const m = block(false);
    gammaOf(m).write(tf.tensor1d([0.8]));
    // Larger weights than the init, so the attention is far from uniform and every path matters.
    for (const [i, w] of m.trainableWeights.entries()) {
      const v = w.read();
      if (v.rank === 4) w.write(tf.tensor(randomValues(v.size, 50 + i), v.shape));
    }
    const x = tf.variable(input(3));
    const r = input(4);
    const f = () => tf.sum(tf.mul((m.apply(x, { training: true }) as tf.Tensor[])[0]!, r)) as tf.Scalar;
    const variables = [...m.trainableWeights.map((w) => w.read() as tf.Variable), x];
    const checks = checkGradients(f, variables, { h: 1e-2 });
    expect(checks).toHaveLength(variables.length);
    for (const check of checks) {
      // The key's bias adds f_i . b to every logit of row i: softmax ignores it, so both sides are 0.
      if (check.name.startsWith('attn_key/bias')) {
        expect(Math.abs(check.analytic) + Math.abs(check.numeric)).toBeLessThan(1e-3);
        continue;
      }
      expect(Math.abs(check.analytic), check.name).toBeGreaterThan(1e-2);
      expect(relativeError(check), check.name).toBeLessThan(0.02);
    }
  });

  it('refuses a map too thin to split into query, key and value', () => {
    const x = tf.input({ shape: [4, 4, 4] });
    expect(() => selfAttention(x, { init: new Init(1), spectralNorm: false, name: 'a' })).toThrow(
      /self-attention a: needs at least 8 channels, got 4/,
    );
  });
});
