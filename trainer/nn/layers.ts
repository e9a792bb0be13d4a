/**
 * Small layer builders shared by the families. Each applies one or a few tf.layers to a SymbolicTensor and
 * checks the shape it produces, so a wiring mistake fails where it was made.
 */
import * as tf from '@tensorflow/tfjs';
import { FusedBatchNorm } from './batch-norm.ts';
import type { Init } from './init.ts';
import { SpectralNorm } from './spectral-norm.ts';

type Sym = tf.SymbolicTensor;
type Activation = 'relu' | 'leakyRelu' | 'tanh' | 'sigmoid' | 'linear';

export function assertShape(x: Sym, expected: (number | null)[], where: string): Sym {
  const ok = x.shape.length === expected.length && expected.every((d, i) => d === null || x.shape[i] === d);
  if (!ok) throw new Error(`${where}: shape [${x.shape.join(', ')}], expected [${expected.join(', ')}]`);
  return x;
}

export function activate(x: Sym, activation: Activation, slope = 0.2): Sym {
  switch (activation) {
    case 'relu':
      return tf.layers.reLU().apply(x) as Sym;
    case 'leakyRelu':
      return tf.layers.leakyReLU({ alpha: slope }).apply(x) as Sym;
    case 'tanh':
      return tf.layers.activation({ activation: 'tanh' }).apply(x) as Sym;
    case 'sigmoid':
      return tf.layers.activation({ activation: 'sigmoid' }).apply(x) as Sym;
    case 'linear':
      return x;
  }
}

export function batchNorm(x: Sym, init: Init): Sym {
  // momentum 0.9 (PyTorch's 0.1): moving statistics follow a changing generator closely enough for sampling.
  return new FusedBatchNorm({ momentum: 0.9, epsilon: 1e-5, gammaInitializer: init.scale() }).apply(x) as Sym;
}

/** What dense and conv layers may add to their weights' layer. */
interface LayerOptions {
  /** The layer's name (metrics name spectrally normalised layers after it); tfjs picks one when absent. */
  name?: string;
  /** Wrap the layer in spectral normalisation (nn/spectral-norm.ts), its u vector drawn from `init`. */
  spectralNorm?: boolean;
}

/** Applies `layer`, spectrally normalised when asked. */
function applyLayer(layer: tf.layers.Layer, x: Sym, o: LayerOptions & { init: Init }): Sym {
  const wrapped = o.spectralNorm
    ? new SpectralNorm(layer, { uInitializer: o.init.normal(1), name: `sn_${layer.name}` })
    : layer;
  return wrapped.apply(x) as Sym;
}

export interface DenseOptions extends LayerOptions {
  units: number;
  activation?: Activation;
  batchNorm?: boolean;
  init: Init;
  /** DCGAN-style N(0, 0.02) weights instead of Glorot. */
  normalInit?: boolean;
  /** Leave out the bias (default: a bias unless batch norm follows). */
  noBias?: boolean;
}

export function dense(x: Sym, o: DenseOptions): Sym {
  const layer = tf.layers.dense({
    ...(o.name ? { name: o.name } : {}),
    units: o.units,
    useBias: !o.batchNorm && !o.noBias,
    kernelInitializer: o.normalInit ? o.init.normal() : o.init.glorot(),
  });
  let y = applyLayer(layer, x, o);
  if (o.batchNorm) y = batchNorm(y, o.init);
  return activate(y, o.activation ?? 'linear');
}

export interface ConvOptions extends LayerOptions {
  filters: number;
  kernel: number;
  strides: number;
  activation?: Activation;
  batchNorm?: boolean;
  init: Init;
  /** Leave out the bias (a normalisation follows that would cancel it). */
  noBias?: boolean;
  /** 'same' (the default) or 'valid' (after an explicit padding layer, e.g. reflection). */
  padding?: 'same' | 'valid';
  /** Kernel starts at zero: a residual branch whose sum begins as what it is added to. */
  zeroInit?: boolean;
}

