import * as tf from '@tensorflow/tfjs';
import { runOnCpu } from './cpu-fallback.ts';
import { asTensor } from './tensor-info.ts';

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
  dyStart: number;
}
interface AxisPlan {
  /** Outputs per phase (the largest phase's count; the others are cropped at the end). */
  count: number;
  phases: Phase[];
  padLo: number;
  padHi: number;
}

/**
 * For dx[a*s + r] = sum over k of dy[(a*s + r + p - k) / s] * w[k] (k where that divides), only taps
 * k = k0 (mod s) contribute, each at a fixed dy offset: a stride-1 correlation of dy with those taps reversed.
 */
export function axisPlan(size: number, dySize: number, k: number, s: number, padBefore: number): AxisPlan {
  const count = Math.ceil(size / s);
  const phases: Phase[] = [];
  let lo = 0;
  let hi = dySize;
  for (let r = 0; r < s; r++) {
    const k0 = (((r + padBefore) % s) + s) % s;
    const taps = k0 < k ? Math.ceil((k - k0) / s) : 0;
    const dyStart = (r + padBefore - k0) / s - taps + 1;
    phases.push({ k0, taps, dyStart });
    if (taps > 0) {
      lo = Math.min(lo, dyStart);
      hi = Math.max(hi, dyStart + count + taps - 1);
    }
  }
  return { count, phases, padLo: -lo, padHi: hi - dySize };
}

/**
 * Input gradient of conv2d (also conv2dTranspose's forward pass) split by output phase: for stride s, s*s
 * small stride-1 'valid' conv2d calls, interleaved. The backend's own kernel is a plain loop, 5-10x slower.
 */
export function conv2dBackpropInput(args: {
  inputs: tf.NamedTensorInfoMap;
  attrs?: tf.NamedAttrMap;
  backend: unknown;
}): tf.TensorInfo | tf.TensorInfo[] {
  const backend = args.backend as tf.KernelBackend;
  const attrs = args.attrs as unknown as Attrs;
  if (attrs.dataFormat === 'NCHW') return runOnCpu('Conv2DBackpropInput', args.inputs, args.attrs!, backend);
  const dy = asTensor<tf.Rank.R4>(args.inputs.dy!, backend);
  const filter = asTensor<tf.Rank.R4>(args.inputs.filter!, backend);
  const info = tf.backend_util.computeConv2DInfo(
    attrs.inputShape,
    filter.shape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const [n, h, w, cin] = attrs.inputShape;
  const [, ho, wo, cout] = dy.shape;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const rowPlan = axisPlan(h, ho, kh, sh, info.padInfo.top);
  const colPlan = axisPlan(w, wo, kw, sw, info.padInfo.left);
  return tf.tidy(() => {
    // Taps reversed and in/out channels swapped, so every phase is a plain correlation of dy.
    const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]);
    const dyp = tf.pad(dy, [
      [0, 0],
      [rowPlan.padLo, rowPlan.padHi],
      [colPlan.padLo, colPlan.padHi],
      [0, 0],
    ]);
    const a = rowPlan.count;
    const b = colPlan.count;
    const rows = rowPlan.phases.map((rp) =>
      colPlan.phases.map((cp) => {
        if (rp.taps === 0 || cp.taps === 0) return tf.zeros([n, a, b, cin]) as tf.Tensor4D;
        const fh = kh - 1 - rp.k0 - (rp.taps - 1) * sh;
        const fw = kw - 1 - cp.k0 - (cp.taps - 1) * sw;
        const sub = tf.stridedSlice(
          flipped,
          [fh, fw, 0, 0],
          [fh + (rp.taps - 1) * sh + 1, fw + (cp.taps - 1) * sw + 1, cout, cin],
          [sh, sw, 1, 1],
        ) as tf.Tensor4D;
        const win = tf.slice(
          dyp,
          [0, rp.dyStart + rowPlan.padLo, cp.dyStart + colPlan.padLo, 0],
          [n, a + rp.taps - 1, b + cp.taps - 1, cout],
        );
        return tf.conv2d(win, sub, 1, 'valid');
      }),
    );
    let out: tf.Tensor4D;
    if (sh === 1 && sw === 1) out = rows[0]![0]!;
    else {
      const woven = tf.stack(
        rows.map((r) => tf.stack(r, 3)),
        2,
      );
      out = tf.reshape(woven, [n, a * sh, b * sw, cin]);
    }
    if (a * sh !== h || b * sw !== w) out = tf.slice(out, [0, 0, 0, 0], [n, h, w, cin]);
    return out;
  });
}

export const conv2dBackpropInputConfig: tf.KernelConfig = {
  kernelName: 'Conv2DBackpropInput',
  backendName: 'wasm',
  kernelFunc: conv2dBackpropInput,
};
