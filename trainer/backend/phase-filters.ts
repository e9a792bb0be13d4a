/**
 * The sub-filter of one output phase for a phase-split conv2d input gradient: taps k0, k0 + s, ... of w
 * [kh, kw, cin, cout], reversed and with channels swapped to [th, tw, cout, cin], so the phase is a plain
 * stride-1 correlation of dy with it. Written straight into `out` (one JS pass; tf reverse/stridedSlice cost more).
 */
export function phaseFilter(
  w: Float32Array,
  shape: [number, number, number, number],
  row: { k0: number; taps: number; s: number },
  col: { k0: number; taps: number; s: number },
  out: Float32Array,
): void {
  const [, kw, cin, cout] = shape;
  let d = 0;
  for (let u = 0; u < row.taps; u++) {
    const a = row.k0 + (row.taps - 1 - u) * row.s;
    for (let v = 0; v < col.taps; v++) {
      const b = col.k0 + (col.taps - 1 - v) * col.s;
      const base = (a * kw + b) * cin * cout;
      for (let o = 0; o < cout; o++) {
        for (let c = 0; c < cin; c++) out[d++] = w[base + c * cout + o]!;
      }
    }
  }
}
