import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/index.ts';
import { openDataset } from '../data/index.ts';
import { buildGan } from '../loop.ts';
import { discriminatorBce } from '../losses/bce.ts';
import { applyWithWeights } from '../nn/functional.ts';
import { createStepper, disposeStepInputs, stepInputs } from '../step.ts';
import { tinySpec } from '../test-util.ts';
import { familyContract } from './contract-tests.ts';
import { unrolledWeights } from './unrolled.ts';

const TINY = { latentDim: 4, hiddenUnits: 16, hiddenLayers: 1, unrollSteps: 3 };

beforeAll(async () => {
  await initBackend('wasm');
});

familyContract('unrolled', 'ring8', TINY, ['D_K(G(z))']);

describe('unrolled GAN', () => {
  it('the functional forward equals the model with its own weights', () => {
    const gan = buildGan(tinySpec('unrolled', 'ring8', { hyperparameters: TINY }));
    const D = gan.nets.D!;
    const x = tf.randomNormal([5, 2], 0, 1, 'float32', 3);
    const own = D.predict(x) as tf.Tensor;
    const functional = applyWithWeights(
      D,
      x,
      D.trainableWeights.map((w) => w.read()),
    );
    expect(Array.from(functional.dataSync())).toEqual(Array.from(own.dataSync()));
    tf.dispose([x, own, functional]);
  });

  it('look-ahead steps lower the D loss and carry a gradient back to the fake samples', () => {
    const gan = buildGan(tinySpec('unrolled', 'ring8', { hyperparameters: TINY }));
    const D = gan.nets.D!;
    const real = tf.randomNormal([8, 2], 0, 1, 'float32', 4);
    const fake = tf.randomNormal([8, 2], 0, 1, 'float32', 5);
    const lossAt = (w: tf.Tensor[]) =>
      discriminatorBce(applyWithWeights(D, real, w), applyWithWeights(D, fake, w)).dataSync()[0]!;
    const before = lossAt(D.trainableWeights.map((w) => w.read()));
    const after = lossAt(unrolledWeights(D, real, fake, 5, 0.01));
    expect(after).toBeLessThan(before);

    // d/dfake of D_K(fake) differs from d/dfake of D_0(fake): the look-ahead depends on the fakes.
    const outAt = (k: number) =>
      tf.grad((f: tf.Tensor) => tf.sum(applyWithWeights(D, f, unrolledWeights(D, real, f, k, 0.01))))(fake);
    const g0 = outAt(0).dataSync();
    const g5 = outAt(5).dataSync();
    expect(Array.from(g5).some((v, i) => Math.abs(v - g0[i]!) > 1e-4)).toBe(true);
    tf.dispose([real, fake]);
  });

  it('with K = 0 it trains exactly as the Vanilla GAN with the same networks', () => {
    const { unrollSteps: _, ...vanillaHp } = TINY;
    const steps = (family: string, hyperparameters: Record<string, unknown>) => {
      const spec = tinySpec(family, 'ring8', { hyperparameters });
      const gan = buildGan(spec);
      const data = openDataset(spec.dataset, spec.seed);
      const step = createStepper(gan);
      for (let i = 0; i < 3; i++) {
        const inputs = stepInputs(gan, data, spec.seed, i, spec.batchSize);
        step(inputs);
        disposeStepInputs(inputs);
      }
      return gan.nets.G!.getWeights().map((w) => Array.from(w.dataSync()));
    };
    const plain = steps('vanilla', vanillaHp);
    expect(steps('unrolled', { ...TINY, unrollSteps: 0 })).toEqual(plain);
    expect(steps('unrolled', TINY)).not.toEqual(plain);
  });

  it('the G phase leaves D exactly as it was (the look-ahead is never written back)', () => {
    const spec = tinySpec('unrolled', 'ring8', { hyperparameters: TINY });
    const gan = buildGan(spec);
    const data = openDataset(spec.dataset, spec.seed);
    const step = createStepper({ ...gan, phases: gan.phases.filter((p) => p.name === 'G') });
    const dBefore = gan.nets.D!.getWeights().map((w) => Array.from(w.dataSync()));
    const gBefore = gan.nets.G!.getWeights().map((w) => Array.from(w.dataSync()));
    const inputs = stepInputs(gan, data, spec.seed, 0, spec.batchSize);
    const values = step(inputs);
    disposeStepInputs(inputs);
    expect(Number.isFinite(values['loss/G'])).toBe(true);
    expect(gan.nets.D!.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(dBefore);
    expect(gan.nets.G!.getWeights().map((w) => Array.from(w.dataSync()))).not.toEqual(gBefore);
  });
});
