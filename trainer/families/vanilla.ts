/**
 * Vanilla GAN (Goodfellow et al. 2014): MLP generator and discriminator, the minimax game or its
 * non-saturating variant. On 2D mixtures G outputs points; on images G outputs a tanh image.
 */
import * as tf from '@tensorflow/tfjs';
import type { VanillaHyperparameters } from '../../shared/catalog.ts';
import { holdsImages } from '../../shared/datasets.ts';
import { dense, flatten, input, reshape } from '../nn/layers.ts';
import { adam, bcePhases } from './adversarial.ts';
import type { GanFamily } from './types.ts';

export const vanilla: GanFamily<VanillaHyperparameters> = {
  id: 'vanilla',
  build({ hyperparameters: hp, dataset, init }) {
    const sampleShape = [...dataset.shape];
    const outUnits = sampleShape.reduce((a, b) => a * b, 1);
    const isImage = holdsImages(dataset);

    const z = input([hp.latentDim], 'z');
    let h = z;
    for (let i = 0; i < hp.hiddenLayers; i++)
      h = dense(h, { units: hp.hiddenUnits, activation: 'relu', init });
    let out = dense(h, { units: outUnits, activation: isImage ? 'tanh' : 'linear', init });
    if (isImage) out = reshape(out, sampleShape);
    const G = tf.model({ inputs: z, outputs: out, name: 'generator' });

    const x = input(sampleShape, 'x');
    let d = isImage ? flatten(x) : x;
    for (let i = 0; i < hp.hiddenLayers; i++)
      d = dense(d, { units: hp.hiddenUnits, activation: 'leakyRelu', init });
    const D = tf.model({ inputs: x, outputs: dense(d, { units: 1, init }), name: 'discriminator' });

    return {
      nets: { G, D },
      optimizers: { G: adam(hp.learningRate, hp.beta1), D: adam(hp.learningRate, hp.beta1) },
      ...bcePhases({ generator: G, discriminator: D, loss: hp.loss }),
      generator: G,
      latentDim: hp.latentDim,
    };
  },
};
