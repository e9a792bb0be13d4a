/**
 * The PatchGAN discriminator (pix2pix, CycleGAN): a fully convolutional net whose output is a map of scores,
 * one per overlapping patch of the image, rather than one score. 4x4 convolutions: `downs` of stride 2 (the
 * first without batch norm), one more of stride 1, then a 1-channel stride-1 score map; LeakyReLU 0.2.
 * Conditioned (pix2pix), it judges the pair: the input image joined to the judged image along channels.
 * Receptive field of a score: 16 px with one down, 34 px with two, 70 px with three (the paper's 70x70).
 */
import * as tf from '@tensorflow/tfjs';
import type { Init } from './init.ts';
import { batchNorm, concatenate, conv, input } from './layers.ts';
import { instanceNorm } from './modulate.ts';

export interface PatchGanOptions {
  /** [H, W, C] of the judged image. */
  imageShape: [number, number, number];
  /** Channels of the input image it is conditioned on (pix2pix); absent: unconditional (CycleGAN). */
  conditionChannels?: number;
  /** Width of the first layer; doubled per layer up to 8x. */
  filters: number;
  /** Stride-2 layers. */
  downs: number;
  /** Normalisation after every layer but the first and the last: batch (pix2pix) or instance (CycleGAN). */
  norm: 'batch' | 'instance';
  init: Init;
  name: string;
}

/** [image] or [input, image] -> [N, h, w, 1] patch scores (logits or least-squares scores). */
export function patchGanModel(o: PatchGanOptions): tf.LayersModel {
  const [h, w] = o.imageShape;
  const image = input([...o.imageShape], 'image');
  const condition =
    o.conditionChannels === undefined ? undefined : input([h, w, o.conditionChannels], 'input');
  let x = condition ? concatenate([condition, image]) : image;
  const width = (layer: number) => o.filters * 2 ** Math.min(layer, 3);
  const normalised = (y: tf.SymbolicTensor) => (o.norm === 'batch' ? batchNorm(y, o.init) : instanceNorm(y));
  for (let layer = 0; layer <= o.downs; layer++) {
    const strides = layer < o.downs ? 2 : 1;
    x = conv(x, { kernel: 4, strides, filters: width(layer), init: o.init, noBias: layer > 0 });
    if (layer > 0) x = normalised(x);
    x = tf.layers.leakyReLU({ alpha: 0.2 }).apply(x) as tf.SymbolicTensor;
  }
  const score = conv(x, { kernel: 4, strides: 1, filters: 1, init: o.init });
  return tf.model({ inputs: condition ? [condition, image] : image, outputs: score, name: o.name });
}
