/**
 * Least-squares GAN losses (Mao et al. 2017), CycleGAN's adversarial loss, on D's unbounded scores (a
 * PatchGAN's score map: every patch's score counts).
 */
import * as tf from '@tensorflow/tfjs';

/** D: 1/2 (E[(D(x) - 1)^2] + E[D(G(z))^2]), halved as CycleGAN halves D's loss. */
export function discriminatorLeastSquares(realScores: tf.Tensor, fakeScores: tf.Tensor): tf.Scalar {
  return tf.mul<tf.Scalar>(
    0.5,
    tf.add(tf.mean(tf.square(tf.sub(realScores, 1))), tf.mean(tf.square(fakeScores))),
  );
}

/** G: E[(D(G(z)) - 1)^2]. */
export function generatorLeastSquares(fakeScores: tf.Tensor): tf.Scalar {
  return tf.mean(tf.square(tf.sub(fakeScores, 1)));
}
