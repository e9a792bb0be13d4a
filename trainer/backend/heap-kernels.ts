import type * as tf from '@tensorflow/tfjs';
import { addressOf } from './wasm-heap.ts';
import { compileKernel } from './wat.ts';

/**
 * Element-wise and reduction kernels in wasm SIMD that work in place on the wasm backend's own memory: no
 * copies in or out, on the calling thread. JS loops over the heap run at 2-4 ns an element here, wasm's SIMD
 * kernels near 0.6; these are the passes tfjs has no single kernel for.
 */
export interface HeapKernels {
  /** out[c] = scale * sum over rows r of x[r * inner + c], summed in float64. */
  sumRows(x: tf.TensorInfo, out: tf.TensorInfo, rows: number, inner: number, scale: number): void;
  /**
   * Batch norm with given statistics over the last axis (c channels): out = (x - mean) * a + b, with a =
   * scale / sqrt(variance + epsilon) and b the offset, per channel.
   */
  channelAffine(
    x: tf.TensorInfo,
    out: tf.TensorInfo,
    perChannel: { mean: Float32Array; a: Float32Array; b: Float32Array },
  ): void;
  /** out[outOffset + o*rows + r] = x[xOffset + r*cols + o]: a [rows, cols] block transposed (offsets in floats). */
  transposeBlock(
    x: tf.TensorInfo,
    xOffset: number,
    out: tf.TensorInfo,
    outOffset: number,
    rows: number,
    cols: number,
  ): void;
  /** out = x where x > 0, else alpha * x (NaN stays NaN). */
  leakyRelu(x: tf.TensorInfo, out: tf.TensorInfo, alpha: number): void;
  /**
   * One Adam update of a variable, in the order and float32 rounding of tfjs's AdamOptimizer: m' = m b1 +
   * g (1 - b1); s' = s b2 + g^2 (1 - b2); v' = (m'/c1) / (sqrt(s'/c2) + eps) * -lr + v, c1 and c2 the bias
   * corrections 1 - b1^t and 1 - b2^t.
   */
  adam(
    io: { v: tf.TensorInfo; m: tf.TensorInfo; s: tf.TensorInfo; g: tf.TensorInfo },
    out: { v: tf.TensorInfo; m: tf.TensorInfo; s: tf.TensorInfo },
    h: { beta1: number; beta2: number; c1: number; c2: number; epsilon: number; learningRate: number },
  ): void;
  /**
   * Adds patch rows back onto dx [n, h, w, c] (which the caller zeroes): cols has one row per output pixel
   * (n, i, j) of batch items [n0, n1) and columns (kh, kw, c), as dy x w^T gives them; the adjoint of
   * gathering those patches (a conv's input gradient).
   */
  col2im(cols: tf.TensorInfo, dx: tf.TensorInfo, g: PatchGeometry, n0: number, n1: number): void;
  /**
   * Copies x [outer, inner, pixel floats] into out with strides (in floats) between its outer and inner
   * steps, starting at offset: one output phase of a strided transposed conv into its place.
   */
  weave(
    x: tf.TensorInfo,
    out: tf.TensorInfo,
    at: {
      offset: number;
      outer: number;
      inner: number;
      pixel: number;
      outerStride: number;
      innerStride: number;
    },
  ): void;
}

/** Geometry of a 2-D convolution over NHWC data, stride and padding per axis. */
export interface PatchGeometry {
  h: number;
  w: number;
  c: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  padTop: number;
  padLeft: number;
  ho: number;
  wo: number;
}

interface Backend {
  wasm: { asm?: { memory?: WebAssembly.Memory }; _malloc(bytes: number): number; _free(at: number): void };
}

let kernels: HeapKernels | undefined;

/** The kernels in use, or undefined (another backend, or they could not be built). */
export function heapKernels(): HeapKernels | undefined {
  return kernels;
}

