/**
 * The Vanilla GAN's networks (Goodfellow et al. 2014), which the Unrolled GAN and the Prescribed GAN keep:
 * MLPs of `hiddenLayers` layers of `hiddenUnits`. On 2D mixtures G outputs points; on images G ends in tanh,
 * reshaped to the image, and D flattens its input.
 */
import * as tf from '@tensorflow/tfjs';
import { type DatasetInfo, holdsImages } from '../../shared/datasets.ts';
import type { Init } from './init.ts';
import { dense, flatten, input, reshape } from './layers.ts';

export interface MlpWidths {
  latentDim: number;
  hiddenUnits: number;
  hiddenLayers: number;
}

/** z [N, latentDim] -> a sample of the dataset's shape, through ReLU hidden layers. */
export function mlpGenerator(w: MlpWidths, dataset: DatasetInfo, init: Init): tf.LayersModel {
  const sampleShape = [...dataset.shape];
  const isImage = holdsImages(dataset);
  const z = input([w.latentDim], 'z');
  let h = z;
  for (let i = 0; i < w.hiddenLayers; i++) h = dense(h, { units: w.hiddenUnits, activation: 'relu', init });
  const units = sampleShape.reduce((a, b) => a * b, 1);
  let out = dense(h, { units, activation: isImage ? 'tanh' : 'linear', init });
  if (isImage) out = reshape(out, sampleShape);
  return tf.model({ inputs: z, outputs: out, name: 'generator' });
}

/** A sample -> one logit, through LeakyReLU hidden layers. */
export function mlpDiscriminator(w: MlpWidths, dataset: DatasetInfo, init: Init): tf.LayersModel {
  const x = input([...dataset.shape], 'x');
  let d = holdsImages(dataset) ? flatten(x) : x;
  for (let i = 0; i < w.hiddenLayers; i++)
    d = dense(d, { units: w.hiddenUnits, activation: 'leakyRelu', init });
  return tf.model({ inputs: x, outputs: dense(d, { units: 1, init }), name: 'discriminator' });
}
