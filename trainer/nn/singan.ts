/**
 * SinGAN's networks (Shaham et al. 2019): a pyramid of scales, coarse to fine, each with a small fully
 * convolutional generator G_n and critic D_n (`layers` 3x3 convolutions of `channels` maps, LeakyReLU 0.2).
 * G_n takes noise z_n times the scale's amplitude plus the coarser scale's image brought up to its size, and
 * adds the residual its convolutions make (tanh) to that image; the coarsest takes noise alone. D_n scores
 * every patch its convolutions see and averages the map, so both work at any size.
 *
 * The pyramid as one model takes a single z [latentDim]: every scale's noise map laid out in one
 * [height, width, 3] block, scale k's map in rows rows[k].. of its first w_k columns (a stock Reshape and
 * Cropping2D take it apart), so the gallery, evaluation and the browser feed it like any latent generator.
 * The amplitude of each scale is a 1x1 depthwise kernel, not trained, set once when its scale starts (from
 * the reconstruction's RMSE), and kept in the checkpoint and the export with the weights. The resize
 * between scales is shared/layers/resize.ts's, as stock layers: the exported pyramid needs no custom class;
 * shared/layers/pyramid.ts runs it scale by scale at any size.
 */
import * as tf from '@tensorflow/tfjs';
import { applyScale, type ScaleLayers, type Size, scaleLayerNames } from '../../shared/layers/pyramid.ts';
import { resizeLayers } from '../../shared/layers/resize.ts';
import type { Init } from './init.ts';

type Sym = tf.SymbolicTensor;

export type { ScaleLayers, Size };

export interface PyramidShape {
  /** Long side of the finest scale (the image is never enlarged). */
  maxSize: number;
  /** Long side of the coarsest scale. */
  minSize: number;
  /** Ratio between neighbouring scales, adjusted so minSize to the finest takes whole steps. */
  scaleFactor: number;
}

/** Every scale's [height, width], coarse to fine, for an image of `image` sides. */
export function pyramidSizes([h, w]: Size, o: PyramidShape): Size[] {
  const long = Math.max(h, w);
  const finest = Math.min(o.maxSize, long);
  if (o.minSize >= finest)
    throw new Error(
      `singan: the finest scale's long side, ${finest} px (the image's or maxSize), must be above minSize ${o.minSize}`,
    );
  const steps = Math.ceil(Math.log(o.minSize / finest) / Math.log(o.scaleFactor));
  const r = (o.minSize / finest) ** (1 / steps);
  return Array.from({ length: steps + 1 }, (_, k) => {
    const f = (finest / long) * r ** (steps - k);
    return [Math.max(1, Math.round(h * f)), Math.max(1, Math.round(w * f))] as Size;
  });
}

/** Where each scale's noise lies in z: scale k in rows rows[k] to rows[k] + h_k, columns 0 to w_k. */
export interface NoiseLayout {
  sizes: Size[];
  rows: number[];
  height: number;
  width: number;
  channels: number;
  latentDim: number;
}

export function noiseLayout(sizes: Size[], channels: number): NoiseLayout {
  const rows = sizes.map((_, k) => sizes.slice(0, k).reduce((sum, [h]) => sum + h, 0));
  const height = sizes.reduce((sum, [h]) => sum + h, 0);
  const width = Math.max(...sizes.map(([, w]) => w));
  return { sizes, rows, height, width, channels, latentDim: height * width * channels };
}

/** A z [latentDim] holding `maps` (scale k's [h_k, w_k, C] values, or none: zeros) where the layout puts them. */
export function layoutNoise(layout: NoiseLayout, maps: (Float32Array | undefined)[]): Float32Array {
  const z = new Float32Array(layout.latentDim);
  const { width, channels } = layout;
  maps.forEach((map, k) => {
    if (!map) return;
    const [h, w] = layout.sizes[k]!;
    for (let y = 0; y < h; y++)
      z.set(map.subarray(y * w * channels, (y + 1) * w * channels), (layout.rows[k]! + y) * width * channels);
  });
  return z;
}

/** A scale's amplitude before its stage sets it from the reconstruction: no noise (an export stopped before
 * a scale trained adds none there). */
export const UNSET_AMPLITUDE = 0;

