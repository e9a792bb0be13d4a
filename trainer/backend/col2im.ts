/** Geometry of a 2-D convolution over NHWC data, stride and padding per axis. */
export interface ConvGeometry {
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

/**
 * Adds patch rows back onto dx (which the caller zeroes): cols has one row per output pixel (n, i, j) of batch
 * items [n0, n1) and columns (kh, kw, c), as dy x w^T gives them; the adjoint of gathering those patches.
 */
export function col2im(cols: Float32Array, g: ConvGeometry, n0: number, n1: number, dx: Float32Array): void {
  const { h, w, c, kh, kw, sh, sw, padTop, padLeft, ho, wo } = g;
  let d = 0;
  for (let n = n0; n < n1; n++) {
    for (let i = 0; i < ho; i++) {
      for (let j = 0; j < wo; j++) {
        for (let a = 0; a < kh; a++) {
          const y = i * sh - padTop + a;
          const rowOk = y >= 0 && y < h;
          for (let b = 0; b < kw; b++) {
            const xx = j * sw - padLeft + b;
            if (rowOk && xx >= 0 && xx < w) {
              const dst = ((n * h + y) * w + xx) * c;
              for (let k = 0; k < c; k++) dx[dst + k]! += cols[d + k]!;
            }
            d += c;
          }
        }
      }
    }
  }
}
