import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/index.ts';
import { categoricalInfoLoss, continuousInfoLoss } from '../losses/info.ts';
import { familyContract } from './contract-tests.ts';

const TINY = { latentDim: 8, gChannels: 8, dChannels: 4, qUnits: 8 };

beforeAll(async () => {
  await initBackend('wasm');
});

familyContract('infogan', 'mnist', TINY, ['info/categorical', 'info/continuous', 'MI bound']);

describe('information losses', () => {
  it('categorical: log K for uninformative logits, near 0 when Q is sure and right', () => {
    const oneHot = tf.oneHot(tf.tensor1d([0, 3, 9], 'int32'), 10).toFloat();
    expect(categoricalInfoLoss(tf.zeros([3, 10]), oneHot).dataSync()[0]).toBeCloseTo(Math.log(10), 5);
    expect(categoricalInfoLoss(tf.mul(oneHot, 30), oneHot).dataSync()[0]).toBeLessThan(1e-6);
    expect(categoricalInfoLoss(tf.mul(tf.sub(1, oneHot), 30), oneHot).dataSync()[0]).toBeGreaterThan(29);
  });

  it('continuous: half the squared error, summed over codes and averaged over the batch', () => {
    const codes = tf.tensor2d([
      [0.5, -1],
      [0, 1],
    ]);
    const means = tf.tensor2d([
      [0.5, 0],
      [1, 1],
    ]);
    expect(continuousInfoLoss(means, codes).dataSync()[0]).toBeCloseTo((0.5 * 1 + 0.5 * 1) / 2, 6);
  });
});
