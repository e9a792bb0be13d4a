/**
 * The networks WGAN, WGAN-GP and SNGAN share with DCGAN, so a comparison with DCGAN differs only in the
 * critic's training: DCGAN's generator as dcgan.ts builds it, and DCGAN's discriminator as a critic (one
 * unbounded score, no sigmoid) with batch norm optional (a gradient penalty needs per-sample scores) and
 * spectral normalisation of every layer optional.
 */
import * as tf from '@tensorflow/tfjs';
import { type DatasetInfo, holdsImages } from '../../shared/datasets.ts';
import type { Init } from '../nn/init.ts';
import { dense, input } from '../nn/layers.ts';
import { dcgan, dcganTrunk, type TrunkOptions } from './dcgan.ts';

export interface DcganWidths {
  latentDim: number;
  gChannels: number;
  dChannels: number;
}

export type CriticOptions = Required<Pick<TrunkOptions, 'batchNorm' | 'spectralNorm'>>;

/** DCGAN's generator, built by dcgan.ts itself (its discriminator and optimizers are discarded). */
export function dcganGeneratorModel(widths: DcganWidths, dataset: DatasetInfo, init: Init): tf.LayersModel {
  const built = dcgan.build({
    hyperparameters: { ...widths, loss: 'non-saturating', learningRate: 2e-4, beta1: 0.5 },
    dataset,
    init,
  });
  built.nets.D!.dispose();
  for (const opt of Object.values(built.optimizers)) opt.dispose();
  return built.generator;
}

/** DCGAN's discriminator trunk (dcgan.ts) under one dense score: conv 5x5/2 -> conv 5x5/2 -> score. */
export function dcganCritic(
  dChannels: number,
  dataset: DatasetInfo,
  init: Init,
  o: CriticOptions,
): tf.LayersModel {
  if (!holdsImages(dataset)) throw new Error(`the DCGAN critic needs images, '${dataset.id}' is not`);
  const x = input([...dataset.shape], 'x');
  const trunk = dcganTrunk(x, dChannels, init, o);
  const score = dense(trunk, {
    name: 'score',
    units: 1,
    init,
    normalInit: true,
    spectralNorm: o.spectralNorm,
  });
  return tf.model({ inputs: x, outputs: score, name: 'critic' });
}
