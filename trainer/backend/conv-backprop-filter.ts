import * as tf from '@tensorflow/tfjs';
import { axisWindow } from './axis-window.ts';
import { igemmInUse } from './conv2d.ts';
import { runOnCpu } from './cpu-fallback.ts';
import type { ConvGeometry, ConvLayouts } from './igemm.ts';
import { asTensor } from './tensor-info.ts';
import { allocF32, heapF32 } from './wasm-heap.ts';

/** x [N, H, W, C] and dy [N, Ho, Wo, O] as the conv below reads them: its x [C, H, W, N], filter [Ho, Wo, N, O]. */
const SWAPPED: ConvLayouts = { x: 'chwn', filter: 'ihwo' };

type Attrs = {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
};

/**
 * Weight gradient of conv2d as one forward conv2d, which the backend runs near its peak. With batch and
 * channels swapped, x becomes [C, H, W, N]; dy, as the filter [Ho, Wo, N, Cout], slides over it with dilation
 * equal to the forward stride: out[c, kh, kw, o] = sum over n, i, j of x[n, i*s + kh, j*s + kw, c] * dy[n, i, j, o].
 * The forward padding is the conv's own padding (no copy). Measured faster than im2col + matMul here. The
 * project's FMA kernel (igemm.ts) reads x and dy as they are; other routes transpose them first.
 */
export function conv2dBackpropFilter(args: {
  inputs: tf.NamedTensorInfoMap;
  attrs?: tf.NamedAttrMap;
  backend: unknown;
}): tf.TensorInfo | tf.TensorInfo[] {
  const backend = args.backend as tf.KernelBackend;
  const attrs = args.attrs as unknown as Attrs;
  const { x: xInfo, dy: dyInfo } = args.inputs;
  if (attrs.dataFormat === 'NCHW' || xInfo!.dtype !== 'float32' || dyInfo!.dtype !== 'float32') {
    return runOnCpu('Conv2DBackpropFilter', args.inputs, args.attrs!, backend);
  }
  // Inside a tidy so that any wrapper asTensor makes is released.
  return tf.tidy(() => {
    const x = asTensor<tf.Rank.R4>(xInfo!, backend);
    const dy = asTensor<tf.Rank.R4>(dyInfo!, backend);
    const info = tf.backend_util.computeConv2DInfo(
      x.shape,
      attrs.filterShape,
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
    );
    const [n, h, w, c] = x.shape;
    const [, ho, wo] = dy.shape;
    const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
    // The span of x the forward pass read, in padded coordinates: exactly what makes the output [C, kh, kw, O].
    const rw = axisWindow(-info.padInfo.top, (ho - 1) * sh + kh, h);
    const cw = axisWindow(-info.padInfo.left, (wo - 1) * sw + kw, w);
    const cropped =
      rw.crop[1] === h && cw.crop[1] === w
        ? x
        : tf.slice(x, [0, rw.crop[0], cw.crop[0], 0], [n, rw.crop[1], cw.crop[1], c]);
    const [, hc, wc] = cropped.shape;
    const geometry: ConvGeometry = {
      n: c,
      h: hc,
      w: wc,
      cin: n,
      ho: kh,
      wo: kw,
      kh: ho,
      kw: wo,
      cout: dy.shape[3],
      sh: 1,
      sw: 1,
      dh: sh,
      dw: sw,
      padTop: rw.pad[0],
      padLeft: cw.pad[0],
    };
    const igemm = igemmInUse();
    let g: tf.Tensor4D;
    if (igemm?.covers(geometry, SWAPPED)) {
      // The FMA kernel reads x and dy in the layouts they come in: no transposes before the conv.
      const out = allocF32(backend, [c, kh, kw, geometry.cout]);
      igemm.conv(
        geometry,
        heapF32(backend, cropped),
        heapF32(backend, dy),
        undefined,
        heapF32(backend, out),
        SWAPPED,
      );
      g = tf.engine().makeTensorFromTensorInfo(out, backend) as tf.Tensor4D;
    } else {
      const xt = tf.transpose(cropped, [3, 1, 2, 0]);
      const dyt = tf.transpose(dy, [1, 2, 0, 3]);
      g = tf.conv2d(xt, dyt, 1, [[0, 0], rw.pad, cw.pad, [0, 0]], 'NHWC', [sh, sw]);
    }
    return tf.transpose(g, [1, 2, 0, 3]);
  });
}

export const conv2dBackpropFilterConfig: tf.KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilter,
};
