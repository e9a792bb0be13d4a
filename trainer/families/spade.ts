/**
 * SPADE (Park et al. 2019) on a label-map set: G (nn/spade.ts) paints the image from the one-hot map alone,
 * SPADE (the modulate layer with its scale and shift from the map) in every residual block; D is the
 * multi-scale PatchGAN (nn/patchgan.ts) on (map, image) pairs with instance norm. D: the hinge loss on
 * every scale's patch scores, averaged over scales. G: the hinge G term likewise, plus lambda x feature
 * matching on D's features of the real and the generated image. TTUR: G 1e-4, D 4e-4, beta1 0.
 */
import * as tf from '@tensorflow/tfjs';
import type { SpadeHyperparameters } from '../../shared/catalog.ts';
import { fakeOf, type GanFamily, type StepInputs } from '../gan.ts';
import { featureMatching } from '../losses/feature-matching.ts';
import { discriminatorHinge, generatorHinge } from '../losses/hinge.ts';
import { ttur } from '../nn/optimizers.ts';
import { multiScaleOutputs, multiScalePatchGanModel } from '../nn/patchgan.ts';
import { spadeGenerator } from '../nn/spade.ts';

function mapOf({ map }: StepInputs): tf.Tensor {
  if (!map) throw new Error('a SPADE step needs a label-map batch (its one-hot maps)');
  return map;
}

const meanOf = (ts: tf.Scalar[]) => tf.div<tf.Scalar>(tf.addN(ts), ts.length);

export const spade: GanFamily<SpadeHyperparameters> = {
  id: 'spade',
  build({ hyperparameters: hp, dataset, init }) {
    const [h, w, channels] = dataset.shape as [number, number, number];
    const G = spadeGenerator({
      mapShape: [h, w, dataset.classes],
      outputChannels: channels,
      // Coarsest first: gFilters x 4, then halving to gFilters at the image's side.
      widths: Array.from({ length: hp.blocks }, (_, b) => hp.gFilters * 2 ** Math.min(hp.blocks - 1 - b, 2)),
      hidden: hp.spadeHidden,
      init,
    });
    const D = multiScalePatchGanModel({
      imageShape: [h, w, channels],
      conditionChannels: dataset.classes,
      filters: hp.dFilters,
      downs: hp.patchDowns,
      scales: hp.dScales,
      norm: 'instance',
      init,
      name: 'discriminator',
    });
    const generate = (inputs: StepInputs) => G.apply(mapOf(inputs), { training: true }) as tf.Tensor;
    const judge = (inputs: StepInputs, image: tf.Tensor) =>
      multiScaleOutputs(D.apply([mapOf(inputs), image], { training: true }) as tf.Tensor[], hp.dScales);
    return {
      nets: { G, D },
      optimizers: ttur(hp),
      phases: [
        {
          name: 'D',
          updates: ['D'],
          optimizer: 'D',
          loss: (inputs) => {
            const real = judge(inputs, inputs.real).scores;
            const fake = judge(inputs, fakeOf(inputs, generate)).scores;
            return {
              loss: meanOf(real.map((r, s) => discriminatorHinge(r, fake[s]!))),
              metrics: {
                'D(x)': meanOf(real.map((r) => tf.mean<tf.Scalar>(r))),
                'D(G(x))': meanOf(fake.map((f) => tf.mean<tf.Scalar>(f))),
              },
            };
          },
        },
        {
          name: 'G',
          updates: ['G'],
          optimizer: 'G',
          loss: (inputs) => {
            const fake = judge(inputs, fakeOf(inputs, generate));
            const real = judge(inputs, inputs.real);
            const adversarial = meanOf(fake.scores.map(generatorHinge));
            const matching = featureMatching(real.features, fake.features);
            return {
              loss: tf.add(adversarial, tf.mul(hp.featureMatchingWeight, matching)),
              metrics: { 'G/adversarial': adversarial, 'G/featureMatching': matching },
            };
          },
        },
      ],
      generate,
      generator: G,
      latentDim: 0,
      translation: { inputs: ['map'], target: 'x' },
    };
  },
};
