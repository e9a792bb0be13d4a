/**
 * KL(N(mu, diag(exp(logvar))) || N(0, I)) = 1/2 sum(exp(logvar) + mu^2 - 1 - logvar), summed over the
 * dimensions and averaged over the batch: StackGAN's conditioning-augmentation regulariser.
 */
import * as tf from '@tensorflow/tfjs';

export function gaussianKl(mu: tf.Tensor, logvar: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const perDim = tf.sub(tf.add(tf.exp(logvar), tf.square(mu)), tf.add(logvar, 1));
    return tf.mul(tf.mean(tf.sum(perDim, -1)), 0.5) as tf.Scalar;
  });
}
