/**
 * Bicubic resampling (tfjs has none; its resizeBilinear is bilinear and does not filter when it shrinks).
 * Keys' cubic kernel with a = -0.5; output pixel o samples input coordinate (o + 0.5) * in/out - 0.5 (pixel
 * centres aligned); when shrinking, the kernel is stretched by the factor so it also low-pass filters (the
 * antialiased bicubic of MATLAB's imresize and PIL); taps past an edge read the edge pixel, and each output's
 * weights are normalised to sum 1. Separable: rows, then columns.
 */

const A = -0.5;

/** Keys' cubic convolution kernel at distance t. */
export function cubic(t: number): number {
  const x = Math.abs(t);
  if (x <= 1) return (A + 2) * x ** 3 - (A + 3) * x ** 2 + 1;
  if (x < 2) return A * x ** 3 - 5 * A * x ** 2 + 8 * A * x - 4 * A;
  return 0;
}

/** The [outSize, inSize] matrix taking a line of inSize samples to outSize, row by row. */
export function bicubicMatrix(inSize: number, outSize: number): Float64Array {
  if (!Number.isInteger(inSize) || !Number.isInteger(outSize) || inSize < 1 || outSize < 1)
    throw new Error(`bicubic: sizes must be positive integers, got ${inSize} -> ${outSize}`);
  const scale = inSize / outSize;
  const stretch = Math.max(1, scale);
  const m = new Float64Array(outSize * inSize);
  for (let o = 0; o < outSize; o++) {
    const centre = (o + 0.5) * scale - 0.5;
    const first = Math.floor(centre - 2 * stretch) + 1;
    const last = Math.ceil(centre + 2 * stretch) - 1;
    let sum = 0;
    for (let i = first; i <= last; i++) {
      const wt = cubic((centre - i) / stretch);
      m[o * inSize + Math.min(inSize - 1, Math.max(0, i))]! += wt;
      sum += wt;
    }
    for (let i = 0; i < inSize; i++) m[o * inSize + i]! /= sum;
  }
  return m;
}

/** [h, w, c] values (row-major, channels last) resized to [height, width, c]. */
export function resizeBicubic(
  values: ArrayLike<number>,
  [h, w, c]: readonly [number, number, number],
  [height, width]: readonly [number, number],
): Float32Array {
  if (values.length !== h * w * c)
    throw new Error(`bicubic: ${values.length} values are not an image of ${h}x${w}x${c}`);
  const rows = bicubicMatrix(h, height);
  const cols = bicubicMatrix(w, width);
  // Columns first: [h, w, c] -> [h, width, c].
  const mid = new Float64Array(h * width * c);
  for (let y = 0; y < h; y++)
    for (let o = 0; o < width; o++)
      for (let i = 0; i < w; i++) {
        const wt = cols[o * w + i]!;
        if (wt === 0) continue;
        for (let k = 0; k < c; k++) mid[(y * width + o) * c + k]! += wt * values[(y * w + i) * c + k]!;
      }
  const out = new Float32Array(height * width * c);
  for (let o = 0; o < height; o++)
    for (let i = 0; i < h; i++) {
      const wt = rows[o * h + i]!;
      if (wt === 0) continue;
      for (let p = 0; p < width * c; p++) out[o * width * c + p]! += wt * mid[i * width * c + p]!;
    }
  return out;
}

/** n images [n, h, w, c] resized each to [height, width, c]. */
export function resizeBicubicBatch(
  values: Float32Array,
  shape: readonly [number, number, number],
  size: readonly [number, number],
): Float32Array {
  const per = shape[0] * shape[1] * shape[2];
  const n = values.length / per;
  const outPer = size[0] * size[1] * shape[2];
  const out = new Float32Array(n * outPer);
  for (let i = 0; i < n; i++)
    out.set(resizeBicubic(values.subarray(i * per, (i + 1) * per), shape, size), i * outPer);
  return out;
}
