/**
 * Resizing images to any size, down or up, as two matrix products: out = A_h . x . A_w^T per channel, where
 * each row of A holds the weights of a triangle (linear) filter centred on the output pixel, widened by the
 * scale when shrinking so every input pixel counts (antialiased, as image libraries resize). Upscaling is
 * then plain bilinear interpolation with half-pixel centres. Matrix products differentiate as often as
 * asked on every backend, where tfjs's resizeBilinear has no gradient kernel on wasm; and as stock layers
 * (Permute + Dense with a fixed kernel) a resize exports to the browser without a custom class.
 */
import * as tf from '@tensorflow/tfjs';
import { bicubicMatrix } from './bicubic.ts';

/**
 * The filter a resize weights its input pixels with: 'linear' (a triangle, above) or 'bicubic' (Keys' cubic
 * of ./bicubic.ts, the resampling super-resolution sets are made and scored with).
 */
export type ResizeFilter = 'linear' | 'bicubic';

const weightsOf = (filter: ResizeFilter, from: number, to: number): Float32Array =>
  filter === 'bicubic' ? Float32Array.from(bicubicMatrix(from, to)) : resizeWeights(from, to);

/** The [to, from] weights taking a line of `from` pixels to `to` pixels; each row sums to 1. */
export function resizeWeights(from: number, to: number): Float32Array {
  if (!Number.isInteger(from) || !Number.isInteger(to) || from < 1 || to < 1)
    throw new Error(`resize: sides must be positive integers, got ${from} -> ${to}`);
  const scale = from / to;
  // Shrinking widens the filter to cover the input pixels one output pixel stands for.
  const support = Math.max(1, scale);
  const weights = new Float32Array(to * from);
  for (let i = 0; i < to; i++) {
    const centre = (i + 0.5) * scale;
    let sum = 0;
    for (let j = 0; j < from; j++) {
      const w = Math.max(0, 1 - Math.abs(j + 0.5 - centre) / support);
      weights[i * from + j] = w;
      sum += w;
    }
    // At the borders the filter reaches past the image: the pixels inside share its weight (edge clamping).
    if (sum === 0) weights[i * from + Math.min(from - 1, Math.max(0, Math.floor(centre)))] = 1;
    else for (let j = 0; j < from; j++) weights[i * from + j]! /= sum;
  }
  return weights;
}

/** Images [N, H, W, C] resized to [h, w]; the same values as resizeLayer's, differentiable. */
export function resizeImages(x: tf.Tensor4D, [h, w]: [number, number]): tf.Tensor4D {
  const [n, height, width, c] = x.shape;
  if (height === h && width === w) return tf.clone(x);
  return tf.tidy(() => {
    const rows = tf.tensor2d(resizeWeights(height, h), [h, height]);
    const cols = tf.tensor2d(resizeWeights(width, w), [w, width]);
    // [N, H, W, C] -> [N*C... ] as matrices: rows first over H, then columns over W.
    const byRow = tf.reshape(tf.transpose(x, [1, 0, 2, 3]), [height, n * width * c]);
    const shrunkRows = tf.reshape(tf.matMul(rows, byRow), [h, n, width, c]);
    const byCol = tf.reshape(tf.transpose(shrunkRows, [2, 0, 1, 3]), [width, h * n * c]);
    const out = tf.reshape(tf.matMul(cols, byCol), [w, h, n, c]);
    return tf.transpose(out, [2, 1, 0, 3]) as tf.Tensor4D;
  });
}

/**
 * The same resize as stock layers, for symbolic [N, H, W, C] of `from` sides: Permute to put W last, a Dense
 * without bias whose fixed kernel is A_w^T, the same for H, then Permute back. The layers are made once and
 * every call applies the same ones (models that share them share their weights). `name` prefixes the
 * layers' names; their kernels are not trainable.
 */
export function resizeLayers(
  [height, width]: [number, number],
  [h, w]: [number, number],
  name: string,
  filter: ResizeFilter = 'linear',
): (x: tf.SymbolicTensor) => tf.SymbolicTensor {
  if (height === h && width === w) return (x) => x;
  const cols = tf.layers.dense({ units: w, useBias: false, trainable: false, name: `${name}_cols` });
  const rows = tf.layers.dense({ units: h, useBias: false, trainable: false, name: `${name}_rows` });
  const chw = tf.layers.permute({ dims: [3, 1, 2], name: `${name}_chw` });
  const cwh = tf.layers.permute({ dims: [1, 3, 2], name: `${name}_cwh` });
  const hwc = tf.layers.permute({ dims: [3, 2, 1], name: `${name}_hwc` });
  let built = false;
  return (x) => {
    const [, xh, xw] = x.shape;
    if (xh !== height || xw !== width)
      throw new Error(`${name}: resizes ${height}x${width} images, got [${x.shape}]`);
    let y = chw.apply(x) as tf.SymbolicTensor;
    y = cols.apply(y) as tf.SymbolicTensor; // [N, C, H, w]
    y = cwh.apply(y) as tf.SymbolicTensor;
    y = rows.apply(y) as tf.SymbolicTensor; // [N, C, w, h]
    y = hwc.apply(y) as tf.SymbolicTensor;
    if (!built) {
      // Weights exist once a layer is applied; a kernel is A^T, [from, to].
      for (const [layer, from, to] of [
        [cols, width, w],
        [rows, height, h],
      ] as const) {
        const kernel = tf.tidy(() => tf.transpose(tf.tensor2d(weightsOf(filter, from, to), [to, from])));
        layer.setWeights([kernel]);
        kernel.dispose();
      }
      built = true;
    }
    return y;
  };
}
