/**
 * The DCGAN paper's two looks into the latent space, as pictures in the run folder:
 * - interpolation: rows of G(slerp(z_a, z_b, t)) for t from 0 to 1;
 * - z arithmetic: class-mean latents (the mean z of samples the classifier puts in each class) used as
 *   directions: row c shows G(z_i - mean[class(z_i)] + mean[c]) for a few source latents z_i.
 */
import * as tf from '@tensorflow/tfjs';
import type { LatentNoise } from '../../shared/latent.ts';
import { Rng, Stream } from '../data/rng.ts';
import { latentValues } from '../latents.ts';
import { imageGrid } from '../render/grid.ts';
import { encodePng } from '../render/png.ts';
import { IMAGE_SHAPE, predict } from './classifier.ts';

/** Spherical interpolation, the usual path between Gaussian latents (keeps the norm typical). */
export function slerp(a: Float32Array, b: Float32Array, t: number): Float32Array {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! ** 2;
    nb += b[i]! ** 2;
  }
  const omega = Math.acos(Math.min(1, Math.max(-1, dot / Math.sqrt(na * nb))));
  const out = new Float32Array(a.length);
  const s = Math.sin(omega);
  for (let i = 0; i < a.length; i++) {
    out[i] =
      s < 1e-6
        ? (1 - t) * a[i]! + t * b[i]!
        : (Math.sin((1 - t) * omega) * a[i]! + Math.sin(t * omega) * b[i]!) / s;
  }
  return out;
}

function render(generator: tf.LayersModel, latents: Float32Array[], columns: number): Uint8Array {
  const dim = latents[0]!.length;
  const z = new Float32Array(latents.length * dim);
  for (const [i, l] of latents.entries()) z.set(l, i * dim);
  const out = tf.tidy(() => generator.predict(tf.tensor2d(z, [latents.length, dim])) as tf.Tensor);
  const [n, h, w, c] = out.shape as [number, number, number, number];
  const png = encodePng(imageGrid(out.dataSync() as Float32Array, n, h, w, c, columns));
  out.dispose();
  return png;
}

export function interpolationGrid(
  generator: tf.LayersModel,
  latentDim: number,
  seed: number,
  noise: LatentNoise = 'normal',
  rows = 8,
  steps = 10,
): Uint8Array {
  const rng = new Rng(seed, Stream.eval, 7);
  const latents: Float32Array[] = [];
  for (let r = 0; r < rows; r++) {
    const a = latentValues(rng, latentDim, noise);
    const b = latentValues(rng, latentDim, noise);
    for (let s = 0; s < steps; s++) latents.push(slerp(a, b, s / (steps - 1)));
  }
  return render(generator, latents, steps);
}

export interface ArithmeticGrid {
  png: Uint8Array;
  /** How many of the `pool` samples fell in each class (a class with none gets no row). */
  classCounts: number[];
}

export function arithmeticGrid(
  generator: tf.LayersModel,
  classifier: tf.LayersModel,
  latentDim: number,
  seed: number,
  noise: LatentNoise = 'normal',
  pool = 2000,
  sources = 8,
): ArithmeticGrid {
  const rng = new Rng(seed, Stream.eval, 8);
  const zs = Array.from({ length: pool }, () => latentValues(rng, latentDim, noise));
  const flat = new Float32Array(pool * latentDim);
  for (const [i, z] of zs.entries()) flat.set(z, i * latentDim);
  const images = tf.tidy(() => {
    const out = generator.predict(tf.tensor2d(flat, [pool, latentDim]), { batchSize: 500 }) as tf.Tensor;
    // A 32-pixel MNIST generator is classified on its central 28 x 28, as cFID judges it (classifierImages).
    const [, side] = out.shape as number[];
    const border = (side! - IMAGE_SHAPE[0]) / 2;
    if (border === 0) return out;
    return tf.slice(out, [0, border, border, 0], [-1, IMAGE_SHAPE[0], IMAGE_SHAPE[1], -1]);
  });
  const classes = predict(classifier, images);
  images.dispose();
  const counts = new Array(10).fill(0);
  const means = Array.from({ length: 10 }, () => new Float64Array(latentDim));
  zs.forEach((z, i) => {
    const c = classes[i]!;
    counts[c]++;
    for (let d = 0; d < latentDim; d++) means[c]![d]! += z[d]!;
  });
  for (const [c, m] of means.entries()) {
    for (let d = 0; d < latentDim; d++) m[d] = counts[c] ? m[d]! / counts[c] : 0;
  }
  const latents: Float32Array[] = [];
  for (let target = 0; target < 10; target++) {
    if (!counts[target]) continue;
    for (let s = 0; s < sources; s++) {
      const z = zs[s]!;
      const from = means[classes[s]!]!;
      latents.push(z.map((v, d) => v - from[d]! + means[target]![d]!));
    }
  }
  return { png: render(generator, latents, sources), classCounts: counts };
}
