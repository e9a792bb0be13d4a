import * as tf from '@tensorflow/tfjs';
import { axisWindow } from './axis-window.ts';
import { runOnCpu } from './cpu-fallback.ts';
import { type HeapKernels, heapKernels, type PatchGeometry } from './heap-kernels.ts';
import { phaseFilter } from './phase-filters.ts';
import { asTensor } from './tensor-info.ts';
import { allocF32, heapF32 } from './wasm-heap.ts';

type Attrs = {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape: [number, number, number, number];
};

/** One output phase r of an axis: outputs r, r + s, ...; the filter taps k0, k0 + s, ...; where dy starts. */
interface Phase {
  k0: number;
  taps: number;
  s: number;
  dyStart: number;
}
interface AxisPlan {
  /** Outputs per phase (the largest phase's count; the others are cropped at the end). */
  count: number;
  phases: Phase[];
}

/**
 * For dx[a*s + r] = sum over k of dy[(a*s + r + p - k) / s] * w[k] (k where that divides), only taps
 * k = k0 (mod s) contribute, each at a fixed dy offset: a stride-1 correlation of dy with those taps reversed.
 */
export function axisPlan(size: number, k: number, s: number, padBefore: number): AxisPlan {
  const count = Math.ceil(size / s);
  const phases: Phase[] = [];
  for (let r = 0; r < s; r++) {
    const k0 = (((r + padBefore) % s) + s) % s;
    const taps = k0 < k ? Math.ceil((k - k0) / s) : 0;
    phases.push({ k0, taps, s, dyStart: (r + padBefore - k0) / s - taps + 1 });
  }
  return { count, phases };
}

/**
 * Input gradient of conv2d (also conv2dTranspose's forward pass) split by output phase: for stride s, s*s
 * small stride-1 conv2d calls on dy (windows as conv padding), then interleaved. wasm's own kernel is
 * a plain loop, 3-10x slower at DCGAN sizes.
 */
export function conv2dBackpropInput(args: {
  inputs: tf.NamedTensorInfoMap;
  attrs?: tf.NamedAttrMap;
  backend: unknown;
}): tf.TensorInfo | tf.TensorInfo[] {
  const backend = args.backend as tf.KernelBackend;
  const attrs = args.attrs as unknown as Attrs;
  const { dy: dyInfo, filter: filterInfo } = args.inputs;
  if (attrs.dataFormat === 'NCHW' || dyInfo!.dtype !== 'float32' || filterInfo!.dtype !== 'float32') {
    return runOnCpu('Conv2DBackpropInput', args.inputs, args.attrs!, backend);
  }
  // Inside a tidy so that any wrapper asTensor makes is released.
  return tf.tidy(() => {
    const dy = asTensor<tf.Rank.R4>(dyInfo!, backend);
    const filter = asTensor<tf.Rank.R4>(filterInfo!, backend);
    const info = tf.backend_util.computeConv2DInfo(
      attrs.inputShape,
      filter.shape,
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
    );
    const heap = heapKernels();
    const out =
      info.inChannels < COL2IM_MAX_CHANNELS && heap != null
        ? viaCol2im(dy, filter, info, backend, heap)
        : viaPhases(dy, filter, info, backend);
    return out as unknown as tf.Tensor;
  });
}

/** The phase split: one stride-1 conv2d per output phase, then the phases interleaved. */
function viaPhases(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  info: tf.backend_util.Conv2DInfo,
  backend: tf.KernelBackend,
): tf.Tensor4D {
  const [n, h, w, cin] = info.inShape;
  const [, ho, wo, cout] = dy.shape;
  const { strideHeight: sh, strideWidth: sw } = info;
  const rowPlan = axisPlan(h, info.filterHeight, sh, info.padInfo.top);
  const colPlan = axisPlan(w, info.filterWidth, sw, info.padInfo.left);
  const a = rowPlan.count;
  const b = colPlan.count;
  // A phase with no taps on an axis (kernel shorter than the stride) is all zeros: no filter.
  const subs = rowPlan.phases.flatMap((rp) =>
    colPlan.phases.map((cp) => {
      if (rp.taps === 0 || cp.taps === 0) return undefined;
      const sub = allocF32(backend, [rp.taps, cp.taps, cout, cin]);
      phaseFilter(backend, filter, rp, cp, sub);
      return sub;
    }),
  );
  return tf.tidy(() => {
    const phases = rowPlan.phases.map((rp, i) =>
      colPlan.phases.map((cp, j) => {
        const subInfo = subs[i * sw + j];
        if (subInfo == null) return tf.zeros([n, a, b, cin]) as tf.Tensor4D;
        const sub = tf.engine().makeTensorFromTensorInfo(subInfo, backend) as tf.Tensor4D;
        const rw = axisWindow(rp.dyStart, a + rp.taps - 1, ho);
        const cw = axisWindow(cp.dyStart, b + cp.taps - 1, wo);
        const src =
          rw.crop[1] === ho && cw.crop[1] === wo
            ? dy
            : tf.slice(dy, [0, rw.crop[0], cw.crop[0], 0], [n, rw.crop[1], cw.crop[1], cout]);
        return tf.conv2d(src, sub, 1, [[0, 0], rw.pad, cw.pad, [0, 0]]);
      }),
    );
    let out = sh === 1 && sw === 1 ? phases[0]![0]! : interleave(phases, backend);
    if (a * sh !== h || b * sw !== w) out = tf.slice(out, [0, 0, 0, 0], [n, h, w, cin]);
    return out;
  });
}

