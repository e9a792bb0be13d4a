/**
 * SRGAN (Ledig et al. 2017): nn/srgan.ts's residual G (PReLU, x4 by two sub-pixel steps) enlarges a paired
 * set's low-resolution input to its target. Stage 1 trains G on the pixel MSE alone (SRResNet); stage 2 adds
 * nn/srgan.ts's VGG-style D in the BCE game, and G's loss becomes contentWeight x the MSE in the project's
 * photo feature network (losses/photo-features.ts) + adversarialWeight x the non-saturating term. The same G
 * in both stages. adversarialWeight 0 is the MSE-only baseline: one stage, no D.
 */
import * as tf from '@tensorflow/tfjs';
import type { SrganHyperparameters } from '../../shared/catalog.ts';
import { upscaleOf } from '../../shared/catalog.ts';
import { fakeOf, type Gan, type GanFamily, type Phase, type StepInputs } from '../gan.ts';
import { discriminatorBce, generatorNonSaturating, meanProbability } from '../losses/bce.ts';
import { featureContent, mse } from '../losses/content.ts';
import { loadPhotoFeatures } from '../losses/photo-features.ts';
import { adam } from '../nn/optimizers.ts';
import { srGenerator, vggDiscriminator } from '../nn/srgan.ts';

function inputOf({ input }: StepInputs): tf.Tensor {
  if (!input) throw new Error('an srgan step needs a paired batch (its low-resolution input images)');
  return input;
}

export const srgan: GanFamily<SrganHyperparameters> = {
  id: 'srgan',
  build({ hyperparameters: hp, dataset, init, steps }): Gan {
    const shape = dataset.shape as [number, number, number];
    if (!dataset.inputShape)
      throw new Error(`srgan enlarges a smaller input; '${dataset.id}' pairs images of one size`);
    const G = srGenerator({
      inputShape: dataset.inputShape,
      factor: upscaleOf(dataset),
      filters: hp.filters,
      blocks: hp.blocks,
      bicubicSkip: hp.bicubicSkip,
      init,
      inputName: 'input',
    });
    const generate = (inputs: StepInputs) => G.apply(inputOf(inputs), { training: true }) as tf.Tensor;
    const translation = { inputs: ['input' as const], target: 'x' as const };
    const pretrain: Phase = {
      name: 'G',
      updates: ['G'],
      optimizer: 'G',
      loss: (inputs) => {
        const distance = mse(fakeOf(inputs, generate), inputs.real);
        return { loss: distance, metrics: { MSE: distance } };
      },
    };
    const common = { generator: G, latentDim: 0, translation, generate };
    if (hp.adversarialWeight === 0)
      return { nets: { G }, optimizers: { G: adam(hp) }, phases: [pretrain], ...common };

    const D = vggDiscriminator({
      imageShape: shape,
      filters: hp.dFilters,
      downs: Math.log2(shape[0] / 4),
      init,
    });
    const features = loadPhotoFeatures();
    const judge = (image: tf.Tensor) => D.apply(image, { training: true }) as tf.Tensor;
    const adversarial: Phase[] = [
      {
        name: 'D',
        updates: ['D'],
        optimizer: 'D',
        loss: (inputs) => {
          const real = judge(inputs.real);
          const fake = judge(fakeOf(inputs, generate));
          return {
            loss: discriminatorBce(real, fake),
            metrics: { 'D(x)': meanProbability(real), 'D(G(x))': meanProbability(fake) },
          };
        },
      },
      {
        name: 'G',
        updates: ['G'],
        optimizer: 'G',
        loss: (inputs) => {
          const fake = fakeOf(inputs, generate);
          const content = featureContent(features, fake, inputs.real);
          const fooled = generatorNonSaturating(judge(fake));
          return {
            loss: tf.add(tf.mul(hp.contentWeight, content), tf.mul(hp.adversarialWeight, fooled)),
            metrics: { content, adversarial: fooled, MSE: mse(fake, inputs.real) },
          };
        },
      },
    ];
    const pretrainSteps = Math.floor(steps * hp.pretrainFraction);
    return {
      nets: { G, D },
      fixed: { features },
      optimizers: { G: adam(hp), D: adam(hp) },
      phases: [],
      stages: [
        ...(pretrainSteps > 0
          ? [{ name: 'MSE pretraining', until: pretrainSteps, phases: [pretrain], generator: G, generate }]
          : []),
        { name: 'adversarial', phases: adversarial, generator: G, generate },
      ],
      ...common,
    };
  },
};
