import * as tf from '@tensorflow/tfjs';
import { COLS, type Igemm, ROWS } from './igemm.ts';
import { allocF32, heapF32 } from './wasm-heap.ts';

type Args = Parameters<tf.KernelFunc>[0];
type HeapBackend = tf.KernelBackend & {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Int32Array;
};
type Attrs = {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dilations: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  activation?: string;
};

let igemm: Igemm | undefined;

/** Turns the FMA route on (after the backend initialised, against its heap) or off. */
export function useIgemm(loaded: Igemm | undefined): void {
  igemm = loaded;
}

/**
 * Below this many multiply-adds, setting up (indirection table, packed filter) costs more than it saves; above
 * this many patch values per output row, a block's packed patches no longer stay in cache (the weight
 * gradient of an image layer: 12,544), and XNNPACK is faster.
 */
const MIN_MACS = 1 << 18;
const MAX_PATCH = 4096;

/** Bytes of alignment for the packed operands' vector loads. */
const ALIGN = 16;

/** A convolution as the GEMM sees it: x [n, h, w, cin] read through filter [kh, kw, cin, cout]. */
interface ConvGeometry {
  n: number;
  h: number;
  w: number;
  cin: number;
  ho: number;
  wo: number;
  kh: number;
  kw: number;
  cout: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  /** May be negative: the first output row then starts inside x. */
  padTop: number;
  padLeft: number;
}

/** Whether the FMA route is on and covers a conv of this geometry. */
function igemmCovers(g: ConvGeometry): boolean {
  const k = g.kh * g.kw * g.cin;
  return (
    igemm != null &&
    g.cin % 4 === 0 &&
    g.cout % COLS === 0 &&
    g.n * g.ho * g.wo * k * g.cout >= MIN_MACS &&
    k <= MAX_PATCH
  );
}

/** Runs a conv that igemmCovers into out [n, ho, wo, cout]; all float32 tensors on the heap. */
function runIgemmConv(
  backend: tf.KernelBackend,
  x: tf.TensorInfo,
  filter: tf.TensorInfo,
  bias: tf.TensorInfo | undefined,
  g: ConvGeometry,
  out: tf.TensorInfo,
): void {
  const heap = backend as HeapBackend;
  const m = g.n * g.ho * g.wo;
  const taps = g.kh * g.kw;
  const k = taps * g.cin;
  const blocks = Math.ceil(m / ROWS);
  // Allocate everything before taking heap views: an allocation can grow the heap and detach views.
  const packedB = allocF32(heap, [k * g.cout + ALIGN / 4]);
  // The packed patches of one block, then one row that rows past the end (or not written) are sent to.
  const scratch = allocF32(heap, [k * ROWS + g.cout + ALIGN / 4]);
  const zeros = allocF32(heap, [Math.max(g.cin, g.cout)]);
  const indirection = heap.makeOutput([blocks * taps * ROWS], 'int32');
  const outs = heap.makeOutput([blocks * ROWS], 'int32');
  try {
    const zv = heapF32(heap, zeros).fill(0);
    const bv = aligned(heapF32(heap, packedB));
    const sv = aligned(heapF32(heap, scratch));
    const dump = sv.byteOffset + k * ROWS * 4;
    packFilter(heapF32(heap, filter), k, g.cout, bv);
    const ind = heap.typedArrayFromHeap(indirection);
    fillIndirection(ind, heapF32(heap, x).byteOffset, zv.byteOffset, g);
    const ov = heap.typedArrayFromHeap(outs).fill(dump);
    const base = heapF32(heap, out).byteOffset;
    for (let row = 0; row < m; row++) ov[row] = base + row * g.cout * 4;
    igemm!.run(
      ind.byteOffset,
      taps,
      g.cin,
      bv.byteOffset,
      bias == null ? zv.byteOffset : heapF32(heap, bias).byteOffset,
      ov.byteOffset,
      m,
      g.cout,
      sv.byteOffset,
    );
  } finally {
    for (const t of [packedB, scratch, zeros, indirection, outs]) heap.disposeData(t.dataId);
  }
}

/**
 * Conv2D and FusedConv2D (bias, no activation) through the FMA route where igemmCovers, for float32 NHWC;
 * undefined otherwise, for wasm's own kernel. Every DCGAN conv but the image layers comes through here,
 * with the weight gradients (a dilated conv).
 */
export function conv2dIgemm(args: Args): tf.TensorInfo | undefined {
  if (igemm == null) return undefined;
  const { x, filter, bias, preluActivationWeights } = args.inputs;
  const attrs = args.attrs as unknown as Attrs;
  const backend = args.backend as HeapBackend;
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
  if (!igemmCovers(g) || (bias != null && bias.shape.join() !== String(g.cout))) return undefined;
  const out = allocF32(backend, [g.n, g.ho, g.wo, g.cout]);
  runIgemmConv(backend, x!, filter!, bias, g, out);
  return out;
}

function aligned(view: Float32Array): Float32Array {
  return view.subarray(((ALIGN - (view.byteOffset % ALIGN)) % ALIGN) / 4);
}

/** The filter [kh, kw, cin, cout] is B [k, cout] row-major; packed as [cout/8][k][8]. */
function packFilter(f: Float32Array, k: number, cout: number, dst: Float32Array): void {
  let d = 0;
  for (let j = 0; j < cout; j += COLS) {
    for (let s = j; s < k * cout; s += cout) {
      for (let c = 0; c < COLS; c++) dst[d++] = f[s + c]!;
    }
  }
}

/**
 * The address of each output row's input pixel for each tap, laid out [block][tap][row of 6]; taps that fall
 * in the padding (and the rows past the end in the last block) read zeros.
 */
function fillIndirection(table: Int32Array, xAddress: number, zeroAddress: number, g: ConvGeometry): void {
  const taps = g.kh * g.kw;
  const pixelBytes = g.cin * 4;
  const rowBytes = g.w * pixelBytes;
  table.fill(zeroAddress);
  let m = 0;
  for (let b = 0; b < g.n; b++) {
    for (let oh = 0; oh < g.ho; oh++) {
      for (let ow = 0; ow < g.wo; ow++, m++) {
        const block = (m / ROWS) | 0;
        let p = block * taps * ROWS + (m - block * ROWS);
        for (let fh = 0; fh < g.kh; fh++) {
          const ih = oh * g.sh - g.padTop + fh * g.dh;
          const inRows = ih >= 0 && ih < g.h;
          const rowAddress = xAddress + (b * g.h + ih) * rowBytes;
          for (let fw = 0; fw < g.kw; fw++, p += ROWS) {
            const iw = ow * g.sw - g.padLeft + fw * g.dw;
            if (inRows && iw >= 0 && iw < g.w) table[p] = rowAddress + iw * pixelBytes;
          }
        }
      }
    }
  }
}
