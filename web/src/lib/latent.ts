/**
 * Latent vectors for the playground, drawn as the run's trainer drew z (standard normal, or uniform in
 * [-1, 1] where the spec says so), reproducible from a seed, interpolated along the sphere, optionally
 * truncated.
 */
import { seededRandom } from '../../../shared/random.ts';

export { seededRandom };

/**
 * `dim` standard-normal values from `seed` (Box-Muller). With a truncation threshold, values beyond it are
 * drawn again (the truncation trick): less variety, higher fidelity.
 */
export function normalVector(seed: number, dim: number, truncation?: number): Float32Array {
  if (!Number.isInteger(dim) || dim < 1)
    throw new Error(`latent size must be a positive integer, not ${dim}`);
  if (truncation !== undefined && !(truncation > 0))
    throw new Error(`truncation must be above 0, not ${truncation}`);
  const random = seededRandom(seed);
  const normal = () => {
    const u = 1 - random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
  const out = new Float32Array(dim);
  for (let i = 0; i < dim; i++) {
    let v = normal();
    for (let tries = 0; truncation !== undefined && Math.abs(v) > truncation && tries < 1000; tries++)
      v = normal();
    out[i] = v;
  }
  return out;
}

/** `dim` values uniform in [-1, 1] from `seed`. */
export function uniformVector(seed: number, dim: number): Float32Array {
  if (!Number.isInteger(dim) || dim < 1)
    throw new Error(`latent size must be a positive integer, not ${dim}`);
  const random = seededRandom(seed);
  return Float32Array.from({ length: dim }, () => 2 * random() - 1);
}

/** Spherical interpolation (falls back to linear when the vectors are nearly parallel). */
export function slerp(a: Float32Array, b: Float32Array, t: number): Float32Array {
  if (a.length !== b.length)
    throw new Error(`cannot interpolate vectors of sizes ${a.length} and ${b.length}`);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  const cos = Math.min(1, Math.max(-1, dot / (Math.sqrt(na * nb) || 1)));
  const omega = Math.acos(cos);
  const out = new Float32Array(a.length);
  if (Math.abs(Math.sin(omega)) < 1e-6) {
    for (let i = 0; i < a.length; i++) out[i] = (1 - t) * a[i]! + t * b[i]!;
    return out;
  }
  const wa = Math.sin((1 - t) * omega) / Math.sin(omega);
  const wb = Math.sin(t * omega) / Math.sin(omega);
  for (let i = 0; i < a.length; i++) out[i] = wa * a[i]! + wb * b[i]!;
  return out;
}
