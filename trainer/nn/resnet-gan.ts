/**
 * The class-conditional ResNet networks SAGAN and BigGAN share (nn/resnet.ts blocks), every conv and dense
 * layer spectrally normalised, a self-attention block in each, G conditioned through batch norm and D a
 * projection discriminator:
 *   G: [z, label] -> dense to a base map (side / 2^k) -> k residual up blocks (attention after the one whose
 *      output has `attentionSide`) -> BN -> ReLU -> conv3 -> tanh.
 *   D: [x, label] -> k residual down blocks (attention after the one whose output has `attentionSide`) ->
 *      ReLU -> mean over positions -> projection score.
 * k halves the image's sides while they stay even and at least 4 (32: 4 -> 8 -> 16 -> 32; 28: 7 -> 14 -> 28).
 * How G's batch norm is conditioned is the `conditioning`:
 *   - 'class' (SAGAN): per-layer class tables on the one-hot label (nn/modulate.ts 'class').
 *   - 'shared' (BigGAN): one shared class embedding, and z split into k + 1 chunks: the first feeds the dense
 *     layer, chunk i is joined to the embedding to condition block i ('style': dense layers of it).
 */
import * as tf from '@tensorflow/tfjs';
import { type DatasetInfo, holdsImages } from '../../shared/datasets.ts';
import { selfAttention } from './attention.ts';
import type { Init } from './init.ts';
import {
  activate,
  assertShape,
  batchNorm,
  classEmbedding,
  concatenate,
  conv,
  dense,
  input,
  reshape,
  sliceOf,
} from './layers.ts';
import { globalPool, projectionScore, residualDown, residualUp } from './resnet.ts';

type Sym = tf.SymbolicTensor;

/** Layer names the families and their tests read. */
export const ATTENTION = { G: 'g_attention', D: 'd_attention' } as const;
export const SHARED_EMBEDDING = 'shared_embedding';

export interface ResnetShape {
  image: [number, number, number];
  /** Side of G's first map. */
  base: number;
  /** Residual blocks in G (up) and in D (down). */
  blocks: number;
  /** Side of the maps the attention blocks see: the reachable side nearest the asked one. */
  attentionSide: number;
}

/** The blocks for a square image dataset, and where attention goes (the reachable side nearest `asked`). */
export function resnetShape(dataset: DatasetInfo, asked: number, who: string): ResnetShape {
  const [height, width, channels] = dataset.shape as [number, number, number];
  if (!holdsImages(dataset) || height !== width || height % 2 !== 0)
    throw new Error(`${who} needs square images with an even side, got ${dataset.shape.join('x')}`);
  let base = height;
  let blocks = 0;
  while (base % 2 === 0 && base / 2 >= 4) {
    base /= 2;
    blocks++;
  }
  const sides = Array.from({ length: blocks }, (_, i) => base * 2 ** (i + 1));
  // In D the same sides appear, as outputs of blocks from the top: 32 -> 16 -> 8 -> 4.
  const attentionSide = sides
    .filter((s) => s < height)
    .reduce((best, s) => (Math.abs(s - asked) < Math.abs(best - asked) ? s : best), sides[0]!);
  return { image: [height, width, channels], base, blocks, attentionSide };
}

export interface ResnetOptions {
  shape: ResnetShape;
  latentDim: number;
  classes: number;
  gChannels: number;
  dChannels: number;
  init: Init;
  conditioning: { kind: 'class' } | { kind: 'shared'; embedDim: number };
}

/** G: [z, label] -> image in [-1, 1]. */
export function resnetGenerator(o: ResnetOptions): tf.LayersModel {
  const { image, base, blocks, attentionSide } = o.shape;
  const sn = { init: o.init, spectralNorm: true };
  const z = input([o.latentDim], 'z');
  const y = input([o.classes], 'label');
  let first = z;
  let condition: (block: number) => Sym = () => y;
  if (o.conditioning.kind === 'shared') {
    const chunk = Math.floor(o.latentDim / (blocks + 1));
    if (chunk < 1) throw new Error(`z of ${o.latentDim} cannot be split across ${blocks + 1} parts`);
    // The first chunk takes the remainder, so every value of z is used.
    const head = o.latentDim - blocks * chunk;
    first = sliceOf(z, 0, head);
    const shared = classEmbedding(y, o.conditioning.embedDim, { init: o.init, name: SHARED_EMBEDDING });
    condition = (block) => concatenate([shared, sliceOf(z, head + block * chunk, chunk)]);
  }
  const source =
    o.conditioning.kind === 'shared' ? ({ from: 'style' } as const) : ({ from: 'class' } as const);
  let h = reshape(dense(first, { units: base * base * o.gChannels, ...sn }), [base, base, o.gChannels]);
  for (let b = 0; b < blocks; b++) {
    h = residualUp(h, condition(b), { filters: o.gChannels, ...sn, source, name: `g_block${b + 1}` });
    if (h.shape[1] === attentionSide) h = selfAttention(h, { ...sn, name: ATTENTION.G }).out;
  }
  h = activate(batchNorm(h, o.init), 'relu');
  const out = conv(h, { filters: image[2], kernel: 3, strides: 1, activation: 'tanh', ...sn, name: 'g_out' });
  return tf.model({
    inputs: [z, y],
    outputs: assertShape(out, [null, ...image], 'resnet G'),
    name: 'generator',
  });
}

/** D: [x, label] -> an unbounded score [N, 1]. */
export function resnetDiscriminator(o: ResnetOptions): tf.LayersModel {
  const { image, blocks, attentionSide } = o.shape;
  const sn = { init: o.init, spectralNorm: true };
  const x = input([...image], 'x');
  const y = input([o.classes], 'd_label');
  let h = x;
  for (let b = 0; b < blocks; b++) {
    h = residualDown(h, { filters: o.dChannels, ...sn, first: b === 0, name: `d_block${b + 1}` });
    if (h.shape[1] === attentionSide) h = selfAttention(h, { ...sn, name: ATTENTION.D }).out;
  }
  const score = projectionScore(globalPool(h), y, sn);
  return tf.model({ inputs: [x, y], outputs: score, name: 'discriminator' });
}

/** The hyperparameters the two networks read (shared/catalog.ts resnetNetworks). */
export interface ResnetHyperparameters {
  latentDim: number;
  gChannels: number;
  dChannels: number;
  attentionSide: number;
}

/** G and D for a labelled dataset, conditioned as asked; `who` names the family in errors. */
export function resnetPair(
  hp: ResnetHyperparameters,
  dataset: DatasetInfo,
  init: Init,
  conditioning: ResnetOptions['conditioning'],
  who: string,
): { G: tf.LayersModel; D: tf.LayersModel } {
  if (dataset.classes < 2)
    throw new Error(`${who} needs a labelled dataset, '${dataset.id}' has ${dataset.classes} classes`);
  const o: ResnetOptions = {
    shape: resnetShape(dataset, hp.attentionSide, who),
    latentDim: hp.latentDim,
    classes: dataset.classes,
    gChannels: hp.gChannels,
    dChannels: hp.dChannels,
    init,
    conditioning,
  };
  return { G: resnetGenerator(o), D: resnetDiscriminator(o) };
}
