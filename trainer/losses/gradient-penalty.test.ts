import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { datasetInfo } from '../../shared/datasets.ts';
import { initBackend } from '../backend/index.ts';
import { randomValues } from '../backend/test-util.ts';
import { dcganDiscriminatorModel } from '../nn/dcgan.ts';
import { Init } from '../nn/init.ts';
import { gradientPenalty } from './gradient-penalty.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('gradient penalty', () => {
  it('is (|a| - 1)^2 for the linear critic f(x) = a . x, wherever x_hat lies', () => {
    const a = tf.tensor2d([[0.6], [-1.2], [2]]); // |a| = sqrt(0.36 + 1.44 + 4)
    const real = tf.tensor2d(randomValues(12, 1), [4, 3]);
    const fake = tf.tensor2d(randomValues(12, 2), [4, 3]);
    const gp = gradientPenalty((x) => tf.matMul(x, a), real, fake, tf.tensor1d([0, 0.3, 0.7, 1]));
    const norm = Math.sqrt(0.36 + 1.44 + 4);
    expect(gp.penalty.dataSync()[0]).toBeCloseTo((norm - 1) ** 2, 5);
    expect(gp.gradNorm.dataSync()[0]).toBeCloseTo(norm, 5);
  });

  it('rejects a mixing vector that does not match the batch', () => {
    const x = tf.zeros([4, 3]);
    expect(() => gradientPenalty((t) => t, x, x, tf.zeros([3]) as tf.Tensor1D)).toThrow(/3 mixing weights/);
  });

  it("its gradient with respect to the critic's weights (second order) matches finite differences on wasm", () => {
    expect(tf.getBackend()).toBe('wasm');
    const critic = dcganDiscriminatorModel(4, datasetInfo('mnist'), new Init(3), {
      name: 'critic',
      batchNorm: false,
    });
    const weights = critic.trainableWeights.map((w) => w.read() as tf.Variable);
    // Weights 15x DCGAN's init, so the penalty moves well above float32 noise under a small perturbation.
    for (const w of weights) w.assign(tf.mul(w, 15));
    const real = tf.tensor4d(randomValues(2 * 28 * 28, 4), [2, 28, 28, 1]);
    const fake = tf.tensor4d(randomValues(2 * 28 * 28, 5), [2, 28, 28, 1]);
    const mix = tf.tensor1d([0.25, 0.8]);
    const penalty = () =>
      gradientPenalty((x) => critic.apply(x, { training: true }) as tf.Tensor, real, fake, mix).penalty;
    const { grads } = tf.variableGrads(penalty, weights);

    // Per weight tensor, the derivative along a relative direction d = w * r (r uniform in [-1, 1]):
    // sum(grad * d) against (P(w + h d) - P(w - h d)) / 2h. h = 1e-4 keeps every LeakyReLU on its side
    // (1e-3 already crosses kinks here and is off by 50x).
    const h = 1e-4;
    const originals = weights.map((w) => w.clone());
    const directions = weights.map((w, i) => tf.mul(w, tf.tensor(randomValues(w.size, 10 + i), w.shape)));
    const at = (only: number, t: number) => {
      for (const [i, w] of weights.entries())
        w.assign(i === only ? tf.add(originals[i]!, tf.mul(t, directions[i]!)) : originals[i]!);
      return penalty().dataSync()[0]!;
    };
    const checked = weights.map((w, i) => {
      const g = grads[w.name];
      const analytic = g ? tf.sum(tf.mul(g, directions[i]!)).dataSync()[0]! : 0;
      return { name: w.name, analytic, numeric: (at(i, h) - at(i, -h)) / (2 * h) };
    });
    for (const [i, w] of weights.entries()) w.assign(originals[i]!);
    // Kernels (conv1, conv2, score): large second-order terms, matched within 5%. Biases start at zero, so
    // d = 0 for them and both sides are 0; the score's bias never reaches the penalty (no gradient at all).
    const kernels = checked.filter((c) => Math.abs(c.analytic) > 1);
    expect(kernels).toHaveLength(3);
    for (const c of kernels)
      expect(Math.abs(c.numeric - c.analytic) / Math.abs(c.analytic), c.name).toBeLessThan(0.05);
    expect(grads[weights.at(-1)!.name]).toBeUndefined();
    critic.dispose();
  });
});
