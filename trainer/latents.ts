/** Latent batches: per-step z, and the fixed z every sample grid of a run is drawn from. */
import * as tf from '@tensorflow/tfjs';
import { Rng, Stream } from './data/rng.ts';

export function latentBatch(seed: number, step: number, n: number, dim: number): tf.Tensor2D {
  return tf.tensor2d(new Rng(seed, Stream.latent, step).normals(n * dim), [n, dim]);
}

/** The same z for every sample grid of a run, so the gallery shows one set of samples evolving. */
export function fixedLatents(seed: number, n: number, dim: number): tf.Tensor2D {
  return tf.tensor2d(new Rng(seed, Stream.fixedLatent).normals(n * dim), [n, dim]);
}
