/**
 * The Prescribed GAN's entropy term. For x = mu(z) + sigma * eps, the gradient of the entropy of p(x) is
 *   E[ (x - mu(z')) / sigma^2 . dx/dtheta ],   z' ~ p(z | x)
 * so with `score` = (x - mu(z')) / sigma^2 computed apart from the graph (a constant), this function of the
 * reparameterised samples has the entropy's gradient. Its value is not the entropy.
 */
import * as tf from '@tensorflow/tfjs';

/** Mean over the batch of sum(score * samples); samples [N, ...], score the same shape. */
export function entropySurrogate(samples: tf.Tensor, score: tf.Tensor): tf.Scalar {
  const n = samples.shape[0]!;
  return tf.mean(tf.sum(tf.reshape(tf.mul(score, samples), [n, -1]), 1));
}
