/**
 * DCGAN's networks (Radford et al. 2015), the builders the convolutional families share: G projects z to a
 * map a quarter of the image's sides and upsamples with strided transposed convolutions, batch norm and
 * ReLU, ending in tanh; D downsamples with strided convolutions and LeakyReLU (no batch norm on its input
 * layer). For 28x28 MNIST: 7x7 -> 14x14 -> 28x28.
 */
import * as tf from '@tensorflow/tfjs';
import { type DatasetInfo, holdsImages } from '../../shared/datasets.ts';
import type { Init } from './init.ts';
import {
  assertShape,
  concatenate,
  conv,
  deconv,
  dense,
  flatten,
  input,
  reshape,
  tileOver,
} from './layers.ts';

export const KERNEL = 5;

/** [height, width, channels] of an image dataset whose sides DCGAN's two strided layers can halve twice. */
export function dcganImageShape(dataset: DatasetInfo, who: string): [number, number, number] {
  const [height, width, channels] = dataset.shape as [number, number, number];
  if (!holdsImages(dataset) || height % 4 !== 0 || width % 4 !== 0)
    throw new Error(`${who} needs images with sides divisible by 4, got ${dataset.shape.join('x')}`);
  return [height, width, channels];
}

/** How a family varies DCGAN's generator body. */
export interface GeneratorOptions {
  /** Units of a fully-connected hidden layer (BN) before the projection (InfoGAN's FC 1,024); 0: none. */
  hiddenUnits?: number;
  /** Join the `side` input again, tiled, to the first feature map (default true). */
  rejoinSide?: boolean;
}

/**
 * DCGAN's generator body: z -> dense (BN, ReLU) to a map a quarter of the image's sides -> deconv (BN, ReLU)
 * -> deconv tanh. A `side` input (a conditional GAN's label, InfoGAN's codes) is joined to z and, unless
 * `rejoinSide` is false, again, tiled, to the first feature map.
 */
export function dcganGenerator(
  z: tf.SymbolicTensor,
  side: tf.SymbolicTensor | undefined,
  gChannels: number,
  [height, width, channels]: [number, number, number],
  init: Init,
  { hiddenUnits = 0, rejoinSide = true }: GeneratorOptions = {},
): tf.SymbolicTensor {
  const [h0, w0] = [height / 4, width / 4];
  let g = side ? concatenate([z, side]) : z;
  if (hiddenUnits > 0)
    g = dense(g, { units: hiddenUnits, batchNorm: true, activation: 'relu', init, normalInit: true });
  g = dense(g, {
    units: h0 * w0 * gChannels,
    batchNorm: true,
    activation: 'relu',
    init,
    normalInit: true,
  });
  g = reshape(g, [h0, w0, gChannels]);
  if (side && rejoinSide) g = concatenate([g, tileOver(side, h0, w0)]);
  g = deconv(g, {
    filters: gChannels / 2,
    kernel: KERNEL,
    strides: 2,
    batchNorm: true,
    activation: 'relu',
    init,
  });
  return deconv(g, { filters: channels, kernel: KERNEL, strides: 2, activation: 'tanh', init });
}

/** DCGAN's generator as a model, z [N, latentDim] -> image, for the families that take nothing beside z. */
export function dcganGeneratorModel(
  latentDim: number,
  gChannels: number,
  dataset: DatasetInfo,
  init: Init,
  who: string,
): tf.LayersModel {
  const shape = dcganImageShape(dataset, who);
  const z = input([latentDim], 'z');
  const g = dcganGenerator(z, undefined, gChannels, shape, init);
  return tf.model({ inputs: z, outputs: assertShape(g, [null, ...shape], `${who} G`), name: 'generator' });
}

/** How a family varies DCGAN's discriminator trunk. */
export interface TrunkOptions {
  /** Units of a fully-connected hidden layer (BN, LeakyReLU) after the convs (InfoGAN's FC 1,024); 0: none. */
  hiddenUnits?: number;
  /** Batch norm on the second conv (default true); a gradient penalty needs per-sample scores. */
  batchNorm?: boolean;
  /** Spectral normalisation of every layer (SNGAN). */
  spectralNorm?: boolean;
}

/**
 * DCGAN's discriminator trunk: conv1 (LeakyReLU, no BN on the input layer) -> conv2 (BN, LeakyReLU),
 * flattened, then the optional hidden dense layer (BN, LeakyReLU).
 */
export function dcganTrunk(
  x: tf.SymbolicTensor,
  dChannels: number,
  init: Init,
  { hiddenUnits = 0, batchNorm = true, spectralNorm = false }: TrunkOptions = {},
): tf.SymbolicTensor {
  const layer = { kernel: KERNEL, strides: 2, activation: 'leakyRelu', init, spectralNorm } as const;
  const d = conv(x, { ...layer, name: 'conv1', filters: dChannels });
  const trunk = flatten(conv(d, { ...layer, name: 'conv2', filters: dChannels * 2, batchNorm }));
  return hiddenUnits > 0
    ? dense(trunk, {
        units: hiddenUnits,
        batchNorm: true,
        activation: 'leakyRelu',
        init,
        normalInit: true,
        spectralNorm,
      })
    : trunk;
}

/**
 * DCGAN's discriminator trunk under one dense score, x -> [N, 1]: a logit for DCGAN, an unbounded score for
 * a critic (WGAN, WGAN-GP, SNGAN), named by `name`.
 */
export function dcganDiscriminatorModel(
  dChannels: number,
  dataset: DatasetInfo,
  init: Init,
  { name, ...o }: Omit<TrunkOptions, 'hiddenUnits'> & { name: 'discriminator' | 'critic' },
): tf.LayersModel {
  const x = input([...dcganImageShape(dataset, `the DCGAN ${name}`)], 'x');
  const score = dense(dcganTrunk(x, dChannels, init, o), {
    name: 'score',
    units: 1,
    init,
    normalInit: true,
    spectralNorm: o.spectralNorm ?? false,
  });
  return tf.model({ inputs: x, outputs: score, name });
}
