/** The quality metrics of GANS.md ("Quality metrics"), on plain arrays so they are testable without tfjs. */
import type { CfidResult, ModesResult } from '../../shared/evaluation.ts';
import type { Mixture } from '../data/toy2d.ts';
import { type FeatureMatrix, frechetDistance, type GaussianStats, gaussianStats } from './frechet.ts';

function statsOf(x: FeatureMatrix | GaussianStats): GaussianStats {
  return 'cov' in x ? x : gaussianStats(x);
}

/**
 * cFID: Fréchet distance between Gaussians fitted to classifier features of generated and held-out real
 * images. Takes features, or already fitted stats (the real side is the same for every run).
 */
export function cfid(
  generated: FeatureMatrix | GaussianStats,
  real: FeatureMatrix | GaussianStats,
): CfidResult {
  const g = statsOf(generated);
  const r = statsOf(real);
  return { value: frechetDistance(g, r), generatedSamples: g.n, realSamples: r.n, featureDim: g.d };
}

/** Count of each class id in 0..classes-1; ids outside that range are an error, not silently dropped. */
export function classHistogram(predictions: ArrayLike<number>, classes: number): number[] {
  const hist = new Array<number>(classes).fill(0);
  for (let i = 0; i < predictions.length; i++) {
    const c = predictions[i]!;
    if (!Number.isInteger(c) || c < 0 || c >= classes)
      throw new Error(`class id ${c} is outside 0..${classes - 1}`);
    hist[c]!++;
  }
  return hist;
}

/**
 * Classes that receive at least `minShare` of the samples. A bare count > 0 would call a class covered
 * for a handful of misclassified blobs among 10,000 samples; 1% is a tenth of a uniform share over 10.
 */
export function classesCovered(histogram: readonly number[], minShare = 0.01): number {
  const total = histogram.reduce((s, v) => s + v, 0);
  if (total === 0) return 0;
  return histogram.filter((v) => v > 0 && v / total >= minShare).length;
}

/** Fraction of samples the classifier assigns to the class the generator was asked for. */
export function classAccuracy(predictions: ArrayLike<number>, requested: ArrayLike<number>): number {
  if (predictions.length !== requested.length) {
    throw new Error(`${predictions.length} predictions but ${requested.length} requested labels`);
  }
  if (predictions.length === 0) return 0;
  let right = 0;
  for (let i = 0; i < predictions.length; i++) if (predictions[i] === requested[i]) right++;
  return right / predictions.length;
}

/** A sample is high quality within this many sigma of its nearest mode (GANS.md). */
export const HQ_SIGMAS = 3;

/**
 * A mode is covered when at least this share of all samples are high-quality samples nearest to it (GANS.md:
 * 25 of 2,500), so a few stray samples do not cover a mode.
 */
export const MODE_MIN_SHARE = 0.01;

/** High-quality samples a mode needs to count as covered, out of `samples` (at least one). */
export function modeMinSamples(samples: number, share = MODE_MIN_SHARE): number {
  return Math.max(1, Math.ceil(share * samples - 1e-9));
}

/** Modes covered and HQ% of 2D samples given as a flat [x0, y0, x1, y1, ...] array. */
export function modesAndHq(points: ArrayLike<number>, mixture: Mixture, hqSigmas = HQ_SIGMAS): ModesResult {
  if (points.length % 2 !== 0) throw new Error(`point data of ${points.length} values is not N x 2`);
  const samples = points.length / 2;
  const radius2 = (hqSigmas * mixture.sigma) ** 2;
  const hqPerMode = new Array<number>(mixture.modes.length).fill(0);
  let hqSamples = 0;
  for (let i = 0; i < samples; i++) {
    const x = points[2 * i]!;
    const y = points[2 * i + 1]!;
    let best = -1;
    let bestD2 = Number.POSITIVE_INFINITY;
    mixture.modes.forEach(([mx, my], k) => {
      const d2 = (x - mx) ** 2 + (y - my) ** 2;
      if (d2 < bestD2) {
        bestD2 = d2;
        best = k;
      }
    });
    // NaN coordinates never compare below the radius, so they count as low quality.
    if (best >= 0 && bestD2 <= radius2) {
      hqSamples++;
      hqPerMode[best]!++;
    }
  }
  const needed = modeMinSamples(samples);
  return {
    modesCovered: hqPerMode.filter((c) => c >= needed).length,
    modesTotal: mixture.modes.length,
    hqPercent: samples === 0 ? 0 : (100 * hqSamples) / samples,
    hqSamples,
    samples,
    hqPerMode,
  };
}
