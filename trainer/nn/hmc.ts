/**
 * Hamiltonian Monte Carlo over the rows of a [N, d] tensor: N independent chains, each with its own
 * Metropolis accept/reject, sharing one step size. Used by the Prescribed GAN to sample z ~ p(z | x).
 * Randomness (momenta, accept draws) comes from the caller's seeded Rng.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../data/rng.ts';

export interface HmcOptions {
  /** Leapfrog steps per transition. */
  leapfrogSteps: number;
  stepSize: number;
  /** Transitions run from the start point; the last state is returned. */
  iterations: number;
  rng: Rng;
}

export interface HmcResult {
  /** [N, d] last state of every chain (the caller disposes it). */
  samples: tf.Tensor2D;
  /** Accepted proposals / proposals, over all chains and transitions. */
  acceptance: number;
}

/**
 * `logDensity` maps [N, d] to the [N] unnormalised log densities of the rows; rows must not interact
 * (no batch statistics), since the gradient of the sum is used as every row's own gradient.
 */
export function hmc(
  logDensity: (z: tf.Tensor2D) => tf.Tensor1D,
  start: tf.Tensor2D,
  o: HmcOptions,
): HmcResult {
  if (!(o.stepSize > 0) || o.leapfrogSteps < 1 || o.iterations < 1)
    throw new Error(
      `hmc needs stepSize > 0, leapfrogSteps >= 1 and iterations >= 1, got ${o.stepSize}, ${o.leapfrogSteps}, ${o.iterations}`,
    );
  const [n, d] = start.shape;
  const gradLog = tf.grad((z: tf.Tensor) => tf.sum(logDensity(z as tf.Tensor2D)));
  let z = tf.clone(start);
  let accepted = 0;
  for (let it = 0; it < o.iterations; it++) {
    const next = tf.tidy(() => {
      const p0 = tf.tensor2d(o.rng.normals(n * d), [n, d]);
      const eps = o.stepSize;
      let q: tf.Tensor = z;
      let p = tf.add(p0, tf.mul(gradLog(q), eps / 2));
      for (let l = 0; l < o.leapfrogSteps; l++) {
        q = tf.add(q, tf.mul(p, eps));
        const g = gradLog(q);
        p = tf.add(p, tf.mul(g, l === o.leapfrogSteps - 1 ? eps / 2 : eps));
      }
      const kinetic = (m: tf.Tensor) => tf.mul(tf.sum(tf.square(m), 1), 0.5);
      // log acceptance ratio: H(start) - H(proposal), H = -log p(q) + |p|^2 / 2.
      const logRatio = tf.sub(
        tf.sub(logDensity(q as tf.Tensor2D), kinetic(p)),
        tf.sub(logDensity(z), kinetic(p0)),
      );
      const logU = tf.tensor1d(Float32Array.from({ length: n }, () => Math.log(1 - o.rng.uniform())));
      // A NaN ratio (an overflowing proposal) compares false: rejected.
      const accept = tf.less(logU, logRatio);
      const mask = tf.reshape(tf.cast(accept, 'float32'), [n, 1]);
      const state = tf.add(z, tf.mul(mask, tf.sub(q, z))) as tf.Tensor2D;
      return { state, count: tf.sum(tf.cast(accept, 'int32')) };
    });
    accepted += next.count.dataSync()[0]!;
    next.count.dispose();
    z.dispose();
    z = next.state;
  }
  return { samples: z, acceptance: accepted / (n * o.iterations) };
}
