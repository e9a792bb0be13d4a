import * as tf from '@tensorflow/tfjs';
import { igemmInUse } from './conv2d.ts';
import type { ConvGeometry } from './igemm.ts';
import { asTensor } from './tensor-info.ts';
import { allocF32, heapF32 } from './wasm-heap.ts';

type Args = Parameters<tf.KernelFunc>[0];

/** Multiply-adds per value copied in or out, k*n / (k+n), below which the route is not taken. */
const MIN_INTENSITY = 32;

type Attrs = { transposeA?: boolean; transposeB?: boolean; activation?: string };

/**
 * A single (batch 1) matMul through the project's FMA kernel as a 1x1 convolution, with a bias when fused
 * and no activation: a dense layer's forward pass and both gradients (transposeA, transposeB). B's
 * transpose is packed directly; a transposed A (a dense layer's input, small) is transposed first.
 * undefined where the kernel does not cover the product or the copies would eat the gain.
 */
export function matMulIgemm({ inputs, attrs, backend }: Args): tf.TensorInfo | undefined {
  const igemm = igemmInUse();
  const { a, b, bias, preluActivationWeights } = inputs;
  const { transposeA = false, transposeB = false, activation = 'linear' } = attrs as unknown as Attrs;
  if (igemm == null || a!.dtype !== 'float32' || b!.dtype !== 'float32') return undefined;
  if (activation !== 'linear' || preluActivationWeights != null) return undefined;
  const batch = (a!.shape.length >= b!.shape.length ? a! : b!).shape.slice(0, -2);
  if ([...a!.shape.slice(0, -2), ...b!.shape.slice(0, -2)].some((d) => d !== 1)) return undefined;
  const [ar, ac] = a!.shape.slice(-2) as [number, number];
  const [br, bc] = b!.shape.slice(-2) as [number, number];
  const m = transposeA ? ac : ar;
  const k = transposeA ? ar : ac;
  const n = transposeB ? br : bc;
  const g: ConvGeometry = {
    n: m,
    h: 1,
    w: 1,
    cin: k,
    ho: 1,
    wo: 1,
    kh: 1,
    kw: 1,
    cout: n,
    sh: 1,
    sw: 1,
    dh: 1,
    dw: 1,
    padTop: 0,
    padLeft: 0,
  };
  // Few multiply-adds per value copied in and out (col2im's [pixels, 32] x [32, 25]): the copies eat the gain.
  if (k * n < MIN_INTENSITY * (k + n) || !igemm.covers(g)) return undefined;
  if (bias != null && (bias.dtype !== 'float32' || tf.util.sizeFromShape(bias.shape) !== n)) return undefined;
  const kb = backend as tf.KernelBackend;
  const aRows = transposeA ? tf.tidy(() => tf.transpose(asTensor(a!, kb).reshape([ar, ac]))) : undefined;
  try {
    const out = allocF32(backend, [...batch, m, n]);
    // Views after the allocation, which may have grown (and so detached) the heap.
    const biasView = bias == null ? undefined : heapF32(backend, bias);
    igemm.conv(g, heapF32(backend, aRows ?? a!), heapF32(backend, b!), biasView, heapF32(backend, out), {
      filter: transposeB ? 'oi' : 'hwio',
    });
    return out;
  } finally {
    aRows?.dispose();
  }
}
