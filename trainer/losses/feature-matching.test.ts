import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/index.ts';
import { checkGradients, randomTensor, relativeError } from '../nn/gradient-check.ts';
import { featureMatching } from './feature-matching.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('feature matching', () => {
  it("is the L1 distance of each layer's features, averaged over layers, then over scales", () => {
    const real = [[tf.tensor2d([1, 2], [1, 2]), tf.tensor2d([0, 0, 0], [1, 3])], [tf.tensor2d([4], [1, 1])]];
    const fake = [[tf.tensor2d([0, 2], [1, 2]), tf.tensor2d([3, 0, 0], [1, 3])], [tf.tensor2d([1], [1, 1])]];
    // Scale 0: (0.5 + 1) / 2; scale 1: 3; mean of the two.
    expect(featureMatching(real, fake).dataSync()[0]).toBeCloseTo((0.75 + 3) / 2, 6);
    expect(featureMatching(real, real).dataSync()[0]).toBe(0);
  });

  it('refuses scales or layers that do not pair up, saying which', () => {
    const t = tf.zeros([1, 2]);
    expect(() => featureMatching([[t]], [[t], [t]])).toThrow(/1 real scales and 2 fake/);
    expect(() => featureMatching([[t, t]], [[t]])).toThrow(/scale 0 has 2 real layers and 1 fake/);
  });

  it('its gradient in the fake features agrees with finite differences', () => {
    const real = [[randomTensor([2, 3, 3, 4], 1)], [randomTensor([2, 2, 2, 4], 2), randomTensor([2, 5], 3)]];
    const fakes = [
      tf.variable(randomTensor([2, 3, 3, 4], 4)),
      tf.variable(randomTensor([2, 2, 2, 4], 5)),
      tf.variable(randomTensor([2, 5], 6)),
    ];
    const f = () => featureMatching(real, [[fakes[0]!], [fakes[1]!, fakes[2]!]]);
    // L1's kinks sit where fake = real; a small step keeps random points off them.
    for (const check of checkGradients(f, fakes, { h: 1e-3 }))
      expect(relativeError(check)).toBeLessThan(1e-2);
  });
});
