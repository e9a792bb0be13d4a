import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/index.ts';
import { Rng } from '../data/rng.ts';
import { buildGan } from '../loop.ts';
import { hmc } from '../nn/hmc.ts';
import { tinySpec } from '../test-util.ts';
import { familyContract } from './contract-tests.ts';

const TINY = { latentDim: 4, hiddenUnits: 16, hiddenLayers: 1, hmcLeapfrogSteps: 2, hmcIterations: 1 };
const METRICS = ['D(x)', 'D(G(z))', 'hmc/acceptance', 'sigma/mean', 'loss/G/adversarial'];

beforeAll(async () => {
  await initBackend('wasm');
});

familyContract('presgan', 'ring8', TINY, METRICS);
familyContract('presgan', 'mnist', TINY, METRICS);

describe('HMC', () => {
  it('samples a Gaussian target: moments match and most proposals are accepted', () => {
    // Target N(mu, s^2) per coordinate, 400 chains started at 0, 30 transitions.
    const mu = [1.5, -2];
    const s = 0.5;
    const logDensity = (z: tf.Tensor2D) =>
      tf.neg(tf.sum(tf.div(tf.square(tf.sub(z, tf.tensor1d(mu))), 2 * s * s), 1)) as tf.Tensor1D;
    const start = tf.zeros([400, 2]) as tf.Tensor2D;
    const { samples, acceptance } = hmc(logDensity, start, {
      leapfrogSteps: 5,
      stepSize: 0.2,
      iterations: 30,
      rng: new Rng(7, 99),
    });
    const mean = tf.mean(samples, 0).dataSync();
    const sd = tf.sqrt(tf.moments(samples, 0).variance).dataSync();
    expect(Math.abs(mean[0]! - mu[0]!)).toBeLessThan(0.1);
    expect(Math.abs(mean[1]! - mu[1]!)).toBeLessThan(0.1);
    expect(Math.abs(sd[0]! - s)).toBeLessThan(0.08);
    expect(Math.abs(sd[1]! - s)).toBeLessThan(0.08);
    expect(acceptance).toBeGreaterThan(0.8);
    expect(acceptance).toBeLessThanOrEqual(1);
    tf.dispose([start, samples]);
  });

  it('rejects every proposal when the step size makes the energy blow up', () => {
    const logDensity = (z: tf.Tensor2D) => tf.neg(tf.mul(tf.sum(tf.square(z), 1), 1e4)) as tf.Tensor1D;
    const start = tf.fill([50, 2], 0.01) as tf.Tensor2D;
    const { samples, acceptance } = hmc(logDensity, start, {
      leapfrogSteps: 3,
      stepSize: 1,
      iterations: 2,
      rng: new Rng(1, 2),
    });
    expect(acceptance).toBe(0);
    expect(Array.from(samples.dataSync())).toEqual(Array.from(start.dataSync()));
    tf.dispose([start, samples]);
  });

  it('refuses a zero step size', () => {
    const start = tf.zeros([2, 2]) as tf.Tensor2D;
    expect(() =>
      hmc((z) => tf.sum(z, 1) as tf.Tensor1D, start, {
        leapfrogSteps: 1,
        stepSize: 0,
        iterations: 1,
        rng: new Rng(1),
      }),
    ).toThrow(/stepSize > 0/);
    start.dispose();
  });
});

describe('prescribed GAN', () => {
  // Bounds that do not hold sigmaInit are refused by parseSpec (shared/spec.test.ts), so never built.
  it('starts at sigmaInit', () => {
    const gan = buildGan(tinySpec('presgan', 'ring8', { hyperparameters: { ...TINY, sigmaInit: 0.05 } }));
    const raw = gan.nets.S!.getWeights()[0]!.dataSync();
    const sigma = 0.001 + (0.3 - 0.001) / (1 + Math.exp(-raw[0]!));
    expect(sigma).toBeCloseTo(0.05, 5);
  });
});
