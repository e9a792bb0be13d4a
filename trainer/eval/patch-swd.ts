/**
 * Patch statistics of images, compared: the sliced Wasserstein distance between the distributions of their
 * square patches (every `patch` x `patch` x C window, as a vector), estimated along random unit directions:
 * for each, the two sets' projections are sorted and the mean absolute difference of matching quantiles
 * taken; the distance is the mean over directions. No learned features: it asks whether generated images
 * are made of the image's patches in the image's proportions, SinGAN's claim. Two sets drawn from the same
 * patches score near 0 (the sampling's noise); different patches, or the same ones in other proportions, more.
 */
import { Rng } from '../data/rng.ts';

export interface PatchSet {
  /** [N, H, W, C] values. */
  values: Float32Array;
  shape: [number, number, number, number];
}

export interface PatchSwdOptions {
  patch: number;
  projections: number;
  /** Patches drawn from each set (positions uniformly at random, with replacement). */
  patches: number;
  seed: number;
}

export const PATCH_SWD_DEFAULTS: Omit<PatchSwdOptions, 'seed'> = { patch: 7, projections: 64, patches: 4096 };

/** `count` random patches of `set`, each projected on every direction: [projections][count]. */
function projected(set: PatchSet, directions: Float32Array[], o: PatchSwdOptions, rng: Rng): Float32Array[] {
  const [n, h, w, c] = set.shape;
  if (h < o.patch || w < o.patch)
    throw new Error(`patch SWD: ${h}x${w} images are smaller than ${o.patch}px patches`);
  const out = directions.map(() => new Float32Array(o.patches));
  const vector = new Float32Array(o.patch * o.patch * c);
  for (let p = 0; p < o.patches; p++) {
    const i = rng.int(n);
    const top = rng.int(h - o.patch + 1);
    const left = rng.int(w - o.patch + 1);
    for (let y = 0; y < o.patch; y++) {
      const from = ((i * h + top + y) * w + left) * c;
      vector.set(set.values.subarray(from, from + o.patch * c), y * o.patch * c);
    }
    directions.forEach((d, k) => {
      let dot = 0;
      for (let j = 0; j < vector.length; j++) dot += vector[j]! * d[j]!;
      out[k]![p] = dot;
    });
  }
  for (const column of out) column.sort();
  return out;
}

export function patchSwd(a: PatchSet, b: PatchSet, options: PatchSwdOptions): number {
  if (a.shape[3] !== b.shape[3]) throw new Error(`patch SWD: ${a.shape[3]} and ${b.shape[3]} channels`);
  const dim = options.patch * options.patch * a.shape[3];
  const rng = new Rng(options.seed);
  const directions = Array.from({ length: options.projections }, () => {
    const d = rng.normals(dim);
    const norm = Math.hypot(...d);
    return d.map((v) => v / norm);
  });
  const pa = projected(a, directions, options, rng);
  const pb = projected(b, directions, options, rng);
  let sum = 0;
  for (let k = 0; k < directions.length; k++)
    for (let p = 0; p < options.patches; p++) sum += Math.abs(pa[k]![p]! - pb[k]![p]!);
  return sum / (directions.length * options.patches);
}

/**
 * Sample diversity as the SinGAN paper measures it: the standard deviation of each pixel over the samples,
 * averaged over pixels and channels, divided by the standard deviation of the image's own pixels.
 */
export function diversity(samples: PatchSet, image: PatchSet): number {
  const [n, h, w, c] = samples.shape;
  const size = h * w * c;
  let sd = 0;
  for (let j = 0; j < size; j++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += samples.values[i * size + j]!;
    mean /= n;
    let v = 0;
    for (let i = 0; i < n; i++) v += (samples.values[i * size + j]! - mean) ** 2;
    sd += Math.sqrt(v / n);
  }
  const pixels = image.values;
  const mean = pixels.reduce((s, v) => s + v, 0) / pixels.length;
  const imageSd = Math.sqrt(pixels.reduce((s, v) => s + (v - mean) ** 2, 0) / pixels.length);
  return sd / size / imageSd;
}
