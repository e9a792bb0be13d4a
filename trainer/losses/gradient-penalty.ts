/**
 * WGAN-GP's gradient penalty (Gulrajani et al. 2017): E[(||grad_x f(x_hat)||_2 - 1)^2] at points x_hat on
 * lines between real and generated samples. The gradient is taken inside the critic's loss, so minimising
 * the penalty differentiates through a gradient (second order); the backend needs gradients of every
 * kernel in the critic's backward pass (trainer/backend registers the comparison kernels').
 */
import * as tf from '@tensorflow/tfjs';

export interface GradientPenalty {
  /** E[(||grad||_2 - 1)^2], not yet multiplied by lambda. */
  penalty: tf.Scalar;
  /** E[||grad||_2], the diagnostic: 1 when the critic is 1-Lipschitz along the lines. */
  gradNorm: tf.Scalar;
}

/**
 * `mix`: [B] weights in [0, 1]; x_hat = mix * real + (1 - mix) * fake, per sample. `critic` maps a batch to
 * [B, 1] scores and must not mix samples (no batch norm), or the per-sample gradient is not the critic's.
 */
export function gradientPenalty(
  critic: (x: tf.Tensor) => tf.Tensor,
  real: tf.Tensor,
  fake: tf.Tensor,
  mix: tf.Tensor1D,
): GradientPenalty {
  if (!tf.util.arraysEqual(real.shape, fake.shape))
    throw new Error(`gradient penalty: real [${real.shape}] and fake [${fake.shape}] differ in shape`);
  if (mix.shape[0] !== real.shape[0])
    throw new Error(`gradient penalty: ${mix.shape[0]} mixing weights for a batch of ${real.shape[0]}`);
  const perSample = [real.shape[0]!, ...real.shape.slice(1).map(() => 1)];
  const m = tf.reshape(mix, perSample);
  const xHat = tf.add(tf.mul(m, real), tf.mul(tf.sub(1, m), fake));
  // Scores summed over the batch: sample i's gradient is then d f(x_hat_i) / d x_hat_i.
  const grad = tf.grad((x: tf.Tensor) => tf.sum(critic(x)))(xHat);
  const axes = perSample.slice(1).map((_, i) => i + 1);
  // The epsilon keeps the norm's own gradient finite where a sample's gradient is exactly zero.
  const norms = tf.sqrt(tf.add(tf.sum(tf.square(grad), axes), 1e-12));
  return { penalty: tf.mean(tf.square(tf.sub(norms, 1))), gradNorm: tf.mean(norms) };
}
