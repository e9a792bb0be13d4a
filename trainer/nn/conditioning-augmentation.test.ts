/** Conditioning augmentation: the sample follows N(mu, exp(logvar)), its gradient reaches mu and logvar. */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../data/rng.ts';
import { conditioningAugmentation, reparameterise } from './conditioning-augmentation.ts';
import { Init } from './init.ts';

describe('conditioning augmentation', () => {
  it('maps an embedding to mu and logvar of the condition size, mu reachable alone', () => {
    const ca = conditioningAugmentation(6, 3, new Init(1), 'ca');
    const e = tf.randomNormal([5, 6], 0, 1, 'float32', 2);
    const [mu, logvar] = ca.model.predict(e) as tf.Tensor[];
    expect(mu!.shape).toEqual([5, 3]);
    expect(logvar!.shape).toEqual([5, 3]);
    const alone = ca.mu.apply(e) as tf.Tensor;
    expect(Array.from(alone.dataSync())).toEqual(Array.from(mu!.dataSync()));
    // Two layers, not one: logvar differs from mu.
    expect(Array.from(logvar!.dataSync())).not.toEqual(Array.from(mu!.dataSync()));
    tf.dispose([e, mu!, logvar!, alone]);
    ca.model.dispose();
  });

  it('samples c = mu + exp(logvar / 2) eps: mean mu and standard deviation exp(logvar / 2)', () => {
    const n = 20000;
    const mu = tf.fill([n, 2], 0).add(tf.tensor1d([1.5, -2]));
    const logvar = tf.fill([n, 2], 0).add(tf.tensor1d([Math.log(0.25), Math.log(4)]));
    const eps = tf.tensor2d(new Rng(3, 1).normals(n * 2), [n, 2]);
    const c = reparameterise(mu, logvar, eps);
    const { mean, variance } = tf.moments(c, 0);
    const [m0, m1] = Array.from(mean.dataSync());
    const [s0, s1] = Array.from(variance.sqrt().dataSync());
    expect(m0).toBeCloseTo(1.5, 1);
    expect(m1).toBeCloseTo(-2, 1);
    expect(s0).toBeCloseTo(0.5, 1);
    expect(s1).toBeCloseTo(2, 1);
    tf.dispose([mu, logvar, eps, c, mean, variance]);
  });

  it('passes gradients to mu (1) and logvar (eps exp(logvar / 2) / 2)', () => {
    const mu = tf.tensor2d([[0.3, -0.1]]);
    const logvar = tf.tensor2d([[0.4, -1]]);
    const eps = tf.tensor2d([[0.7, -1.2]]);
    const [gMu, gLogvar] = tf.grads((m: tf.Tensor, l: tf.Tensor) => reparameterise(m, l, eps).sum())([
      mu,
      logvar,
    ]);
    expect(Array.from(gMu!.dataSync())).toEqual([1, 1]);
    const expected = [0.7 * Math.exp(0.2) * 0.5, -1.2 * Math.exp(-0.5) * 0.5];
    Array.from(gLogvar!.dataSync()).forEach((g, i) => {
      expect(g).toBeCloseTo(expected[i]!, 5);
    });
    tf.dispose([mu, logvar, eps, gMu!, gLogvar!]);
  });
});
