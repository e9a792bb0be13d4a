import * as tf from '@tensorflow/tfjs';
import { asTensor } from './tensor-info.ts';

/**
 * Faster routes for element-wise and reduction kernels that wasm runs slowly at training shapes (batch 64,
 * [64,14,14,64]): Sum/Mean over the leading axes (every bias and batch-norm gradient) and LeakyRelu.
 * Anything else goes to wasm's own kernel.
 */

type HeapBackend = tf.KernelBackend & {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
};
type Args = Parameters<tf.KernelFunc>[0];
type FastPath = (args: Args, backend: HeapBackend) => tf.TensorInfo | undefined;

/**
 * Sum or mean over exactly the leading axes as one matMul with a row of ones, which XNNPACK runs at GEMM
 * speed (0.3 ms at [12544, 64] against wasm's 5.6 ms reduction).
 */
function reduceLeading(args: Args, backend: HeapBackend, mean: boolean): tf.TensorInfo | undefined {
  const x = args.inputs.x!;
  const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims: boolean };
  if (x.dtype !== 'float32' || x.shape.length < 2) return undefined;
  const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
  if (axes.length >= x.shape.length || !axes.every((a, i) => a === i)) return undefined;
  const rows = axes.reduce((p, a) => p * x.shape[a]!, 1);
  const innerShape = x.shape.slice(axes.length);
  const inner = innerShape.reduce((p, d) => p * d, 1);
  const outShape = keepDims ? [...axes.map(() => 1), ...innerShape] : innerShape;
  return tf.tidy(() => {
    const flat = tf.reshape(asTensor(x, backend), [rows, inner]);
    const summed = tf.matMul(tf.fill([1, rows], mean ? 1 / rows : 1), flat);
    return tf.reshape(summed, outShape);
  });
}

/**
 * (1 - alpha) * relu(x) + alpha * x: four of wasm's fast element-wise kernels (~1.8 ms at [64,14,14,64])
 * instead of its LeakyRelu (5.1 ms) or Maximum (11.5 ms).
 */
const leakyRelu: FastPath = (args, backend) => {
  const x = args.inputs.x!;
  const alpha = (args.attrs as { alpha: number }).alpha;
  if (x.dtype !== 'float32') return undefined;
  return tf.tidy(() => {
    const xt = asTensor(x, backend);
    return tf.add(tf.mul(tf.relu(xt), 1 - alpha), tf.mul(xt, alpha));
  });
};

export const FAST_PATHS: Record<string, FastPath> = {
  Sum: (args, backend) => reduceLeading(args, backend, false),
  Mean: (args, backend) => reduceLeading(args, backend, true),
  LeakyRelu: leakyRelu,
};

const wrappers = new WeakSet<tf.KernelFunc>();

/** wasm's kernel `original`, tried after the fast path declines. */
export function withFastPath(original: tf.KernelConfig): tf.KernelConfig {
  const fast = FAST_PATHS[original.kernelName]!;
  const kernelFunc: tf.KernelFunc = (args) =>
    fast(args, args.backend as HeapBackend) ?? original.kernelFunc(args);
  wrappers.add(kernelFunc);
  return { ...original, kernelFunc };
}

export function isFastPathWrapper(config: tf.KernelConfig | undefined): boolean {
  return config != null && wrappers.has(config.kernelFunc);
}