export function scaleLayers(
  k: number,
  o: { channels: number; layers: number; imageChannels: number; init: Init },
): ScaleLayers {
  const n = scaleLayerNames(k);
  return {
    index: k,
    amp: tf.layers.depthwiseConv2d({
      kernelSize: 1,
      useBias: false,
      trainable: false,
      // The coarsest scale's noise is the image's whole variety: amplitude 1, as in the paper.
      depthwiseInitializer: tf.initializers.constant({ value: k === 0 ? 1 : UNSET_AMPLITUDE }),
      name: n.amp,
    }),
    convs: Array.from({ length: o.layers }, (_, i) =>
      tf.layers.conv2d({
        filters: i === o.layers - 1 ? o.imageChannels : o.channels,
        kernelSize: 3,
        padding: 'same',
        kernelInitializer: o.init.normal(),
        name: n.conv(i),
      }),
    ),
    acts: Array.from({ length: o.layers - 1 }, (_, i) => tf.layers.leakyReLU({ alpha: 0.2, name: n.act(i) })),
    tanh: tf.layers.activation({ activation: 'tanh', name: n.tanh }),
    ...(k > 0 ? { join: tf.layers.add({ name: n.join }), out: tf.layers.add({ name: n.out }) } : {}),
  };
}

/** Scale k's generator alone: [noise, coarser image] (noise alone at k = 0), any size; what its phase trains. */
export function scaleModel(s: ScaleLayers, imageChannels: number): tf.LayersModel {
  const noise = tf.input({ shape: [null, null, imageChannels], name: `noise${s.index}` });
  if (s.index === 0) return tf.model({ inputs: noise, outputs: applyScale(s, noise), name: `G${s.index}` });
  const coarser = tf.input({ shape: [null, null, imageChannels], name: `coarser${s.index}` });
  return tf.model({
    inputs: [noise, coarser],
    outputs: applyScale(s, noise, coarser),
    name: `G${s.index}`,
  });
}

/** The resize layers from each scale to the next (shared by every pyramid model). */
export function upscalers(sizes: Size[]): ((x: Sym) => Sym)[] {
  return sizes.slice(1).map((to, k) => resizeLayers(sizes[k]!, to, `up${k}`));
}

/** z [latentDim] -> the image of scale `upto`: scales 0..upto, each fed its part of z. */
export function pyramidModel(
  scales: ScaleLayers[],
  ups: ((x: Sym) => Sym)[],
  layout: NoiseLayout,
  upto: number,
): tf.LayersModel {
  const z = tf.input({ shape: [layout.latentDim], name: 'z' });
  const { height, width, channels, sizes, rows } = layout;
  const maps = tf.layers.reshape({ targetShape: [height, width, channels] }).apply(z) as Sym;
  let image: Sym | undefined;
  for (let k = 0; k <= upto; k++) {
    const [h, w] = sizes[k]!;
    const noise = tf.layers
      .cropping2D({
        cropping: [
          [rows[k]!, height - rows[k]! - h],
          [0, width - w],
        ],
      })
      .apply(maps) as Sym;
    image = applyScale(scales[k]!, noise, image ? ups[k - 1]!(image) : undefined);
  }
  return tf.model({ inputs: z, outputs: image!, name: `pyramid${upto}` });
}

/** D_n: image [N, any, any, C] -> [N, 1], the mean of its patch scores. */
export function criticModel(
  k: number,
  o: { channels: number; layers: number; imageChannels: number; init: Init },
): tf.LayersModel {
  const image = tf.input({ shape: [null, null, o.imageChannels], name: `image${k}` });
  let x: Sym = image;
  for (let i = 0; i < o.layers; i++) {
    const last = i === o.layers - 1;
    x = tf.layers
      .conv2d({
        filters: last ? 1 : o.channels,
        kernelSize: 3,
        padding: 'same',
        kernelInitializer: o.init.normal(),
        name: `d${k}_conv${i}`,
      })
      .apply(x) as Sym;
    if (!last) x = tf.layers.leakyReLU({ alpha: 0.2 }).apply(x) as Sym;
  }
  const score = tf.layers.globalAveragePooling2d({ name: `d${k}_mean` }).apply(x) as Sym;
  return tf.model({ inputs: image, outputs: score, name: `D${k}` });
}

export function amplitudeOf(s: ScaleLayers): number {
  return (s.amp.getWeights()[0]!.dataSync() as Float32Array)[0]!;
}

export function setAmplitude(s: ScaleLayers, value: number): void {
  const kernel = tf.fill(s.amp.getWeights()[0]!.shape, value);
  s.amp.setWeights([kernel]);
  kernel.dispose();
}
