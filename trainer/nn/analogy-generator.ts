/**
 * The Conditional Analogy GAN's generator (Jetchev and Bergmann 2017): given a person, the article they wear
 * and a new article, it paints an image and a mask, and the output is the person with the painted image
 * composited in where the mask says: out = m x image + (1 - m) x person. Where the mask is 0 the person is
 * kept exactly, so G can only change what it chooses to mask.
 *
 * The three images are joined along channels into nn/unet.ts's trunk; two heads of the U-Net's outermost
 * layer give the image (tanh) and the mask's logit. The mask is sigmoid(a) and 1 - m is sigmoid(-a), the
 * negation a fixed 1x1 convolution of weight -1, so the whole graph is stock layers and loads anywhere.
 *
 *   person, article, new_article [N, H, W, C] -> image [N, H, W, C] (composited), mask [N, H, W, 1]
 */
import * as tf from '@tensorflow/tfjs';
import type { Init } from './init.ts';
import { activate, assertShape, concatenate, input, named } from './layers.ts';
import { unetDepth, unetHead, unetTrunk } from './unet.ts';

type Sym = tf.SymbolicTensor;

export interface AnalogyGeneratorOptions {
  /** [H, W, C] of every image (square, a power of two). */
  imageShape: [number, number, number];
  /** Width of the U-Net's first encoder level. */
  filters: number;
  /** Innermost decoder layers with dropout. */
  dropoutLayers: number;
  /** Dropout rate there. */
  dropoutRate: number;
  init: Init;
}

/** The input names, in the model's order: what the descriptor and the playground call them. */
export const ANALOGY_INPUTS = ['person', 'article', 'new_article'] as const;

/** The model: [person, article, new_article] -> [image (the composite), mask]. */
export function analogyGeneratorModel(o: AnalogyGeneratorOptions): tf.LayersModel {
  const [h, w, c] = o.imageShape;
  unetDepth(o.imageShape);
  const [person, article, newArticle] = ANALOGY_INPUTS.map((n) => input([h, w, c], n)) as [Sym, Sym, Sym];
  const trunk = unetTrunk(concatenate([person, article, newArticle]), o);
  const painted = unetHead(trunk, c, 'tanh', o.init);
  const logit = unetHead(trunk, 1, 'linear', o.init);
  const mask = activate(logit, 'sigmoid');
  const negate = tf.layers.conv2d({
    filters: 1,
    kernelSize: 1,
    useBias: false,
    trainable: false,
    kernelInitializer: tf.initializers.constant({ value: -1 }),
    name: 'negate_mask_logit',
  });
  const keep = activate(negate.apply(logit) as Sym, 'sigmoid');
  // [N, H, W, 1] x [N, H, W, C] broadcasts over channels in tfjs's merge layers.
  const composite = tf.layers
    .add()
    .apply([
      tf.layers.multiply().apply([mask, painted]) as Sym,
      tf.layers.multiply().apply([keep, person]) as Sym,
    ]) as Sym;
  return tf.model({
    inputs: [person, article, newArticle],
    outputs: [
      named(assertShape(composite, [null, h, w, c], 'analogy image'), 'image'),
      named(assertShape(mask, [null, h, w, 1], 'analogy mask'), 'mask'),
    ],
    name: 'generator',
  });
}
