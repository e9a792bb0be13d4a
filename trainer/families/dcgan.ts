/**
 * DCGAN (Radford et al. 2015): G projects z to a small feature map and upsamples with strided transposed
 * convolutions, batch norm and ReLU, ending in tanh; D downsamples with strided convolutions and LeakyReLU
 * (no batch norm on its input layer), ending in one logit. For 28x28 MNIST: 7x7 -> 14x14 -> 28x28.
 */
import * as tf from '@tensorflow/tfjs';
import type { DcganHyperparameters } from '../../shared/catalog.ts';
import { assertShape, conv, deconv, dense, flatten, input, reshape } from '../nn/layers.ts';
import { adam, bcePhases } from './adversarial.ts';
import type { GanFamily } from './types.ts';

const KERNEL = 5;

export const dcgan: GanFamily<DcganHyperparameters> = {
  id: 'dcgan',
  build({ hyperparameters: hp, dataset, init }) {
    const [height, width, channels] = dataset.shape as [number, number, number];
    if (height % 4 !== 0 || width % 4 !== 0)
      throw new Error(`dcgan needs image sides divisible by 4, got ${height}x${width}`);
    const [h0, w0] = [height / 4, width / 4];

    const z = input([hp.latentDim], 'z');
    let g = dense(z, {
      units: h0 * w0 * hp.gChannels,
      batchNorm: true,
      activation: 'relu',
      init,
      normalInit: true,
    });
    g = reshape(g, [h0, w0, hp.gChannels]);
    g = deconv(g, {
      filters: hp.gChannels / 2,
      kernel: KERNEL,
      strides: 2,
      batchNorm: true,
      activation: 'relu',
      init,
    });
    g = deconv(g, { filters: channels, kernel: KERNEL, strides: 2, activation: 'tanh', init });
    const G = tf.model({
      inputs: z,
      outputs: assertShape(g, [null, height, width, channels], 'dcgan G'),
      name: 'generator',
    });

    const x = input([height, width, channels], 'x');
    let d = conv(x, { filters: hp.dChannels, kernel: KERNEL, strides: 2, activation: 'leakyRelu', init });
    d = conv(d, {
      filters: hp.dChannels * 2,
      kernel: KERNEL,
      strides: 2,
      batchNorm: true,
      activation: 'leakyRelu',
      init,
    });
    d = dense(flatten(d), { units: 1, init, normalInit: true });
    const D = tf.model({ inputs: x, outputs: d, name: 'discriminator' });

    return {
      nets: { G, D },
      optimizers: { G: adam(hp.learningRate, hp.beta1), D: adam(hp.learningRate, hp.beta1) },
      phases: bcePhases({ generator: G, discriminator: D, loss: hp.loss }),
      generator: G,
      latentDim: hp.latentDim,
    };
  },
};
