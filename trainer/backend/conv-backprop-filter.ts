import * as tf from '@tensorflow/tfjs';
import { runOnCpu } from './cpu-fallback.ts';
import { asTensor } from './tensor-info.ts';

type Attrs = {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
};

/**
 * Weight gradient of conv2d as one forward conv2d, which the backend runs fast. With batch and channels
 * swapped, x becomes [C, H, W, N] and dy, used as the filter [Ho, Wo, N, Cout], slides over it with dilation
 * equal to the forward stride: out[c, kh, kw, o] = sum over n, i, j of x[n, i*s + kh, j*s + kw, c] * dy[n, i, j, o].
 */
export function conv2dBackpropFilter(args: {
  inputs: tf.NamedTensorInfoMap;
  attrs?: tf.NamedAttrMap;
  backend: unknown;
}): tf.TensorInfo | tf.TensorInfo[] {
  const backend = args.backend as tf.KernelBackend;
  const attrs = args.attrs as unknown as Attrs;
  if (attrs.dataFormat === 'NCHW') return runOnCpu('Conv2DBackpropFilter', args.inputs, args.attrs!, backend);
  const x = asTensor<tf.Rank.R4>(args.inputs.x!, backend);
  const dy = asTensor<tf.Rank.R4>(args.inputs.dy!, backend);
  const info = tf.backend_util.computeConv2DInfo(
    x.shape,
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const [, h, w] = x.shape;
  const [, ho, wo] = dy.shape;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;
  // Rows the forward pass read: exactly the span the gradient conv needs, so its output is [C, kh, kw, O].
  const rows = (ho - 1) * sh + kh;
  const cols = (wo - 1) * sw + kw;
  return tf.tidy(() => {
    const xt = tf.transpose(x, [3, 1, 2, 0]);
    const xp = cropPad(xt, top, rows, left, cols, h, w);
    const dyt = tf.transpose(dy, [1, 2, 0, 3]);
    const g = tf.conv2d(xp, dyt, 1, 'valid', 'NHWC', [sh, sw]);
    return tf.transpose(g, [1, 2, 0, 3]);
  });
}

/** Rows [-top, -top + rows) and columns [-left, -left + cols) of x's axes 1 and 2, zero outside x. */
function cropPad(
  x: tf.Tensor4D,
  top: number,
  rows: number,
  left: number,
  cols: number,
  h: number,
  w: number,
) {
  const r0 = Math.max(0, -top);
  const c0 = Math.max(0, -left);
  const r1 = Math.min(h, rows - top);
  const c1 = Math.min(w, cols - left);
  let t = x;
  if (r0 > 0 || c0 > 0 || r1 < h || c1 < w) {
    t = tf.slice(x, [0, r0, c0, 0], [x.shape[0], r1 - r0, c1 - c0, x.shape[3]]);
  }
  const padT = Math.max(0, top);
  const padL = Math.max(0, left);
  const padB = rows - padT - (r1 - r0);
  const padR = cols - padL - (c1 - c0);
  if (padT === 0 && padL === 0 && padB === 0 && padR === 0) return t;
  return tf.pad(t, [
    [0, 0],
    [padT, padB],
    [padL, padR],
    [0, 0],
  ]);
}

export const conv2dBackpropFilterConfig: tf.KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilter,
};
