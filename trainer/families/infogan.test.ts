import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { datasetInfo } from '../../shared/datasets.ts';
import { initBackend } from '../backend/index.ts';
import { openDataset } from '../data/index.ts';
import { buildGan } from '../loop.ts';
import { categoricalInfoLoss, continuousInfoLoss } from '../losses/info.ts';
import { fixedSampleInputs } from '../samples.ts';
import { disposeStepInputs, stepInputs } from '../step.ts';
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

describe('noise', () => {
  /** The z of a training step and of the gallery under the spec's `noise`: min, max and variance. */
  function zOf(noise: string | undefined) {
    const spec = tinySpec('infogan', 'mnist', {
      batchSize: 64,
      hyperparameters: { ...TINY, ...(noise ? { noise } : {}) },
    });
    const gan = buildGan(spec);
    const [inputs] = stepInputs(gan, openDataset('mnist', spec.seed), spec.seed, 0, spec.batchSize);
    const gallery = fixedSampleInputs(spec.seed, datasetInfo('mnist'), gan).inputs;
    const summary = [inputs!.z, gallery[0]!].map((z) => {
      const v = Array.from(z.dataSync());
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      return {
        min: Math.min(...v),
        max: Math.max(...v),
        variance: v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length,
      };
    });
    disposeStepInputs([inputs!]);
    for (const t of gallery) t.dispose();
    for (const net of Object.values(gan.nets)) net.dispose();
    return summary;
  }

  it("draws z uniform in [-1, 1] by default and from a standard normal when the spec says 'normal'", () => {
    for (const z of zOf('normal')) {
      expect(Math.max(-z.min, z.max)).toBeGreaterThan(1.5);
      expect(z.variance).toBeGreaterThan(0.6);
    }
    for (const z of zOf(undefined)) {
      expect(z.min).toBeGreaterThanOrEqual(-1);
      expect(z.max).toBeLessThanOrEqual(1);
      expect(z.variance).toBeGreaterThan(0.25);
      expect(z.variance).toBeLessThan(0.42);
    }
  });
});
