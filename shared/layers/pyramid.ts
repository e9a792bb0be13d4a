/**
 * Running a SinGAN pyramid (trainer/nn/singan.ts builds it) scale by scale at any size, from the exported
 * model's own layers found by name: the trainer's evaluation and the dashboard's playground both run it so.
 * Every scale is fully convolutional, so the sizes may differ from the trained ones (other sizes and aspect
 * ratios), and an image may enter at a scale in place of the coarser scales' output (paint-to-image).
 * The resize between scales is ./resize.ts's, the one the pyramid trained with.
 */
import * as tf from '@tensorflow/tfjs';
import { resizeImages } from './resize.ts';

type Sym = tf.SymbolicTensor;

import type { Size } from '../pyramid-sizes.ts';

export type { Size };

/** The layers of one scale's generator, by name, so a loaded export yields them back (scaleLayersOf). */
export interface ScaleLayers {
  index: number;
  amp: tf.layers.Layer;
  convs: tf.layers.Layer[];
  acts: tf.layers.Layer[];
  tanh: tf.layers.Layer;
  /** noise + coarser image (absent at the coarsest scale). */
  join?: tf.layers.Layer;
  /** residual + coarser image (absent at the coarsest scale). */
  out?: tf.layers.Layer;
}

/** Scale k's layer names: the trainer builds them so, a reader finds them so. */
export const scaleLayerNames = (k: number) => ({
  amp: `g${k}_amp`,
  conv: (i: number) => `g${k}_conv${i}`,
  act: (i: number) => `g${k}_lrelu${i}`,
  tanh: `g${k}_tanh`,
  join: `g${k}_join`,
  out: `g${k}_out`,
});

/** The layers of scale k of a pyramid model (a loaded export), `layers` convolutions deep. */
export function scaleLayersOf(model: tf.LayersModel, k: number): ScaleLayers {
  const n = scaleLayerNames(k);
  const convs: tf.layers.Layer[] = [];
  for (let i = 0; model.layers.some((l) => l.name === n.conv(i)); i++) convs.push(model.getLayer(n.conv(i)));
  if (convs.length === 0) throw new Error(`the pyramid has no scale ${k} (no layer ${n.conv(0)})`);
  return {
    index: k,
    amp: model.getLayer(n.amp),
    convs,
    acts: convs.slice(1).map((_, i) => model.getLayer(n.act(i))),
    tanh: model.getLayer(n.tanh),
    ...(k > 0 ? { join: model.getLayer(n.join), out: model.getLayer(n.out) } : {}),
  };
}

/** Scales in a pyramid model (a loaded export). */
export function scaleCount(model: tf.LayersModel): number {
  let k = 0;
  while (model.layers.some((l) => l.name === scaleLayerNames(k).conv(0))) k++;
  return k;
}

/**
 * One scale: its noise (unscaled) and the coarser image at its size -> its image. Symbolic in models,
 * concrete in evaluation (the same layers).
 */
export function applyScale<T extends Sym | tf.Tensor>(s: ScaleLayers, noise: T, coarser?: T): T {
  const apply = (layer: tf.layers.Layer, x: T | T[]) => layer.apply(x as Sym) as T;
  const scaled = apply(s.amp, noise);
  let h = s.join && coarser ? apply(s.join, [scaled, coarser]) : scaled;
  s.convs.forEach((conv, i) => {
    h = apply(conv, h);
    if (i < s.acts.length) h = apply(s.acts[i]!, h);
  });
  h = apply(s.tanh, h);
  return s.out && coarser ? apply(s.out, [h, coarser]) : h;
}

/** Where and what a pyramid run starts from besides noise (the paper's applications). */
export interface Injection {
  /** The scale the image enters at: it replaces that scale's coarser input (or, at 0, the noise's image). */
  scale: number;
  /** [1, H, W, C] in [-1, 1], any size: resized to the scale's. */
  image: tf.Tensor4D;
}

/**
 * Runs scales 0..N-1 of a pyramid at `sizes` (any sizes: the nets are fully convolutional), scale k fed
 * `noise[k]` ([n, h_k, w_k, C] unscaled; the amplitude is the scale's). With an injection, scales below
 * it are skipped and the injected image, resized, is the coarser image of its scale (paint-to-image,
 * harmonisation); its noise still adds variety there and above.
 */
export function runPyramid(
  scales: ScaleLayers[],
  sizes: Size[],
  noise: tf.Tensor4D[],
  injection?: Injection,
): tf.Tensor4D {
  if (injection && (injection.scale < 1 || injection.scale >= sizes.length))
    throw new Error(`an image is injected at scales 1 to ${sizes.length - 1}, not ${injection.scale}`);
  return tf.tidy(() => {
    const start = injection?.scale ?? 0;
    const n = noise[0]!.shape[0];
    let image: tf.Tensor4D | undefined = injection
      ? (tf.tile(resizeImages(injection.image, sizes[start]!), [n, 1, 1, 1]) as tf.Tensor4D)
      : undefined;
    for (let k = start; k < sizes.length; k++) {
      const coarser = image && image.shape[1] !== sizes[k]![0] ? resizeImages(image, sizes[k]!) : image;
      image = applyScale(scales[k]!, noise[k]!, coarser);
    }
    return image!;
  });
}

/**
 * The paper's super-resolution: the finest generator applied `times` times, each to the image enlarged by
 * 1 / r (r: the ratio between scales) with no noise, so it adds the detail it learnt to add at that ratio.
 */
export function superResolve(finest: ScaleLayers, image: tf.Tensor4D, r: number, times: number): tf.Tensor4D {
  return tf.tidy(() => {
    let x = image;
    for (let t = 0; t < times; t++) {
      const [, h, w, c] = x.shape;
      const up = resizeImages(x, [Math.round(h / r), Math.round(w / r)]);
      x = applyScale(finest, tf.zeros([up.shape[0], up.shape[1], up.shape[2], c]) as tf.Tensor4D, up);
    }
    return x;
  });
}
