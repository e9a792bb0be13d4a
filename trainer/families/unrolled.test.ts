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

familyContract('unrolled', 'ring8', TINY, ['D(x)', 'D(G(z))', 'D_K(G(z))']);

/** A fresh unrolled GAN's D and its Adam, with fixed real and fake batches of 8 ring8 points. */
function lookAheadFixture() {
  const gan = buildGan(tinySpec('unrolled', 'ring8', { hyperparameters: TINY }));
  return {
    D: gan.nets.D!,
    optimizer: gan.optimizers.D!,
    real: tf.randomNormal([8, 2], 0, 1, 'float32', 4),
    fake: tf.randomNormal([8, 2], 0, 1, 'float32', 5),
  };
}

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

  it("a look-ahead step is the step D's own Adam takes next, from its current moments", () => {
    const { D, optimizer, real, fake } = lookAheadFixture();
    const vars = D.trainableWeights.map((w) => w.read() as tf.Variable);
    const dStep = () =>
      tf.dispose(
        optimizer.minimize(
          () => discriminatorBce(D.apply(real) as tf.Tensor, D.apply(fake) as tf.Tensor),
          true,
          vars,
        )!,
      );
    // Three real updates first, so the moments and the bias correction are not the fresh ones.
    for (let i = 0; i < 3; i++) dStep();
    const lookAhead = unrolledWeights(D, optimizer, real, fake, 2).map((w) => Array.from(w.dataSync()));
    dStep();
    dStep();
    const real2 = D.trainableWeights.map((w) => Array.from(w.read().dataSync()));
    expect(lookAhead.length).toBe(real2.length);
    const largestGap = Math.max(...lookAhead.flatMap((w, i) => w.map((x, j) => Math.abs(x - real2[i]![j]!))));
    expect(largestGap).toBeLessThan(1e-5);
    tf.dispose([real, fake]);
  });

  it('look-ahead steps lower the D loss and carry a gradient back to the fake samples', () => {
    const { D, optimizer, real, fake } = lookAheadFixture();
    const lossAt = (w: tf.Tensor[]) =>
      discriminatorBce(applyWithWeights(D, real, w), applyWithWeights(D, fake, w)).dataSync()[0]!;
    const before = lossAt(D.trainableWeights.map((w) => w.read()));
    const after = lossAt(unrolledWeights(D, optimizer, real, fake, 5));
    expect(after).toBeLessThan(before);

    // d/dfake of D_K(fake) differs from d/dfake of D_0(fake): the look-ahead depends on the fakes.
    const outAt = (k: number) =>
      tf.grad((f: tf.Tensor) => tf.sum(applyWithWeights(D, f, unrolledWeights(D, optimizer, real, f, k))))(
        fake,
      );
    const g0 = outAt(0).dataSync();
    const g5 = outAt(5).dataSync();
    expect(g5.every(Number.isFinite)).toBe(true);
    expect(Array.from(g5).some((v, i) => Math.abs(v - g0[i]!) > 1e-4)).toBe(true);
    tf.dispose([real, fake]);
  });

  it('rejects a D optimizer that is not Adam (its moments are what is unrolled)', () => {
    const gan = buildGan(tinySpec('unrolled', 'ring8', { hyperparameters: TINY }));
    const x = tf.zeros([2, 2]);
    expect(() => unrolledWeights(gan.nets.D!, tf.train.sgd(0.1), x, x, 1)).toThrow(/must be tfjs's Adam/);
    tf.dispose(x);
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

  it("the G phase leaves D and D's optimizer exactly as they were (the look-ahead is never written back)", async () => {
    const spec = tinySpec('unrolled', 'ring8', { hyperparameters: TINY });
    const gan = buildGan(spec);
    const data = openDataset(spec.dataset, spec.seed);
    const step = createStepper({ ...gan, phases: gan.phases.filter((p) => p.name === 'G') });
    // Take one full step first, so D's optimizer has moments the look-ahead reads.
    const full = createStepper(gan);
    const first = stepInputs(gan, data, spec.seed, 0, spec.batchSize);
    full(first);
    disposeStepInputs(first);
    const dBefore = gan.nets.D!.getWeights().map((w) => Array.from(w.dataSync()));
    const adamBefore = await gan.optimizers.D!.getWeights();
    const adamValues = adamBefore.map((w) => Array.from(w.tensor.dataSync()));
    const gBefore = gan.nets.G!.getWeights().map((w) => Array.from(w.dataSync()));
    const inputs = stepInputs(gan, data, spec.seed, 1, spec.batchSize);
    const values = step(inputs);
    disposeStepInputs(inputs);
    expect(Number.isFinite(values['loss/G'])).toBe(true);
    expect(gan.nets.D!.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(dBefore);
    const adamAfter = await gan.optimizers.D!.getWeights();
    expect(adamAfter.map((w) => Array.from(w.tensor.dataSync()))).toEqual(adamValues);
    expect(gan.nets.G!.getWeights().map((w) => Array.from(w.dataSync()))).not.toEqual(gBefore);
  });
});
