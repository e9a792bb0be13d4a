import * as tf from '@tensorflow/tfjs';
import { conv2dIgemm } from './conv2d.ts';
import { heapKernels } from './heap-kernels.ts';
import { allocF32, heapF32 } from './wasm-heap.ts';

/**
 * Faster routes for element-wise and reduction kernels that wasm runs slowly at training shapes (batch 64,
 * [64,14,14,64]): Sum/Mean over the leading axes (every bias and batch-norm gradient), LeakyRelu, Identity, Cast,
 * FusedBatchNorm.
 * Anything else goes to wasm's own kernel.
 */

type HeapBackend = tf.KernelBackend & { incRef(dataId: tf.DataId): void };
type Args = Parameters<tf.KernelFunc>[0];
type FastPath = (args: Args, backend: HeapBackend) => tf.TensorInfo | undefined;

/**
 * Sum or mean over the leading axes (every bias and batch-norm gradient) as one SIMD pass over the wasm
 * heap, accumulating in float64 (heap-kernels.ts; 0.4 ms at [12544, 64]): wasm's own reduction transposes
 * first (5.6 ms), a JS loop took 1.6 ms, and a matMul with a row of ones packs the whole operand every call.
 */
function reduceLeading(args: Args, backend: HeapBackend, mean: boolean): tf.TensorInfo | undefined {
  const heap = heapKernels();
  const x = args.inputs.x!;
  const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims: boolean };
  if (heap == null || x.dtype !== 'float32' || x.shape.length < 2) return undefined;
  const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
  if (axes.length === 0) return undefined;
  const last = axes.at(-1)!;
  // Axes of size 1 before the last reduced one change nothing (A^T b's sum over axis 1 of [1, k, m]).
  const leading = x.shape.slice(0, last + 1).every((d, i) => axes.includes(i) || d === 1);
  if (last >= x.shape.length - 1 || !leading) return undefined;
  const rows = axes.reduce((p, a) => p * x.shape[a]!, 1);
  const innerShape = x.shape.slice(last + 1);
  const inner = innerShape.reduce((p, d) => p * d, 1);
  const kept = x.shape.slice(0, last + 1).map((d, i) => (axes.includes(i) ? 1 : d));
  const out = allocF32(
    backend,
    keepDims ? [...kept, ...innerShape] : [...kept.filter((_, i) => !axes.includes(i)), ...innerShape],
  );
  heap.sumRows(x, out, rows, inner, mean ? 1 / rows : 1);
  return out;
}

/** The input itself, shared: tensors are immutable, so wasm's copy (278 calls a DCGAN step) buys nothing. */
const identity: FastPath = (args, backend) => {
  const x = args.inputs.x!;
  if (x.dtype === 'string') return undefined;
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
};

/** A cast to the dtype it has: the input, shared (ReLU's gradient casts its float32 mask; wasm copies it). */
const cast: FastPath = (args, backend) =>
  args.inputs.x!.dtype === (args.attrs as { dtype: tf.DataType }).dtype ? identity(args, backend) : undefined;

/** One SIMD pass on the heap (heap-kernels.ts) instead of wasm's LeakyRelu (5.1 ms at [64,14,14,64]). */
const leakyRelu: FastPath = (args, backend) => {
  const heap = heapKernels();
  const x = args.inputs.x!;
  if (heap == null || x.dtype !== 'float32') return undefined;
  const out = allocF32(backend, x.shape);
  heap.leakyRelu(x, out, (args.attrs as { alpha: number }).alpha);
  return out;
};

/**
 * Batch norm with statistics over the last axis as one SIMD pass on the heap: wasm's kernel takes 2.7 ms at
 * [64,7,7,128], a per-element loop. Per-channel factors in float64, then float32.
 */
const batchNorm: FastPath = (args, backend) => {
  const heap = heapKernels();
  const { x, mean, variance, offset, scale } = args.inputs;
  const c = x!.shape.at(-1)!;
  const perChannel = [mean, variance, offset, scale].every(
    (t) => t == null || (t.dtype === 'float32' && tf.util.sizeFromShape(t.shape) === c),
  );
  if (heap == null || x!.dtype !== 'float32' || !perChannel) return undefined;
  const eps = (args.attrs as { varianceEpsilon: number }).varianceEpsilon;
  const out = allocF32(backend, x!.shape);
  // Copies of the small inputs: the heap kernel allocates, which may move views.
  const [m, v, o, s] = [mean, variance, offset, scale].map((t) =>
    t == null ? undefined : heapF32(backend, t).slice(),
  );
  const a = new Float32Array(c).map((_, k) => (s?.[k] ?? 1) / Math.sqrt(v![k]! + eps));
  heap.channelAffine(x!, out, { mean: m!, a, b: o ?? new Float32Array(c) });
  return out;
};

export const FAST_PATHS: Record<string, FastPath> = {
  Sum: (args, backend) => reduceLeading(args, backend, false),
  Mean: (args, backend) => reduceLeading(args, backend, true),
  LeakyRelu: leakyRelu,
  Identity: identity,
  Cast: cast,
  FusedBatchNorm: batchNorm,
  Conv2D: conv2dIgemm,
  FusedConv2D: conv2dIgemm,
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