/** Turns the kernels on, or off with undefined (tests compare both routes). */
export function useHeapKernels(k: HeapKernels | undefined): void {
  kernels = k;
}

/** Builds the kernels on the wasm backend's memory, once per memory; a string says why they cannot run. */
export async function loadHeapKernels(backend: tf.KernelBackend): Promise<HeapKernels | string> {
  const wasm = (backend as unknown as Backend).wasm;
  const memory = wasm?.asm?.memory;
  if (!(memory instanceof WebAssembly.Memory)) return 'off: the wasm backend exports no memory';
  const cached = built.get(memory);
  if (cached != null) return cached;
  const module = await compileKernel('heap-kernels');
  if (typeof module === 'string') return `off: ${module}`;
  const e = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as Exports;
  const at = (info: tf.TensorInfo) => addressOf(backend, info);
  const made: HeapKernels = {
    sumRows(x, out, rows, inner, scale) {
      const acc = wasm._malloc(inner * 8);
      try {
        e.sumRows(at(x), at(out), acc, rows, inner, scale);
      } finally {
        wasm._free(acc);
      }
    },
    channelAffine(x, out, { mean, a, b }) {
      const c = mean.length;
      const vectors = wasm._malloc(12 * c);
      try {
        // A view after the allocation, which may have grown the memory.
        const f32 = new Float32Array(memory.buffer, vectors, 3 * c);
        f32.set(mean);
        f32.set(a, c);
        f32.set(b, 2 * c);
        e.channelAffine(at(x), at(out), vectors, sizeOf(x) / c, c);
      } finally {
        wasm._free(vectors);
      }
    },
    transposeBlock(x, xOffset, out, outOffset, rows, cols) {
      e.transposeBlock(at(x) + 4 * xOffset, at(out) + 4 * outOffset, rows, cols);
    },
    leakyRelu(x, out, alpha) {
      e.leakyRelu(at(x), at(out), sizeOf(x), Math.fround(alpha));
    },
    adam(io, out, h) {
      const f = Math.fround;
      e.adam(
        ...([io.v, io.m, io.s, io.g, out.v, out.m, out.s].map(at) as Seven),
        sizeOf(io.v),
        ...([h.beta1, 1 - h.beta1, h.beta2, 1 - h.beta2, h.c1, h.c2, h.epsilon, -h.learningRate].map(
          f,
        ) as Eight),
      );
    },
    col2im(cols, dx, g, n0, n1) {
      e.col2im(
        at(cols),
        at(dx),
        n0,
        n1,
        g.h,
        g.w,
        g.c,
        g.kh,
        g.kw,
        g.sh,
        g.sw,
        g.padTop,
        g.padLeft,
        g.ho,
        g.wo,
      );
    },
    weave(x, out, w) {
      e.weave(
        at(x),
        at(out) + 4 * w.offset,
        w.outer,
        w.inner,
        4 * w.pixel,
        4 * w.outerStride,
        4 * w.innerStride,
      );
    },
  };
  built.set(memory, made);
  return made;
}

const built = new WeakMap<WebAssembly.Memory, HeapKernels>();

const sizeOf = (info: tf.TensorInfo) => info.shape.reduce((p, d) => p * d, 1);

type Seven = [number, number, number, number, number, number, number];
type Eight = [number, number, number, number, number, number, number, number];
interface Exports {
  sumRows(x: number, out: number, acc: number, rows: number, inner: number, scale: number): void;
  leakyRelu(x: number, out: number, n: number, alpha: number): void;
  transposeBlock(x: number, out: number, rows: number, cols: number): void;
  channelAffine(x: number, out: number, vectors: number, pixels: number, c: number): void;
  adam(...args: [...Seven, number, ...Eight]): void;
  col2im(cols: number, dx: number, ...geometry: number[]): void;
  weave(
    x: number,
    out: number,
    outer: number,
    inner: number,
    bytes: number,
    outerStride: number,
    innerStride: number,
  ): void;
}
