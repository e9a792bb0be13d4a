/** Latent batches: per-step z (and class labels for conditional G), and the fixed inputs of sample grids. */
import * as tf from '@tensorflow/tfjs';
import { Rng, Stream } from './data/rng.ts';

export function latentBatch(seed: number, step: number, n: number, dim: number): tf.Tensor2D {
  return tf.tensor2d(new Rng(seed, Stream.latent, step).normals(n * dim), [n, dim]);
}

/** The same z for every sample grid of a run, so the gallery shows one set of samples evolving. */
export function fixedLatents(seed: number, n: number, dim: number): tf.Tensor2D {
  return tf.tensor2d(new Rng(seed, Stream.fixedLatent).normals(n * dim), [n, dim]);
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
