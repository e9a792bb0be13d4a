import type * as tf from '@tensorflow/tfjs';
import { heapKernels } from './heap-kernels.ts';
import { heapF32 } from './wasm-heap.ts';

/**
 * The sub-filter of one output phase for a phase-split conv2d input gradient: taps k0, k0 + s, ... of w
 * [kh, kw, cin, cout], reversed and with channels swapped to [th, tw, cout, cin], so the phase is a plain
 * stride-1 correlation of dy with it. Written straight into `out`, a tap's [cin, cout] block transposed at a
 * time: by the heap kernels where they run (a JS loop took 2.5 ms for the wide layer's 5x5x64x128), else in JS.
 */
export function phaseFilter(
  backend: unknown,
  w: tf.TensorInfo,
  row: { k0: number; taps: number; s: number },
  col: { k0: number; taps: number; s: number },
  out: tf.TensorInfo,
): void {
  const [, kw, cin, cout] = w.shape as [number, number, number, number];
  const heap = heapKernels();
  const block = cin * cout;
  let d = 0;
  for (let u = 0; u < row.taps; u++) {
    const a = row.k0 + (row.taps - 1 - u) * row.s;
    for (let v = 0; v < col.taps; v++, d += block) {
      const b = col.k0 + (col.taps - 1 - v) * col.s;
      const base = (a * kw + b) * block;
      if (heap != null) heap.transposeBlock(w, base, out, d, cin, cout);
      else {
        const [src, dst] = [heapF32(backend, w), heapF32(backend, out)];
        for (let o = 0; o < cout; o++)
          for (let c = 0; c < cin; c++) dst[d + o * cin + c] = src[base + c * cout + o]!;
      }
    }
  }
}
