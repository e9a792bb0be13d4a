/**
 * Per-image reconstruction metrics of a translation against its target, images in [-1, 1] NHWC, each
 * averaged over the images:
 *   L1: mean |output - target| (in [-1, 1] units, as pix2pix's loss measures it).
 *   PSNR: 10 log10(peak^2 / MSE) with images read in [0, 1] (peak 1); an exact copy (MSE 0) counts as
 *     PSNR_CAP dB so a mean stays finite.
 *   SSIM (Wang et al. 2004): on [0, 1] images, an 11 x 11 Gaussian window (sigma 1.5) over every position
 *     where it fits, K1 0.01, K2 0.03, averaged over positions and channels.
 */

export const PSNR_CAP = 100;
const WINDOW = 11;
const SIGMA = 1.5;
const C1 = 0.01 ** 2;
const C2 = 0.03 ** 2;

export interface ReconstructionScores {
  l1: number;
  psnr: number;
  ssim: number;
}

/** The normalised 1D Gaussian the SSIM window is the outer product of. */
function gaussianWindow(size = WINDOW, sigma = SIGMA): Float64Array {
  const w = new Float64Array(size);
  const mid = (size - 1) / 2;
  for (let i = 0; i < size; i++) w[i] = Math.exp(-((i - mid) ** 2) / (2 * sigma * sigma));
  const sum = w.reduce((a, b) => a + b, 0);
  return w.map((v) => v / sum);
}

/**
 * SSIM of one image pair, channel `k` of [h, w, c] images already in [0, 1], with window `size` (at most the
 * image's side).
 */
export function ssimChannel(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  [h, w, c]: readonly number[],
  k: number,
  size = Math.min(WINDOW, h!, w!),
): number {
  const g = gaussianWindow(size, size === WINDOW ? SIGMA : (SIGMA * size) / WINDOW);
  let total = 0;
  let positions = 0;
  for (let y0 = 0; y0 + size <= h!; y0++)
    for (let x0 = 0; x0 + size <= w!; x0++) {
      let mx = 0;
      let my = 0;
      let xx = 0;
      let yy = 0;
      let xy = 0;
      for (let i = 0; i < size; i++)
        for (let j = 0; j < size; j++) {
          const wt = g[i]! * g[j]!;
          const p = ((y0 + i) * w! + x0 + j) * c! + k;
          const a = x[p]!;
          const b = y[p]!;
          mx += wt * a;
          my += wt * b;
          xx += wt * a * a;
          yy += wt * b * b;
          xy += wt * a * b;
        }
      const vx = xx - mx * mx;
      const vy = yy - my * my;
      const cov = xy - mx * my;
      total += ((2 * mx * my + C1) * (2 * cov + C2)) / ((mx * mx + my * my + C1) * (vx + vy + C2));
      positions++;
    }
  return total / positions;
}

/** L1, PSNR and SSIM of n outputs against n targets, [n, h, w, c] in [-1, 1], averaged over the images. */
export function reconstructionScores(
  outputs: Float32Array,
  targets: Float32Array,
  shape: readonly [number, number, number],
): ReconstructionScores {
  const [h, w, c] = shape;
  const per = h * w * c;
  if (outputs.length !== targets.length || outputs.length % per !== 0)
    throw new Error(
      `outputs (${outputs.length} values) and targets (${targets.length}) differ or are not [n, ${shape}]`,
    );
  const n = outputs.length / per;
  let l1 = 0;
  let psnr = 0;
  let ssim = 0;
  const a = new Float64Array(per);
  const b = new Float64Array(per);
  for (let i = 0; i < n; i++) {
    let abs = 0;
    let sq = 0;
    for (let p = 0; p < per; p++) {
      const o = outputs[i * per + p]!;
      const t = targets[i * per + p]!;
      abs += Math.abs(o - t);
      a[p] = (o + 1) / 2;
      b[p] = (t + 1) / 2;
      sq += (a[p]! - b[p]!) ** 2;
    }
    l1 += abs / per;
    const mse = sq / per;
    psnr += mse === 0 ? PSNR_CAP : Math.min(PSNR_CAP, 10 * Math.log10(1 / mse));
    let s = 0;
    for (let k = 0; k < c; k++) s += ssimChannel(a, b, shape, k);
    ssim += s / c;
  }
  return { l1: l1 / n, psnr: psnr / n, ssim: ssim / n };
}
