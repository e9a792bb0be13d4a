import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/index.ts';
import { discriminatorBce, discriminatorBceMismatched } from './bce.ts';
import { maskL1, totalVariation } from './mask.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

const value = (t: tf.Scalar) => {
  const v = t.dataSync()[0]!;
  t.dispose();
  return v;
};

describe('the Conditional Analogy GAN losses', () => {
  it("mask L1 is the mask's mean, 0 for an empty mask", () => {
    expect(value(maskL1(tf.tensor4d([0, 0.5, 1, 0.5], [1, 2, 2, 1])))).toBeCloseTo(0.5, 6);
    expect(value(maskL1(tf.zeros([2, 3, 3, 1])))).toBe(0);
  });

  it('total variation sums the mean vertical and horizontal steps; 0 when constant', () => {
    // [[0, 1], [1, 1]]: vertical steps |1 - 0|, |1 - 1| (mean 0.5); horizontal |1 - 0|, |1 - 1| (mean 0.5).
    expect(value(totalVariation(tf.tensor4d([0, 1, 1, 1], [1, 2, 2, 1])))).toBeCloseTo(1, 6);
    expect(value(totalVariation(tf.fill([2, 4, 4, 1], 0.7)))).toBeCloseTo(0, 6);
    // Speckle costs more than one solid region of the same area.
    const region = tf.tensor4d([1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], [1, 4, 4, 1]);
    const speckle = tf.tensor4d([1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1], [1, 4, 4, 1]);
    expect(value(totalVariation(speckle))).toBeGreaterThan(value(totalVariation(region)));
    expect(() => totalVariation(tf.zeros([4, 4]))).toThrow(/\[B, H, W, C\]/);
  });

  it('D on pairs: a mismatched pair counts as fake, adding -log(1 - D) to the real/fake game', () => {
    const real = tf.tensor2d([2, 1], [2, 1]);
    const fake = tf.tensor2d([-1, 0], [2, 1]);
    const mismatched = tf.tensor2d([3, -3], [2, 1]);
    const softplus = (x: number) => Math.log1p(Math.exp(x));
    const expected = value(discriminatorBce(real, fake)) + (softplus(3) + softplus(-3)) / 2;
    expect(value(discriminatorBceMismatched(real, fake, mismatched))).toBeCloseTo(expected, 5);
    // D that rejects mismatched pairs strongly pays almost nothing for them.
    const confident = value(discriminatorBceMismatched(real, fake, tf.fill([2, 1], -20)));
    expect(confident).toBeCloseTo(value(discriminatorBce(real, fake)), 5);
  });
});
