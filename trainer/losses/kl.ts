/**
 * KL(N(mu, diag(exp(logvar))) || N(0, I)) per dimension: 1/2 (exp(logvar) + mu^2 - 1 - logvar) averaged
 * over the dimensions and the batch, StackGAN's conditioning-augmentation regulariser as its code computes
 * it. The mean, not the sum over dimensions: summed, the term grows with the condition's size and at
 * lambda 1 pulls every caption's Gaussian onto the prior, so c stops carrying the caption.
 */
import * as tf from '@tensorflow/tfjs';

export function gaussianKl(mu: tf.Tensor, logvar: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const perDim = tf.sub(tf.add(tf.exp(logvar), tf.square(mu)), tf.add(logvar, 1));
    return tf.mul(tf.mean(perDim), 0.5) as tf.Scalar;
  });
}
