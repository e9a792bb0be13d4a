/** Hinge loss (SNGAN, SAGAN, BigGAN) on discriminator scores. */
import * as tf from '@tensorflow/tfjs';

/** D: E[max(0, 1 - D(x))] + E[max(0, 1 + D(G(z)))]. */
export function discriminatorHinge(realScores: tf.Tensor, fakeScores: tf.Tensor): tf.Scalar {
  return tf.add(tf.mean(tf.relu(tf.sub(1, realScores))), tf.mean(tf.relu(tf.add(1, fakeScores))));
}

/** G: -E[D(G(z))]. */
export function generatorHinge(fakeScores: tf.Tensor): tf.Scalar {
  return tf.neg(tf.mean<tf.Scalar>(fakeScores));
}
