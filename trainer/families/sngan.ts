/**
 * SNGAN (Miyato et al. 2018): every discriminator layer spectrally normalised (nn/spectral-norm.ts, a
 * persistent power-iteration vector per layer, checkpointed with the weights), the hinge loss, and DCGAN's
 * generator. Each normalised layer's sigma (the spectral norm of the kernel it applies, ~1) is logged as
 * sigma/D/{layer}.
 */
import type * as tf from '@tensorflow/tfjs';
import type { SnganHyperparameters } from '../../shared/catalog.ts';
import { fakeOf, type GanFamily, type StepInputs } from '../gan.ts';
import { discriminatorHinge, generatorHinge } from '../losses/hinge.ts';
import { dcganDiscriminatorModel, dcganGeneratorModel } from '../nn/dcgan.ts';
import { adam } from '../nn/optimizers.ts';
import { sigmaMetrics } from '../nn/spectral-norm.ts';

function score(net: tf.LayersModel, x: tf.Tensor): tf.Tensor {
  return net.apply(x, { training: true }) as tf.Tensor;
}

export const sngan: GanFamily<SnganHyperparameters> = {
  id: 'sngan',
  build({ hyperparameters: hp, dataset, init }) {
    const G = dcganGeneratorModel(hp.latentDim, hp.gChannels, dataset, init, 'sngan');
    const D = dcganDiscriminatorModel(hp.dChannels, dataset, init, {
      name: 'critic',
      batchNorm: false,
      spectralNorm: true,
    });
    const generate = (inputs: StepInputs) => score(G, inputs.z);
    return {
      nets: { G, D },
      optimizers: { G: adam(hp), D: adam(hp) },
      phases: [
        {
          name: 'D',
          updates: ['D'],
          optimizer: 'D',
          repeat: hp.nCritic,
          loss: (inputs) => ({
            loss: discriminatorHinge(score(D, inputs.real), score(D, fakeOf(inputs, generate))),
            metrics: sigmaMetrics(D, 'D'),
          }),
        },
        {
          name: 'G',
          updates: ['G'],
          optimizer: 'G',
          loss: (inputs) => ({ loss: generatorHinge(score(D, fakeOf(inputs, generate))) }),
        },
      ],
      generate,
      generator: G,
      latentDim: hp.latentDim,
    };
  },
};
