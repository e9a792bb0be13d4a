/**
 * pix2pix (Isola et al. 2017): the U-Net of nn/unet.ts maps a paired set's input image (or a label-map set's
 * one-hot map, the baseline SPADE is held to) to its target; the
 * conditioned PatchGAN of nn/patchgan.ts judges (input, image) pairs. D: the BCE game on patch logits,
 * halved as the paper halves it; G: the non-saturating term times adversarialWeight plus lambda x L1 to the
 * target. adversarialWeight 0 is the L1-only baseline: the same U-Net, no D.
 */

import * as tf from '@tensorflow/tfjs';
import type { Pix2pixHyperparameters } from '../../shared/catalog.ts';
import { fakeOf, type Gan, type GanFamily, type StepInputs } from '../gan.ts';
import { discriminatorBce, generatorNonSaturating, meanProbability } from '../losses/bce.ts';
import { l1 } from '../losses/l1.ts';
import { adam } from '../nn/optimizers.ts';
import { patchGanModel } from '../nn/patchgan.ts';
import { unetModel } from '../nn/unet.ts';

/** G's input: a paired set's input images, or a label-map set's one-hot map. */
function inputReader(kind: string): { read: (inputs: StepInputs) => tf.Tensor; name: 'input' | 'map' } {
  const name = kind === 'labelmap' ? 'map' : 'input';
  return {
    name,
    read: (inputs) => {
      const t = inputs[name];
      if (!t) throw new Error(`a pix2pix step on a ${kind} set needs its batch's '${name}'`);
      return t;
    },
  };
}

export const pix2pix: GanFamily<Pix2pixHyperparameters> = {
  id: 'pix2pix',
  build({ hyperparameters: hp, dataset, init }): Gan {
    const shape = dataset.shape as [number, number, number];
    const { read: inputOf, name: inputName } = inputReader(dataset.kind);
    const inputChannels = inputName === 'map' ? dataset.classes : shape[2];
    const G = unetModel({
      inputShape: [shape[0], shape[1], inputChannels],
      outputChannels: shape[2],
      filters: hp.gFilters,
      dropoutLayers: hp.dropoutLayers,
      dropoutRate: hp.dropout,
      init,
    });
    const generate = (inputs: StepInputs) => G.apply(inputOf(inputs), { training: true }) as tf.Tensor;
    const translation = { inputs: [inputName], target: 'x' as const };
    const reconstruction = (inputs: StepInputs) => l1(fakeOf(inputs, generate), inputs.real);
    if (hp.adversarialWeight === 0)
      return {
        nets: { G },
        optimizers: { G: adam(hp) },
        phases: [
          {
            name: 'G',
            updates: ['G'],
            optimizer: 'G',
            loss: (inputs) => {
              const distance = reconstruction(inputs);
              return { loss: tf.mul(hp.l1Weight, distance), metrics: { L1: distance } };
            },
          },
        ],
        generator: G,
        latentDim: 0,
        translation,
      };

    const D = patchGanModel({
      imageShape: shape,
      conditionChannels: inputChannels,
      filters: hp.dFilters,
      downs: hp.patchDowns,
      norm: 'batch',
      init,
      name: 'discriminator',
    });
    const judge = (inputs: StepInputs, image: tf.Tensor) =>
      D.apply([inputOf(inputs), image], { training: true }) as tf.Tensor;
    const phases: Gan['phases'] = [
      {
        name: 'D',
        updates: ['D'],
        optimizer: 'D',
        loss: (inputs) => {
          const real = judge(inputs, inputs.real);
          const fake = judge(inputs, fakeOf(inputs, generate));
          return {
            loss: tf.mul(0.5, discriminatorBce(real, fake)),
            metrics: { 'D(x)': meanProbability(real), 'D(G(x))': meanProbability(fake) },
          };
        },
      },
      {
        name: 'G',
        updates: ['G'],
        optimizer: 'G',
        loss: (inputs) => {
          const adversarial = generatorNonSaturating(judge(inputs, fakeOf(inputs, generate)));
          const distance = reconstruction(inputs);
          return {
            loss: tf.add(tf.mul(hp.adversarialWeight, adversarial), tf.mul(hp.l1Weight, distance)),
            metrics: { L1: distance },
          };
        },
      },
    ];
    return {
      nets: { G, D },
      optimizers: { G: adam(hp), D: adam(hp) },
      phases,
      generate,
      generator: G,
      latentDim: 0,
      translation,
    };
  },
};
