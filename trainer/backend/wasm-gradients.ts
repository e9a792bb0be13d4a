import * as tf from '@tensorflow/tfjs';

type GradFunc = tf.GradConfig['gradFunc'];
type Attrs = Parameters<GradFunc>[2];

/**
 * Gradients the project computes differently on wasm: fewer passes over full-size activations, from ops that
 * are themselves differentiable (so a second order, such as a gradient penalty, still works). Where `ours`
 * returns undefined, and on other backends, tfjs's own gradient runs.
 */
const OVERRIDES: {
  kernelName: string;
  inputsToSave: string[];
  ours: (...a: Parameters<GradFunc>) => ReturnType<GradFunc> | undefined;
}[] = [
  {
    // dy * step(x, alpha): two of wasm's SIMD kernels (0.95 ms at [64,14,14,64]) in place of tfjs's Greater,
    // Multiply and Select. The factor is exactly 1 or alpha, so each product rounds as tfjs's does; a NaN in
    // x gives a NaN gradient (tfjs's gives alpha * dy). Step's own gradient is zero.
    kernelName: 'LeakyRelu',
    inputsToSave: ['x'],
    ours: (dy, [x], attrs) => {
      const { alpha } = attrs as unknown as { alpha: number };
      return { x: () => tf.mul(dy as tf.Tensor, tf.step(x!, alpha)) };
    },
  },
  {
    // Batch norm over the last axis from two sums per channel (sum dy, sum dy (x - mean)) and three
    // full-size passes, where tfjs's takes eleven full-size kernels and four sums a call.
    kernelName: 'FusedBatchNorm',
    inputsToSave: ['x', 'mean', 'variance', 'scale'],
    ours: (dy, [x, mean, variance, scale], attrs) => {
      const c = x!.shape.at(-1);
      if (mean!.rank !== 1 || mean!.shape[0] !== c || (scale != null && scale.shape.join() !== String(c)))
        return undefined;
      const { varianceEpsilon } = attrs as unknown as { varianceEpsilon: number };
      const d = dy as tf.Tensor;
      const axes = x!.shape.slice(0, -1).map((_, i) => i);
      const xMinusMean = tf.sub(x!, mean!);
      const sumDy = tf.sum(d, axes);
      const sumDyXm = tf.sum(tf.mul(d, xMinusMean), axes);
      const invStd = tf.rsqrt(tf.add(variance!, varianceEpsilon));
      const gain = scale == null ? invStd : tf.mul(scale, invStd);
      return {
        x: () => tf.mul(d, gain),
        mean: () => tf.neg(tf.mul(gain, sumDy)),
        variance: () => tf.mul(tf.mul(gain, tf.square(invStd)), tf.mul(sumDyXm, -0.5)),
        scale: () => tf.mul(sumDyXm, invStd),
        offset: () => sumDy,
      };
    },
  },
];

const registered = new Set<string>();

/** Registers the overrides once; tfjs's gradients stay in place for other backends and cases. */
export function registerWasmGradients(): void {
  for (const { kernelName, inputsToSave, ours } of OVERRIDES) {
    if (registered.has(kernelName)) continue;
    const tfjs = tf.getGradient(kernelName);
    if (tfjs == null) throw new Error(`tfjs registers no gradient for '${kernelName}'`);
    tf.registerGradient({
      kernelName,
      inputsToSave,
      gradFunc: (dy, saved, attrs: Attrs) => {
        const float = (dy as tf.Tensor).dtype === 'float32';
        const own = tf.getBackend() === 'wasm' && float ? ours(dy, saved, attrs) : undefined;
        return own ?? tfjs.gradFunc(dy, saved, attrs);
      },
    });
    registered.add(kernelName);
  }
}
