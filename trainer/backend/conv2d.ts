import * as tf from '@tensorflow/tfjs';
import type { ConvGeometry, Igemm } from './igemm.ts';
import { allocF32, heapF32 } from './wasm-heap.ts';

type Args = Parameters<tf.KernelFunc>[0];
type Attrs = {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dilations: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  activation?: string;
};

let igemm: Igemm | undefined;

/** Turns the FMA route on or off (for convolutions here and matMuls in matmul-igemm.ts). */
export function useIgemm(engine: Igemm | undefined): void {
  igemm = engine;
}

/** The FMA kernel when the route is on. */
export function igemmInUse(): Igemm | undefined {
  return igemm;
}

/**
 * Conv2D and FusedConv2D (bias, no activation) through the project's FMA kernel (igemm.ts) where it covers
 * the shape, for float32 NHWC; undefined otherwise, for wasm's own kernel. Every DCGAN conv but the image
 * layers comes through here, with the phase split of the transposed convs and the weight gradients (a
 * dilated conv).
 */
export function conv2dIgemm(args: Args): tf.TensorInfo | undefined {
  if (igemm == null) return undefined;
  const { x, filter, bias, preluActivationWeights } = args.inputs;
  const attrs = args.attrs as unknown as Attrs;
  if (x!.dtype !== 'float32' || filter!.dtype !== 'float32' || attrs.dataFormat === 'NCHW') return undefined;
  if ((attrs.activation ?? 'linear') !== 'linear' || preluActivationWeights != null) return undefined;
  const info = tf.backend_util.computeConv2DInfo(
    x!.shape as [number, number, number, number],
    filter!.shape as [number, number, number, number],
    attrs.strides,
    attrs.dilations,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const g: ConvGeometry = {
    n: info.batchSize,
    h: info.inHeight,
    w: info.inWidth,
    cin: info.inChannels,
    ho: info.outHeight,
    wo: info.outWidth,
    kh: info.filterHeight,
    kw: info.filterWidth,
    cout: info.outChannels,
    sh: info.strideHeight,
    sw: info.strideWidth,
    dh: info.dilationHeight,
    dw: info.dilationWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
  if (!igemm.covers(g) || (bias != null && bias.shape.join() !== String(g.cout))) return undefined;
  const backend = args.backend;
  // Allocate before taking heap views: an allocation can grow the heap and detach views.
  const out = allocF32(backend, [g.n, g.ho, g.wo, g.cout]);
  const biasView = bias == null ? undefined : heapF32(backend, bias);
  igemm.conv(g, heapF32(backend, x!), heapF32(backend, filter!), biasView, heapF32(backend, out));
  return out;
}
