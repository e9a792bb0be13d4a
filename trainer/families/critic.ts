/**
 * The networks WGAN, WGAN-GP and SNGAN share with DCGAN, so a comparison with DCGAN differs only in the
 * critic's training: DCGAN's generator as dcgan.ts builds it, and DCGAN's discriminator as a critic (one
 * unbounded score, no sigmoid) with batch norm optional (a gradient penalty needs per-sample scores) and
 * spectral normalisation of every layer optional.
 */
import * as tf from '@tensorflow/tfjs';
import type { DatasetInfo } from '../../shared/datasets.ts';
import type { Init } from '../nn/init.ts';
import { activate, batchNorm, flatten, input } from '../nn/layers.ts';
import { SpectralNorm } from '../nn/spectral-norm.ts';
import { dcgan } from './dcgan.ts';

const KERNEL = 5;

export interface DcganWidths {
  latentDim: number;
  gChannels: number;
  dChannels: number;
}

export interface CriticOptions {
  batchNorm: boolean;
  spectralNorm: boolean;
}

/** DCGAN's generator, built by dcgan.ts itself (its discriminator and optimizers are discarded). */
export function dcganGenerator(widths: DcganWidths, dataset: DatasetInfo, init: Init): tf.LayersModel {
  const built = dcgan.build({
    hyperparameters: { ...widths, loss: 'non-saturating', learningRate: 2e-4, beta1: 0.5 },
    dataset,
    init,
  });
  built.nets.D!.dispose();
  for (const opt of Object.values(built.optimizers)) opt.dispose();
  return built.generator;
}

/** DCGAN's discriminator as a critic: conv 5x5/2 -> conv 5x5/2 -> dense score, LeakyReLU 0.2. */
export function dcganCritic(
  dChannels: number,
  dataset: DatasetInfo,
  init: Init,
  o: CriticOptions,
): tf.LayersModel {
  if (dataset.kind !== 'images') throw new Error(`the DCGAN critic needs images, '${dataset.id}' is not`);
  const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor) =>
    (o.spectralNorm
      ? new SpectralNorm(layer, { uInitializer: init.normal(1), name: `sn_${layer.name}` })
      : layer
    ).apply(x) as tf.SymbolicTensor;
  const conv = (name: string, filters: number, normalised: boolean) =>
    tf.layers.conv2d({
      name,
      filters,
      kernelSize: KERNEL,
      strides: 2,
      padding: 'same',
      useBias: !normalised,
      kernelInitializer: init.normal(),
    });

  const x = input([...dataset.shape], 'x');
  let d = activate(apply(conv('conv1', dChannels, false), x), 'leakyRelu');
  d = apply(conv('conv2', dChannels * 2, o.batchNorm), d);
  if (o.batchNorm) d = batchNorm(d, init);
  d = activate(d, 'leakyRelu');
  const score = apply(
    tf.layers.dense({ name: 'score', units: 1, kernelInitializer: init.normal() }),
    flatten(d),
  );
  return tf.model({ inputs: x, outputs: score, name: 'critic' });
}
