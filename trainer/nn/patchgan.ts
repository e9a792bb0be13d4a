/**
 * The PatchGAN discriminator (pix2pix, CycleGAN): a fully convolutional net whose output is a map of scores,
 * one per overlapping patch of the image, rather than one score. 4x4 convolutions: `downs` of stride 2 (the
 * first without batch norm), one more of stride 1, then a 1-channel stride-1 score map; LeakyReLU 0.2.
 * Conditioned (pix2pix), it judges the pair: the input image joined to the judged image along channels.
 * Receptive field of a score: 16 px with one down, 34 px with two, 70 px with three (the paper's 70x70).
 * The multi-scale form (pix2pixHD, SPADE) runs several on the pair at halved sizes and gives their features.
 */
import * as tf from '@tensorflow/tfjs';
import type { Init } from './init.ts';
import { avgPool, batchNorm, concatenate, conv, input } from './layers.ts';
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

/** The PatchGAN's layers on x: each layer's output after its LeakyReLU (the features), then the score map. */
function patchGanTrunk(
  x: tf.SymbolicTensor,
  o: Pick<PatchGanOptions, 'filters' | 'downs' | 'norm' | 'init'>,
): { features: tf.SymbolicTensor[]; score: tf.SymbolicTensor } {
  const width = (layer: number) => o.filters * 2 ** Math.min(layer, 3);
  const normalised = (y: tf.SymbolicTensor) => (o.norm === 'batch' ? batchNorm(y, o.init) : instanceNorm(y));
  const features: tf.SymbolicTensor[] = [];
  for (let layer = 0; layer <= o.downs; layer++) {
    const strides = layer < o.downs ? 2 : 1;
    x = conv(x, { kernel: 4, strides, filters: width(layer), init: o.init, noBias: layer > 0 });
    if (layer > 0) x = normalised(x);
    x = tf.layers.leakyReLU({ alpha: 0.2 }).apply(x) as tf.SymbolicTensor;
    features.push(x);
  }
  return { features, score: conv(x, { kernel: 4, strides: 1, filters: 1, init: o.init }) };
}

/** The judged image, joined to its condition along channels when there is one; the model's inputs. */
function judgedInputs(o: PatchGanOptions): { x: tf.SymbolicTensor; inputs: tf.SymbolicTensor[] } {
  const [h, w] = o.imageShape;
  const image = input([...o.imageShape], 'image');
  if (o.conditionChannels === undefined) return { x: image, inputs: [image] };
  const condition = input([h, w, o.conditionChannels], 'input');
  return { x: concatenate([condition, image]), inputs: [condition, image] };
}

/** [image] or [input, image] -> [N, h, w, 1] patch scores (logits or least-squares scores). */
export function patchGanModel(o: PatchGanOptions): tf.LayersModel {
  const { x, inputs } = judgedInputs(o);
  const { score } = patchGanTrunk(x, o);
  return tf.model({ inputs: inputs.length === 1 ? inputs[0]! : inputs, outputs: score, name: o.name });
}

export interface MultiScalePatchGanOptions extends PatchGanOptions {
  /** PatchGANs of the same shape, each on the (input, image) pair halved once more (2 x 2 average) than the last. */
  scales: number;
}

/**
 * The multi-scale PatchGAN (pix2pixHD, SPADE): `scales` PatchGANs, the first on the full-size pair, each
 * next one on the pair averaged down by 2 once more, so the coarser ones judge larger structures. Its
 * outputs, scale by scale: the features of every layer (for feature matching), then the score map. Read
 * them with multiScaleOutputs.
 */
export function multiScalePatchGanModel(o: MultiScalePatchGanOptions): tf.LayersModel {
  const [h, w] = o.imageShape;
  const side = 2 ** (o.scales - 1 + o.downs);
  if (!(o.scales >= 1) || h % side !== 0 || w % side !== 0)
    throw new Error(
      `a ${o.scales}-scale PatchGAN with ${o.downs} downs needs sides divisible by ${side}, got ${h}x${w}`,
    );
  const { x, inputs } = judgedInputs(o);
  const outputs: tf.SymbolicTensor[] = [];
  let pair = x;
  for (let s = 0; s < o.scales; s++) {
    if (s > 0) pair = avgPool(pair);
    const { features, score } = patchGanTrunk(pair, o);
    outputs.push(...features, score);
  }
  return tf.model({ inputs: inputs.length === 1 ? inputs[0]! : inputs, outputs, name: o.name });
}

/** A multi-scale PatchGAN's outputs split by scale: each scale's score map and its layers' features. */
export function multiScaleOutputs(
  outputs: tf.Tensor[],
  scales: number,
): { scores: tf.Tensor[]; features: tf.Tensor[][] } {
  const per = outputs.length / scales;
  if (!Number.isInteger(per) || per < 2)
    throw new Error(`${outputs.length} outputs do not split into ${scales} scales of features and a score`);
  const scores: tf.Tensor[] = [];
  const features: tf.Tensor[][] = [];
  for (let s = 0; s < scales; s++) {
    const mine = outputs.slice(s * per, (s + 1) * per);
    features.push(mine.slice(0, -1));
    scores.push(mine.at(-1)!);
  }
  return { scores, features };
}
