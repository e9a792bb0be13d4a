/**
 * The R1 penalty (Mescheder et al. 2018), as StyleGAN regularises its discriminator: gamma / 2 *
 * E[||grad_x D(x)||^2] on real images only. Minimising it differentiates through a gradient (second
 * order), so every op in D must have a gradient of its gradient (downsampling by nn/downsample.ts).
 */
import * as tf from '@tensorflow/tfjs';

/** E[||grad_x D(x)||^2] over the real batch, not yet multiplied by gamma / 2. */
export function r1Penalty(critic: (x: tf.Tensor) => tf.Tensor, real: tf.Tensor): tf.Scalar {
  // Scores summed over the batch: sample i's gradient is then d D(x_i) / d x_i (D must not mix samples).
  const grad = tf.grad((x: tf.Tensor) => tf.sum(critic(x)))(real);
  const axes = real.shape.slice(1).map((_, i) => i + 1);
  return tf.mean(tf.sum(tf.square(grad), axes));
}
