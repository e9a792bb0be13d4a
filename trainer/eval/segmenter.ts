/**
 * The segmenter of a label-map set: each pixel's class, read from the image alone. It judges SPADE's (and
 * pix2pix's) paintings: the map it reads back from a generated scene is scored against the map the scene
 * was painted from (mIoU), beside its own mIoU on real held-out scenes; it never trains a generator.
 * Trained by train-segmenter.ts on the set's training images and maps, committed with its record under
 * weights/<dataset>-segmenter/.
 */
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { SegmentationScores } from '../../shared/evaluation.ts';
import { WEIGHTS_DIR } from './classifier.ts';

export const SEGMENTED = ['scenes'] as const;
export type Segmented = (typeof SEGMENTED)[number];

export function segmenterDir(dataset: Segmented): string {
  return join(WEIGHTS_DIR, `${dataset}-segmenter`);
}

/**
 * A small encoder-decoder: 3x3 convolutions down to a quarter of the side (so a pixel's class is read from
 * the texture around it: grass from leaves, sky from water), back up by nearest upsampling, the full-side
 * features joined again before the per-pixel logits. [N, H, W, C] in [-1, 1] -> [N, H, W, classes] logits.
 */
export function buildSegmenter(shape: readonly number[], classes: number, seed = 1): tf.LayersModel {
  let k = 0;
  const conv = (
    x: tf.SymbolicTensor,
    filters: number,
    strides = 1,
    kernel = 3,
    activation: 'relu' | 'linear' = 'relu',
  ) =>
    tf.layers
      .conv2d({
        filters,
        kernelSize: kernel,
        strides,
        padding: 'same',
        activation,
        kernelInitializer: tf.initializers.heNormal({ seed: seed * 100 + k++ }),
      })
      .apply(x) as tf.SymbolicTensor;
  const up = (x: tf.SymbolicTensor) => tf.layers.upSampling2d({ size: [2, 2] }).apply(x) as tf.SymbolicTensor;
  const image = tf.input({ shape: [...shape], name: 'image' });
  const full = conv(image, 16);
  let x = conv(conv(full, 32, 2), 32, 2);
  x = conv(x, 32);
  x = conv(up(x), 16);
  x = tf.layers.concatenate().apply([up(x), full]) as tf.SymbolicTensor;
  const logits = conv(conv(x, 16), classes, 1, 1, 'linear');
  return tf.model({ inputs: image, outputs: logits, name: 'segmenter' });
}

/** Each pixel's class as the segmenter reads it: [N x H x W] class ids, in batches. */
export function segment(model: tf.LayersModel, images: tf.Tensor4D, batchSize = 100): Uint8Array {
  const [n, h, w] = images.shape;
  const out = new Uint8Array(n * h * w);
  for (let start = 0; start < n; start += batchSize) {
    const ids = tf.tidy(() => {
      const b = Math.min(batchSize, n - start);
      return tf.argMax(model.predict(tf.slice(images, [start], [b])) as tf.Tensor, -1);
    });
    out.set(ids.dataSync(), start * h * w);
    ids.dispose();
  }
  return out;
}

/** The class of every pixel of one-hot maps [N, H, W, classes]: [N x H x W] class ids. */
export function classesOf(map: tf.Tensor4D): Uint8Array {
  const ids = tf.tidy(() => tf.argMax(map, -1));
  const out = Uint8Array.from(ids.dataSync());
  ids.dispose();
  return out;
}

/**
 * Read classes against true ones over every pixel: per class, IoU = |read and true| / |read or true|; mIoU
 * their mean over the classes present in either; pixel accuracy the share read right.
 */
export function segmentationScores(
  read: Uint8Array,
  truth: Uint8Array,
  classNames: readonly string[],
): SegmentationScores {
  if (read.length !== truth.length || read.length === 0)
    throw new Error(`segmentation scores: ${read.length} read pixels against ${truth.length} true ones`);
  const k = classNames.length;
  const inter = new Float64Array(k);
  const union = new Float64Array(k);
  let right = 0;
  for (let p = 0; p < read.length; p++) {
    const r = read[p]!;
    const t = truth[p]!;
    if (r >= k || t >= k) throw new Error(`segmentation scores: class ${Math.max(r, t)} of ${k}`);
    if (r === t) {
      right++;
      inter[r]!++;
      union[r]!++;
    } else {
      union[r]!++;
      union[t]!++;
    }
  }
  const perClass: Record<string, number> = {};
  const ious: number[] = [];
  classNames.forEach((name, c) => {
    if (union[c] === 0) return;
    const iou = inter[c]! / union[c]!;
    perClass[name] = iou;
    ious.push(iou);
  });
  return {
    mIoU: ious.reduce((a, b) => a + b, 0) / ious.length,
    pixelAccuracy: right / read.length,
    perClass,
  };
}
