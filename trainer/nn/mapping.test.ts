/** StyleGAN's mapping network and the running mean of w kept for truncation. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/index.ts';
import { randomValues } from '../backend/test-util.ts';
import { Init } from './init.ts';
import { mappingNetwork, truncate, WAverage } from './mapping.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

const random = (shape: number[], seed: number) =>
  tf.tensor(
    randomValues(
      shape.reduce((a, b) => a * b, 1),
      seed,
    ),
    shape,
  );

describe('mapping network', () => {
  it('maps z [N, latentDim] to w [N, wDim] through pixel norm and equalized layers at lr x0.01', () => {
    const m = mappingNetwork({ latentDim: 6, wDim: 5, layers: 3, init: new Init(1) });
    const w = m.predict(random([4, 6], 2)) as tf.Tensor;
    expect(w.shape).toEqual([4, 5]);
    const kinds = m.layers.map((l) => l.getClassName());
    expect(kinds.filter((k) => k === 'EqualizedDense')).toHaveLength(3);
    expect(kinds).toContain('PixelNorm');
    // z and 7 z map alike: pixel norm removes the scale.
    const scaled = m.predict(tf.mul(random([4, 6], 2), 7)) as tf.Tensor;
    expect(tf.max(tf.abs(tf.sub(w, scaled))).dataSync()[0]).toBeLessThan(1e-4);
  });

  it('its gradient with respect to a layer kernel matches finite differences', () => {
    const m = mappingNetwork({ latentDim: 6, wDim: 5, layers: 2, init: new Init(3) });
    const z = random([4, 6], 4);
    const target = random([4, 5], 5);
    const loss = () => tf.sum(tf.mul(m.apply(z) as tf.Tensor, target)) as tf.Scalar;
    const v = m.trainableWeights[0]!.read() as tf.Variable;
    const { grads } = tf.variableGrads(loss, [v]);
    const d = random(v.shape, 6);
    const analytic = tf.sum(tf.mul(grads[v.name]!, d)).dataSync()[0]!;
    const original = v.clone();
    const h = 1e-1; // the stored weights are 100x what is applied (lr x0.01)
    v.assign(tf.add(original, tf.mul(h, d)));
    const plus = loss().dataSync()[0]!;
    v.assign(tf.sub(original, tf.mul(h, d)));
    const minus = loss().dataSync()[0]!;
    v.assign(original);
    expect(Math.abs((plus - minus) / (2 * h) - analytic) / Math.abs(analytic)).toBeLessThan(1e-2);
  });
});

describe('the running mean of w and truncation', () => {
  it('moves the mean towards each training batch by 1 - beta, not at inference, and is a saved weight', () => {
    const avg = new WAverage({ beta: 0.5 });
    const w = tf.tensor2d([
      [2, 4],
      [4, 8],
    ]);
    avg.apply(w, { training: true });
    expect(Array.from(avg.mean().dataSync())).toEqual([1.5, 3]);
    avg.apply(w, { training: true });
    expect(Array.from(avg.mean().dataSync())).toEqual([2.25, 4.5]);
    avg.apply(w);
    expect(Array.from(avg.mean().dataSync())).toEqual([2.25, 4.5]);
    // A non-trainable weight: checkpoints (every net's weights) hold it.
    expect(avg.trainableWeights).toHaveLength(0);
    expect(Array.from(avg.getWeights()[0]!.dataSync())).toEqual([2.25, 4.5]);
  });

  it('truncation: psi 1 leaves w, psi 0 gives the mean, psi 0.5 halfway', () => {
    const w = tf.tensor2d([[4, 0]]);
    const mean = tf.tensor1d([2, 2]);
    expect(Array.from(truncate(w, mean, 1).dataSync())).toEqual([4, 0]);
    expect(Array.from(truncate(w, mean, 0).dataSync())).toEqual([2, 2]);
    expect(Array.from(truncate(w, mean, 0.5).dataSync())).toEqual([3, 1]);
  });
});
