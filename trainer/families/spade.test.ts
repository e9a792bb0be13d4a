import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/index.ts';
import { openDataset } from '../data/index.ts';
import type { Gan } from '../gan.ts';
import { buildGan } from '../loop.ts';
import { featureMatching } from '../losses/feature-matching.ts';
import { generatorHinge } from '../losses/hinge.ts';
import { Modulate } from '../nn/modulate.ts';
import { multiScaleOutputs } from '../nn/patchgan.ts';
import { disposeStepInputs, stepInputs } from '../step.ts';
import { TINY_HYPERPARAMETERS, tinySpec } from '../test-util.ts';
import { familyContract } from './contract-tests.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

familyContract('spade', 'scenes', undefined, ['D(x)', 'D(G(x))', 'G/adversarial', 'G/featureMatching']);

const learningRate = (o: tf.Optimizer) => (o as unknown as { learningRate: number }).learningRate;

describe('the parts GANS.md asks of SPADE are there', () => {
  it('G paints from the one-hot label map alone, with SPADE (scale and shift from the map) in every residual block', () => {
    const gan = buildGan(tinySpec('spade', 'scenes'));
    const G = gan.nets.G!;
    expect(gan.latentDim).toBe(0);
    expect(gan.translation).toEqual({ inputs: ['map'], target: 'x' });
    expect(G.inputNames).toEqual(['map']);
    expect(G.inputs[0]!.shape).toEqual([null, 64, 64, 5]);
    const spades = G.layers.filter((l): l is Modulate => l instanceof Modulate);
    expect(spades.length).toBeGreaterThan(0);
    for (const l of spades) {
      expect(l.source.from).toBe('map');
      expect(l.inboundNodes[0]!.inboundLayers[1]!.name).toBe('map');
    }
    const blocks = TINY_HYPERPARAMETERS.spade!.blocks as number;
    for (let b = 0; b < blocks; b++)
      expect(spades.filter((l) => l.name.startsWith(`block${b}_spade`)).length).toBeGreaterThanOrEqual(2);
    dispose(gan);
  });

  it('D is a multi-scale PatchGAN on (map, image) pairs giving each scale its features and scores; TTUR G 1e-4, D 4e-4', () => {
    const gan = buildGan(tinySpec('spade', 'scenes'));
    const D = gan.nets.D!;
    expect(D.inputNames).toEqual(['input', 'image']);
    expect(D.inputs[0]!.shape).toEqual([null, 64, 64, 5]);
    // Two scales of (downs + 1 = 2 feature maps, a score): the second at half the side.
    expect(D.outputs.map((o) => o.shape)).toEqual([
      [null, 32, 32, 4],
      [null, 32, 32, 8],
      [null, 32, 32, 1],
      [null, 16, 16, 4],
      [null, 16, 16, 8],
      [null, 16, 16, 1],
    ]);
    expect(learningRate(gan.optimizers.G!)).toBe(1e-4);
    expect(learningRate(gan.optimizers.D!)).toBe(4e-4);
    dispose(gan);
  });

  it("G's loss is the hinge G term over the scales + lambda x feature matching on D's features", () => {
    const spec = tinySpec('spade', 'scenes', {
      hyperparameters: { ...TINY_HYPERPARAMETERS.spade, featureMatchingWeight: 3 },
    });
    const gan = buildGan(spec);
    const [draw] = stepInputs(gan, openDataset(spec.dataset, spec.seed), spec.seed, 0, 2);
    const withFake = { ...draw!, fake: gan.generate!(draw!) };
    const { loss, metrics } = gan.phases.find((p) => p.name === 'G')!.loss(withFake);
    const judged = (image: tf.Tensor) =>
      multiScaleOutputs(gan.nets.D!.apply([draw!.map!, image], { training: true }) as tf.Tensor[], 2);
    const expected = tf.tidy(() => {
      const fake = judged(withFake.fake);
      const real = judged(draw!.real);
      const hinge = tf.div(tf.add(generatorHinge(fake.scores[0]!), generatorHinge(fake.scores[1]!)), 2);
      return tf.add(hinge, tf.mul(3, featureMatching(real.features, fake.features)));
    });
    expect(metrics!['G/featureMatching']!.dataSync()[0]).toBeGreaterThan(0);
    expect(loss.dataSync()[0]).toBeCloseTo(expected.dataSync()[0]!, 4);
    tf.dispose([loss, expected, withFake.fake, ...Object.values(metrics!)]);
    disposeStepInputs([draw!]);
    dispose(gan);
  });

  it("pix2pix, SPADE's baseline, reads the same one-hot map on the scenes", () => {
    const gan = buildGan(tinySpec('pix2pix', 'scenes'));
    expect(gan.translation).toEqual({ inputs: ['map'], target: 'x' });
    expect(gan.nets.G!.inputs[0]!.shape).toEqual([null, 64, 64, 5]);
    expect(gan.nets.D!.inputs[0]!.shape).toEqual([null, 64, 64, 5]);
    dispose(gan);
  });
});

function dispose(gan: Gan): void {
  for (const net of Object.values(gan.nets)) net.dispose();
  for (const opt of Object.values(gan.optimizers)) opt.dispose();
}
