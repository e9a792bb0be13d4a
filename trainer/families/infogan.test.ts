import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/index.ts';
import { buildGan } from '../loop.ts';
import { categoricalInfoLoss, continuousInfoLoss } from '../losses/info.ts';
import { tinySpec } from '../test-util.ts';
import { familyContract } from './contract-tests.ts';

const TINY = { latentDim: 8, gChannels: 8, dChannels: 4, qUnits: 8, hiddenUnits: 16 };

beforeAll(async () => {
  await initBackend('wasm');
});

familyContract('infogan', 'mnist', TINY, [
  'D(x)',
  'D(G(z))',
  'info/categorical',
  'info/continuous',
  'MI bound',
]);

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

describe('networks', () => {
  /** Output widths of the dense layers of each network, and how many concatenations G has. */
  function shapeOf(hyperparameters: Record<string, unknown>) {
    const gan = buildGan(tinySpec('infogan', 'mnist', { hyperparameters: { ...TINY, ...hyperparameters } }));
    const denseUnits = (net: tf.LayersModel) =>
      net.layers.filter((l) => l.getClassName() === 'Dense').map((l) => (l.outputShape as number[])[1]);
    const shape = {
      G: denseUnits(gan.nets.G!),
      D: denseUnits(gan.nets.D!),
      gJoins: gan.nets.G!.layers.filter((l) => l.getClassName() === 'Concatenate').length,
    };
    for (const net of Object.values(gan.nets)) net.dispose();
    return shape;
  }

  it("has the paper's hidden layer in G and in D's trunk, under both heads, and codes at G's input only", () => {
    // G: hidden, projection to 7x7x8; D: hidden, then (in layer order) Q hidden, logit, Q out (10 + 2 codes).
    expect(shapeOf({})).toEqual({ G: [16, 392], D: [16, 8, 1, 12], gJoins: 1 });
  });

  it('leaves the hidden layers out at 0 and can join the codes again to the feature map', () => {
    expect(shapeOf({ hiddenUnits: 0, rejoinCodes: true })).toEqual({ G: [392], D: [8, 1, 12], gJoins: 2 });
  });
});
