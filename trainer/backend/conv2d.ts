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

/**
 * Conv2D and FusedConv2D (bias, no activation) through the project's FMA indirect GEMM, for float32 NHWC
 * with input channels a multiple of 4 and output channels a multiple of 8 (every DCGAN-style layer but the
 * image layers); undefined otherwise, for wasm's own kernel. Every DCGAN conv, the phase split of its
 * transposed convs and the weight gradients (a dilated conv) come through here. Off until useIgemm.
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
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: cin, outChannels: cout } = info;
  const { outHeight: ho, outWidth: wo, filterHeight: kh, filterWidth: kw } = info;
  if (cin % 4 !== 0 || cout % COLS !== 0 || (bias != null && bias.shape.join() !== String(cout))) {
    return undefined;
  }
  const m = n * ho * wo;
  const taps = kh * kw;
  const k = taps * cin;
  if (m * k * cout < MIN_MACS || k > MAX_PATCH) return undefined;
  const blocks = Math.ceil(m / ROWS);
  // Allocate everything before taking heap views: an allocation can grow the heap and detach views.
  const out = allocF32(backend, [n, ho, wo, cout]);
  const packedB = allocF32(backend, [k * cout + ALIGN / 4]);
  const scratch = allocF32(backend, [(k + cout) * ROWS + ALIGN / 4]);
  const zeros = allocF32(backend, [Math.max(cin, cout)]);
  const indirection = backend.makeOutput([blocks * taps * ROWS], 'int32');
  try {
    const zv = heapF32(backend, zeros).fill(0);
    const bv = aligned(heapF32(backend, packedB));
    packFilter(heapF32(backend, filter!), k, cout, bv);
    fillIndirection(backend.typedArrayFromHeap(indirection), heapF32(backend, x!).byteOffset, zv.byteOffset, {
      n,
      h,
      w,
      cin,
      ho,
      wo,
      kh,
      kw,
      info,
    });
    igemm.run(
      backend.typedArrayFromHeap(indirection).byteOffset,
      taps,
      cin,
      bv.byteOffset,
      bias == null ? zv.byteOffset : heapF32(backend, bias).byteOffset,
      heapF32(backend, out).byteOffset,
      m,
      cout,
      aligned(heapF32(backend, scratch)).byteOffset,
    );
  } finally {
    for (const t of [packedB, scratch, zeros, indirection]) backend.disposeData(t.dataId);
  }
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
function fillIndirection(
  table: Int32Array,
  xAddress: number,
  zeroAddress: number,
  g: {
    n: number;
    h: number;
    w: number;
    cin: number;
    ho: number;
    wo: number;
    kh: number;
    kw: number;
    info: tf.backend_util.Conv2DInfo;
  },
): void {
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw, padInfo } = g.info;
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
          const ih = oh * sh - padInfo.top + fh * dh;
          const inRows = ih >= 0 && ih < g.h;
          const rowAddress = xAddress + (b * g.h + ih) * rowBytes;
          for (let fw = 0; fw < g.kw; fw++, p += ROWS) {
            const iw = ow * sw - padInfo.left + fw * dw;
            if (inRows && iw >= 0 && iw < g.w) table[p] = rowAddress + iw * pixelBytes;
          }
        }
      }
    }
  }
}
