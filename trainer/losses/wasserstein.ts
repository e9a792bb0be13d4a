/**
 * WGAN losses on critic scores (no sigmoid). The critic maximises E[f(x)] - E[f(G(z))], an estimate of the
 * Wasserstein-1 distance when f is 1-Lipschitz (kept so by weight clipping or a gradient penalty).
 */
import * as tf from '@tensorflow/tfjs';

/** E[f(x)] - E[f(G(z))]: the critic's estimate of the distance, logged every step. */
export function wassersteinEstimate(realScores: tf.Tensor, fakeScores: tf.Tensor): tf.Scalar {
  return tf.sub(tf.mean(realScores), tf.mean(fakeScores));
}

/** Critic: minimise -(E[f(x)] - E[f(G(z))]). */
export function criticWasserstein(realScores: tf.Tensor, fakeScores: tf.Tensor): tf.Scalar {
  return tf.neg(wassersteinEstimate(realScores, fakeScores));
}

/** G: minimise -E[f(G(z))]. */
export function generatorWasserstein(fakeScores: tf.Tensor): tf.Scalar {
  return tf.neg(tf.mean<tf.Scalar>(fakeScores));
}
