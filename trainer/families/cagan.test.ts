import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/index.ts';
import { openDataset } from '../data/index.ts';
import type { Gan } from '../gan.ts';
import { buildGan } from '../loop.ts';
import { discriminatorBce, discriminatorBceMismatched, generatorNonSaturating } from '../losses/bce.ts';
import { maskL1, totalVariation } from '../losses/mask.ts';
import { disposeStepInputs, stepInputs } from '../step.ts';
import { tinySpec } from '../test-util.ts';
import { familyContract } from './contract-tests.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

familyContract('cagan', 'figures-articles', undefined, [
  'D(real)',
  'D(fake)',
  'D(mismatched)',
  'G/adversarial',
  'G/cycle',
  'G/mask',
  'mask/mean',
]);

function dispose(gan: Gan): void {
  for (const net of Object.values(gan.nets)) net.dispose();
  for (const opt of Object.values(gan.optimizers)) opt.dispose();
}

const scalar = (t: tf.Tensor) => t.dataSync()[0]!;

describe('the parts GANS.md asks of the Conditional Analogy GAN are there', () => {
  it('G takes (person, worn article, new article) and gives a mask and the image composited through it; D judges (article, image) pairs', () => {
    const gan = buildGan(tinySpec('cagan', 'figures-articles'));
    const G = gan.nets.G!;
    expect(G.inputNames).toEqual(['person', 'article', 'new_article']);
    expect(G.outputNames).toEqual(['image', 'mask']);
    expect(G.outputs[1]!.shape).toEqual([null, 64, 64, 1]);
    // The composite: m x painted + (1 - m) x person, the two products summed.
    expect(G.layers.filter((l) => l.getClassName() === 'Multiply')).toHaveLength(2);
    expect(G.getLayer('negate_mask_logit').trainable).toBe(false);
    expect(gan.translation).toEqual({ inputs: ['x', 'article', 'newArticle'], masks: ['mask'] });
    expect(gan.nets.D!.inputNames).toEqual(['input', 'image']);
    expect(gan.phases.map((p) => p.name)).toEqual(['D', 'G']);
    dispose(gan);
    const baseline = buildGan(
      tinySpec('cagan', 'figures-articles', { hyperparameters: { adversarialWeight: 0 } }),
    );
    expect(Object.keys(baseline.nets)).toEqual(['G']);
    expect(baseline.phases.map((p) => p.name)).toEqual(['G']);
    dispose(baseline);
  });

  it("D's loss holds real, fake and mismatched pairs: a real person with the new article is fake", () => {
    const spec = tinySpec('cagan', 'figures-articles');
    const gan = buildGan(spec);
    const [draw] = stepInputs(gan, openDataset(spec.dataset, spec.seed), spec.seed, 0, 4);
    const { article, newArticle, real: person } = draw!;
    const D = (a: tf.Tensor, x: tf.Tensor) => gan.nets.D!.apply([a, x], { training: true }) as tf.Tensor;
    const { loss, metrics } = gan.phases[0]!.loss(draw!);
    const [image] = gan.nets.G!.apply([person, article!, newArticle!], { training: true }) as tf.Tensor[];
    const real = D(article!, person);
    const fake = D(newArticle!, image!);
    const mismatched = D(newArticle!, person);
    expect(scalar(loss)).toBeCloseTo(scalar(discriminatorBceMismatched(real, fake, mismatched)), 4);
    expect(scalar(loss)).toBeGreaterThan(scalar(discriminatorBce(real, fake)));
    expect(scalar(metrics!['D(mismatched)']!)).toBeCloseTo(scalar(tf.mean(tf.sigmoid(mismatched))), 4);
    disposeStepInputs([draw!]);
    dispose(gan);
  });

  it("G's loss: adversarial on (new article, output) + cycle L1 (the worn article put back recovers the person) + the masks' L1 and total variation", () => {
    const hp = { adversarialWeight: 2, cycleWeight: 3, maskWeight: 0.5, maskTvWeight: 0.25 };
    const spec = tinySpec('cagan', 'figures-articles', { hyperparameters: hp });
    const gan = buildGan(spec);
    const [draw] = stepInputs(gan, openDataset(spec.dataset, spec.seed), spec.seed, 0, 4);
    const { article, newArticle, real: person } = draw!;
    const G = (x: tf.Tensor, worn: tf.Tensor, wanted: tf.Tensor) =>
      gan.nets.G!.apply([x, worn, wanted], { training: true }) as tf.Tensor[];
    const { loss, metrics } = gan.phases[1]!.loss(draw!);
    const [image, mask] = G(person, article!, newArticle!);
    const [back, backMask] = G(image!, newArticle!, article!);
    const cycle = 3 * scalar(tf.mean(tf.abs(tf.sub(back!, person))));
    const masks = [mask!, backMask!].reduce(
      (sum, m) => sum + 0.5 * scalar(maskL1(m)) + 0.25 * scalar(totalVariation(m)),
      0,
    );
    const adversarial = scalar(
      generatorNonSaturating(gan.nets.D!.apply([newArticle!, image!], { training: true }) as tf.Tensor),
    );
    expect(scalar(metrics!['G/cycle']!)).toBeCloseTo(cycle, 4);
    expect(scalar(metrics!['G/mask']!)).toBeCloseTo(masks, 4);
    expect(scalar(loss)).toBeCloseTo(2 * adversarial + cycle + masks, 3);
    disposeStepInputs([draw!]);
    dispose(gan);
  });
});
