/**
 * InfoGAN's evaluation: how well the categorical code, learned without labels, picks the class, and what
 * each continuous code does.
 * - best-mapping accuracy: each code value is matched to one class (one-to-one, the assignment that agrees
 *   most often with the classifier's reading of the samples, found by the Hungarian method) and the share of
 *   samples whose class is the one their code maps to is reported;
 * - traversal grids: row r gives categorical code r, column j sets one continuous code to a value from -2
 *   to 2 (beyond the [-1, 1] of training, as the paper shows), everything else fixed.
 */
import * as tf from '@tensorflow/tfjs';
import type { BestMapping } from '../../shared/evaluation.ts';
import type { LatentNoise } from '../../shared/latent.ts';
import { Rng, Stream } from '../data/rng.ts';
import type { LatentCodes } from '../gan.ts';
import { codeTensor, latentValues } from '../latents.ts';
import { imageGrid } from '../render/grid.ts';
import { encodePng } from '../render/png.ts';

/**
 * Minimum-cost perfect matching of a square cost matrix (Hungarian method with potentials, O(n^3)).
 * Returns assignment[row] = column.
 */
export function minCostAssignment(cost: number[][]): number[] {
  const n = cost.length;
  if (cost.some((r) => r.length !== n)) throw new Error('minCostAssignment needs a square matrix');
  const u = new Array<number>(n + 1).fill(0);
  const v = new Array<number>(n + 1).fill(0);
  const p = new Array<number>(n + 1).fill(0); // p[column] = row matched to it (1-based, 0 = none)
  const way = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    const minv = new Array<number>(n + 1).fill(Number.POSITIVE_INFINITY);
    const used = new Array<boolean>(n + 1).fill(false);
    do {
      used[j0] = true;
      const i0 = p[j0]!;
      let delta = Number.POSITIVE_INFINITY;
      let j1 = 0;
      for (let j = 1; j <= n; j++) {
        if (used[j]) continue;
        const cur = cost[i0 - 1]![j - 1]! - u[i0]! - v[j]!;
        if (cur < minv[j]!) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j]! < delta) {
          delta = minv[j]!;
          j1 = j;
        }
      }
      for (let j = 0; j <= n; j++) {
        if (used[j]) {
          u[p[j]!] = u[p[j]!]! + delta;
          v[j] = v[j]! - delta;
        } else minv[j] = minv[j]! - delta;
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0]!;
      p[j0] = p[j1]!;
      j0 = j1;
    } while (j0 !== 0);
  }
  const assignment = new Array<number>(n).fill(-1);
  for (let j = 1; j <= n; j++) if (p[j]! > 0) assignment[p[j]! - 1] = j - 1;
  return assignment;
}

/** Best one-to-one mapping of code values 0..k-1 to classes 0..classes-1 by agreement counts. */
export function bestMappingAccuracy(
  codes: ArrayLike<number>,
  classesOf: ArrayLike<number>,
  k: number,
  classes: number,
): BestMapping {
  if (codes.length !== classesOf.length)
    throw new Error(`${codes.length} code values but ${classesOf.length} classes`);
  const confusion = Array.from({ length: k }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i]!;
    const y = classesOf[i]!;
    if (!Number.isInteger(c) || c < 0 || c >= k) throw new Error(`code value ${c} is outside 0..${k - 1}`);
    if (!Number.isInteger(y) || y < 0 || y >= classes)
      throw new Error(`class ${y} is outside 0..${classes - 1}`);
    confusion[c]![y]!++;
  }
  const n = Math.max(k, classes);
  const cost = Array.from({ length: n }, (_, r) =>
    Array.from({ length: n }, (_, c) => -(confusion[r]?.[c] ?? 0)),
  );
  const assignment = minCostAssignment(cost);
  const mapping = Array.from({ length: k }, (_, r) => (assignment[r]! < classes ? assignment[r]! : -1));
  const right = mapping.reduce((s, y, r) => s + (y >= 0 ? confusion[r]![y]! : 0), 0);
  return { accuracy: codes.length ? right / codes.length : 0, mapping, confusion, samples: codes.length };
}

/** The categorical code value of eval sample i: uniform over the values. */
export function evalCodeValue(i: number, codes: LatentCodes): number {
  return i % codes.categorical;
}

/** Continuous codes for n eval samples, uniform in [-1, 1] as in training, from Rng(seed, Stream.eval, 1). */
export function evalContinuousCodes(n: number, codes: LatentCodes, seed: number): Float32Array {
  const rng = new Rng(seed, Stream.eval, 1);
  return Float32Array.from({ length: n * codes.continuous }, () => 2 * rng.uniform() - 1);
}

export const TRAVERSAL_VALUES = [-2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2];

/** PNG of continuous code `index` traversed (columns) for each categorical value (rows), one fixed z. */
export function codeTraversalGrid(
  generator: tf.LayersModel,
  codes: LatentCodes,
  latentDim: number,
  index: number,
  seed: number,
  noise?: LatentNoise,
): Uint8Array {
  if (!Number.isInteger(index) || index < 0 || index >= codes.continuous)
    throw new Error(`continuous code ${index} is outside 0..${codes.continuous - 1}`);
  const columns = TRAVERSAL_VALUES.length;
  const n = codes.categorical * columns;
  const z0 = latentValues(new Rng(seed, Stream.eval, 2), latentDim, noise);
  const z = new Float32Array(n * latentDim);
  for (let i = 0; i < n; i++) z.set(z0, i * latentDim);
  const categorical = Int32Array.from({ length: n }, (_, i) => Math.floor(i / columns));
  const continuous = new Float32Array(n * codes.continuous);
  for (let i = 0; i < n; i++) continuous[i * codes.continuous + index] = TRAVERSAL_VALUES[i % columns]!;
  const out = tf.tidy(
    () =>
      generator.predict([
        tf.tensor2d(z, [n, latentDim]),
        codeTensor(categorical, continuous, codes),
      ]) as tf.Tensor,
  );
  const [, h, w, c] = out.shape as [number, number, number, number];
  const values = out.dataSync() as Float32Array;
  out.dispose();
  return encodePng(imageGrid(values, n, h, w, c, columns));
}
