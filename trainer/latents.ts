/** Latent batches: per-step z (and class labels for conditional G), and the fixed inputs of sample grids. */
import * as tf from '@tensorflow/tfjs';
import type { LatentNoise } from '../shared/latent.ts';
import { Rng, Stream } from './data/rng.ts';
import type { LatentCodes, PoseRange } from './gan.ts';

/** n values of z from `rng`: standard normal, or uniform in [-1, 1]. */
export function latentValues(rng: Rng, n: number, noise: LatentNoise = 'normal'): Float32Array {
  if (noise === 'normal') return rng.normals(n);
  return Float32Array.from({ length: n }, () => 2 * rng.uniform() - 1);
}

/**
 * n standard-normal values redrawn while beyond +-threshold: the truncated normal of BigGAN's truncation
 * trick (a lower threshold: less variety, samples nearer the mode). Same draws as latentValues below the
 * threshold, so a large threshold gives the untruncated z.
 */
export function truncatedNormals(rng: Rng, n: number, threshold: number): Float32Array {
  if (!(threshold > 0)) throw new Error(`truncation threshold must be above 0, got ${threshold}`);
  const out = rng.normals(n);
  for (let i = 0; i < n; i++) {
    // P(|z| > t) < 1 for any t > 0, so this ends; for t = 0.05 it takes ~25 draws a value.
    while (Math.abs(out[i]!) > threshold) out[i] = rng.normal();
  }
  return out;
}

export function latentBatch(
  seed: number,
  step: number,
  n: number,
  dim: number,
  noise?: LatentNoise,
): tf.Tensor2D {
  return tf.tensor2d(latentValues(new Rng(seed, Stream.latent, step), n * dim, noise), [n, dim]);
}

/** The same z for every sample grid of a run, so the gallery shows one set of samples evolving. */
export function fixedLatents(seed: number, n: number, dim: number, noise?: LatentNoise): tf.Tensor2D {
  return tf.tensor2d(latentValues(new Rng(seed, Stream.fixedLatent), n * dim, noise), [n, dim]);
}

/** Class ids as a float32 one-hot [N, classes], the label input of a conditional generator. */
export function oneHotLabels(ids: ArrayLike<number>, classes: number): tf.Tensor2D {
  const values = new Float32Array(ids.length * classes);
  for (let i = 0; i < ids.length; i++) {
    const c = ids[i]!;
    if (!Number.isInteger(c) || c < 0 || c >= classes)
      throw new Error(`class id ${c} is outside 0..${classes - 1}`);
    values[i * classes + c] = 1;
  }
  return tf.tensor2d(values, [ids.length, classes]);
}

/** Uniform class ids for a step's generated batch, from (seed, step) alone so a resumed run draws the same. */
export function labelIds(seed: number, step: number, n: number, classes: number): Int32Array {
  const rng = new Rng(seed, Stream.fakeLabel, step);
  return Int32Array.from({ length: n }, () => rng.int(classes));
}

export function labelBatch(seed: number, step: number, n: number, classes: number): tf.Tensor2D {
  return oneHotLabels(labelIds(seed, step, n, classes), classes);
}

/**
 * Latent codes as G's second input: row i is one-hot(categorical[i]) followed by the continuous codes of
 * row i (each in [-1, 1]); `continuous` holds n x codes.continuous values.
 */
export function codeTensor(
  categorical: ArrayLike<number>,
  continuous: ArrayLike<number>,
  codes: LatentCodes,
): tf.Tensor2D {
  const n = categorical.length;
  const width = codes.categorical + codes.continuous;
  if (continuous.length !== n * codes.continuous)
    throw new Error(`${continuous.length} continuous code values for ${n} rows of ${codes.continuous}`);
  const values = new Float32Array(n * width);
  for (let i = 0; i < n; i++) {
    const c = categorical[i]!;
    if (!Number.isInteger(c) || c < 0 || c >= codes.categorical)
      throw new Error(`categorical code ${c} is outside 0..${codes.categorical - 1}`);
    values[i * width + c] = 1;
    for (let j = 0; j < codes.continuous; j++)
      values[i * width + codes.categorical + j] = continuous[i * codes.continuous + j]!;
  }
  return tf.tensor2d(values, [n, width]);
}

/** A step's codes: uniform categories and uniform [-1, 1] continuous codes, from (seed, step) alone. */
export function codeBatch(seed: number, step: number, n: number, codes: LatentCodes): tf.Tensor2D {
  const rng = new Rng(seed, Stream.code, step);
  const categorical = Int32Array.from({ length: n }, () => rng.int(codes.categorical));
  const continuous = Float32Array.from({ length: n * codes.continuous }, () => 2 * rng.uniform() - 1);
  return codeTensor(categorical, continuous, codes);
}

/** Poses [n, 2] (azimuth, elevation in degrees) uniform over `range`, from (seed, step) alone. */
export function poseBatch(seed: number, step: number, n: number, range: PoseRange): tf.Tensor2D {
  const rng = new Rng(seed, Stream.pose, step);
  const values = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    values[2 * i] = range.azimuth[0] + (range.azimuth[1] - range.azimuth[0]) * rng.uniform();
    values[2 * i + 1] = range.elevation[0] + (range.elevation[1] - range.elevation[0]) * rng.uniform();
  }
  return tf.tensor2d(values, [n, 2]);
}

/**
 * The fixed pose grid of a pose-taking generator's gallery: `rows` x `columns` poses, row-major, each row
 * sweeping the azimuth range in equal steps (the end left out when it is a full turn) at the middle elevation.
 */
export function poseSweep(range: PoseRange, rows: number, columns: number): tf.Tensor2D {
  const [a0, a1] = range.azimuth;
  const fullTurn = a1 - a0 >= 360;
  const step = (a1 - a0) / (fullTurn ? columns : Math.max(1, columns - 1));
  const elevation = (range.elevation[0] + range.elevation[1]) / 2;
  const values = new Float32Array(2 * rows * columns);
  for (let i = 0; i < rows * columns; i++) values.set([a0 + (i % columns) * step, elevation], 2 * i);
  return tf.tensor2d(values, [rows * columns, 2]);
}