/**
 * The phases [n, a, b, c] (row phase r, column phase q) woven into [n, a*sh, b*sw, c]: each copied into its
 * strided place on the heap (heap-kernels.ts; tfjs's stack copies 64 floats per JS call, 1.1 ms at
 * [64,7,7,64]), else stacked.
 */
function interleave(phases: tf.Tensor4D[][], backend: tf.KernelBackend): tf.Tensor4D {
  const [n, a, b, c] = phases[0]![0]!.shape;
  const [sh, sw] = [phases.length, phases[0]!.length];
  const heap = heapKernels();
  if (heap == null) {
    const woven = tf.stack(
      phases.map((r) => tf.stack(r, 3)),
      2,
    );
    return tf.reshape(woven, [n, a * sh, b * sw, c]);
  }
  const out = allocF32(backend, [n, a * sh, b * sw, c]);
  const rowFloats = b * sw * c;
  phases.forEach((row, r) => {
    row.forEach((phase, q) => {
      heap.weave(phase, out, {
        offset: r * rowFloats + q * c,
        outer: n * a,
        inner: b,
        pixel: c,
        outerStride: sh * rowFloats,
        innerStride: sw * c,
      });
    });
  });
  return tf.engine().makeTensorFromTensorInfo(out, backend) as tf.Tensor4D;
}

/** Below this many input channels, the phase convs (cin outputs each) run far under the backend's peak. */
const COL2IM_MAX_CHANNELS = 8;
/** Patch elements per batch chunk (16 MB). */
const CHUNK_ELEMENTS = 1 << 22;

/**
 * dx as col2im(dy x w^T): one matMul [pixels, cout] x [cout, kh*kw*cin] per batch chunk, then the patches
 * are added back onto dx (heap-kernels.ts). For few input channels (the image layer), where it is several
 * times faster.
 */
function viaCol2im(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  info: tf.backend_util.Conv2DInfo,
  backend: tf.KernelBackend,
  heap: HeapKernels,
): tf.TensorInfo {
  const [n, h, w, cin] = info.inShape;
  const [, ho, wo, cout] = dy.shape;
  const { filterHeight: kh, filterWidth: kw } = info;
  const g: PatchGeometry = {
    h,
    w,
    c: cin,
    kh,
    kw,
    sh: info.strideHeight,
    sw: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
    ho,
    wo,
  };
  const patch = kh * kw * cin;
  const chunk = Math.max(1, Math.min(n, Math.floor(CHUNK_ELEMENTS / (ho * wo * patch))));
  const dx = allocF32(backend, [n, h, w, cin]);
  heapF32(backend, dx).fill(0);
  tf.tidy(() => {
    const wt = tf.transpose(tf.reshape(filter, [patch, cout])) as tf.Tensor2D;
    for (let n0 = 0; n0 < n; n0 += chunk) {
      const n1 = Math.min(n, n0 + chunk);
      const dyChunk = n1 - n0 === n ? dy : tf.slice(dy, [n0, 0, 0, 0], [n1 - n0, ho, wo, cout]);
      const cols = tf.matMul(tf.reshape(dyChunk, [(n1 - n0) * ho * wo, cout]) as tf.Tensor2D, wt);
      heap.col2im(cols, dx, g, n0, n1);
      cols.dispose();
    }
  });
  return dx;
}

export const conv2dBackpropInputConfig: tf.KernelConfig = {
  kernelName: 'Conv2DBackpropInput',
  backendName: 'wasm',
  kernelFunc: conv2dBackpropInput,
};