/** The tf.layers settings conv and deconv share: 'same' padding unless told, DCGAN's initialisation, no bias under BN. */
function convConfig(o: ConvOptions) {
  return {
    ...(o.name ? { name: o.name } : {}),
    filters: o.filters,
    kernelSize: o.kernel,
    strides: o.strides,
    padding: o.padding ?? ('same' as const),
    useBias: !o.batchNorm && !o.noBias,
    kernelInitializer: o.zeroInit ? tf.initializers.zeros() : o.init.normal(),
  };
}

/** Convolution ('same' padding unless told): with strides 2, the downsampling step of a discriminator. */
export function conv(x: Sym, o: ConvOptions): Sym {
  let y = applyLayer(tf.layers.conv2d(convConfig(o)), x, o);
  if (o.batchNorm) y = batchNorm(y, o.init);
  return activate(y, o.activation ?? 'linear');
}

/** Transposed convolution ('same' padding): the upsampling step of a generator. */
export function deconv(x: Sym, o: ConvOptions): Sym {
  const [, h, w] = x.shape as number[];
  let y = applyLayer(tf.layers.conv2dTranspose(convConfig(o)), x, o);
  assertShape(y, [null, h! * o.strides, w! * o.strides, o.filters], 'deconv');
  if (o.batchNorm) y = batchNorm(y, o.init);
  return activate(y, o.activation ?? 'linear');
}

/** x under a name of its own (an identity layer): a model output a reader finds by name. */
export function named(x: Sym, name: string): Sym {
  return tf.layers.activation({ activation: 'linear', name }).apply(x) as Sym;
}

export function flatten(x: Sym): Sym {
  return tf.layers.flatten().apply(x) as Sym;
}

export function reshape(x: Sym, targetShape: number[]): Sym {
  return tf.layers.reshape({ targetShape }).apply(x) as Sym;
}

/** Joins tensors along the last axis, e.g. a latent with a one-hot label, or an image with a label map. */
export function concatenate(xs: Sym[]): Sym {
  return tf.layers.concatenate({ axis: -1 }).apply(xs) as Sym;
}

/** A [N, k] vector (e.g. a one-hot label) repeated over every position of an h x w map: [N, h, w, k]. */
export function tileOver(x: Sym, h: number, w: number): Sym {
  const k = x.shape[1] as number;
  const repeated = tf.layers.repeatVector({ n: h * w }).apply(x) as Sym;
  return reshape(repeated, [h, w, k]);
}

export function input(shape: number[], name: string): Sym {
  return tf.input({ shape, name });
}

/**
 * A class embedding of a one-hot label [N, classes] -> [N, units]: a bias-free Dense, whose kernel is the
 * embedding table (row k is class k's vector). Spectral norm then normalises the table as a matrix
 * [classes, units], as an embedding layer's would be.
 */
export function classEmbedding(label: Sym, units: number, o: LayerOptions & { init: Init }): Sym {
  return dense(label, { ...o, units, noBias: true, normalInit: true });
}

/** Values [start, start + size) of a [N, D] vector, with stock layers (tfjs has no slice layer). */
export function sliceOf(x: Sym, start: number, size: number): Sym {
  const d = x.shape[1] as number;
  if (start < 0 || size < 1 || start + size > d)
    throw new Error(`slice [${start}, ${start + size}) is outside a vector of ${d}`);
  const column = reshape(x, [d, 1, 1]);
  const cropped = tf.layers
    .cropping2D({
      cropping: [
        [start, d - start - size],
        [0, 0],
      ],
    })
    .apply(column) as Sym;
  return reshape(cropped, [size]);
}

/** Nearest-neighbour upsampling by 2. */
export function upsample(x: Sym): Sym {
  return tf.layers.upSampling2d({ size: [2, 2] }).apply(x) as Sym;
}

/** 2 x 2 average pooling, stride 2. */
export function avgPool(x: Sym): Sym {
  return tf.layers.averagePooling2d({ poolSize: 2, strides: 2 }).apply(x) as Sym;
}

/** Elementwise sum. */
export function add(xs: Sym[]): Sym {
  return tf.layers.add().apply(xs) as Sym;
}
