import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/index.ts';
import { cycleLoss, identityLoss } from './cycle.ts';
import { l1 } from './l1.ts';
import { discriminatorLeastSquares, generatorLeastSquares } from './least-squares.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

const value = (t: tf.Scalar) => {
  const v = t.dataSync()[0]!;
  t.dispose();
  return v;
};

describe('image-to-image losses', () => {
  it('L1 is the mean absolute difference over every element', () => {
    expect(value(l1(tf.tensor2d([1, -2, 3, 0], [2, 2]), tf.tensor2d([0, 0, 1, 1], [2, 2])))).toBeCloseTo(
      (1 + 2 + 2 + 1) / 4,
      6,
    );
  });

  it("least squares: D's loss is half the mean squared distance of real scores to 1 and fake to 0", () => {
    const real = tf.tensor4d([1, 0.5, 1, 0], [1, 2, 2, 1]);
    const fake = tf.tensor4d([0, 1, 0, -1], [1, 2, 2, 1]);
    expect(value(discriminatorLeastSquares(real, fake))).toBeCloseTo(0.5 * ((0.25 + 1) / 4 + 2 / 4), 6);
    expect(value(discriminatorLeastSquares(tf.ones([2, 3]), tf.zeros([2, 3])))).toBe(0);
    // G wants its fakes scored 1.
    expect(value(generatorLeastSquares(fake))).toBeCloseTo((1 + 0 + 1 + 4) / 4, 6);
    expect(value(generatorLeastSquares(tf.ones([2, 3])))).toBe(0);
  });

  it('cycle and identity are L1 distances times their lambda, zero for a perfect round trip', () => {
    const a = tf.tensor2d([0.5, -0.5, 1, 0], [2, 2]);
    const b = tf.tensor2d([0, -0.5, 0, 0], [2, 2]);
    expect(value(cycleLoss(a, b, 10))).toBeCloseTo(10 * 0.375, 5);
    expect(value(identityLoss(a, b, 5))).toBeCloseTo(5 * 0.375, 5);
    expect(value(cycleLoss(a, a, 10))).toBe(0);
  });
});
