/**
 * InfoGAN's mutual-information lower bound, as losses to minimise. For codes c given to G and Q's
 * estimate of them from G(z, c):  I(c; G(z, c)) >= H(c) + E[log Q(c | G(z, c))].  H(c) is fixed by the code
 * prior, so maximising the bound is minimising Q's negative log-likelihood of the codes.
 */
import * as tf from '@tensorflow/tfjs';

/** Categorical code: cross-entropy of Q's logits [N, K] against the one-hot codes [N, K]. */
export function categoricalInfoLoss(logits: tf.Tensor, oneHot: tf.Tensor): tf.Scalar {
  return tf.neg(tf.mean<tf.Scalar>(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), 1)));
}

/**
 * Continuous codes: negative log-likelihood under a unit-variance Gaussian at Q's means [N, C] (the
 * constant dropped), i.e. half the squared error summed over codes.
 */
export function continuousInfoLoss(means: tf.Tensor, codes: tf.Tensor): tf.Scalar {
  return tf.mean<tf.Scalar>(tf.mul(tf.sum(tf.square(tf.sub(codes, means)), 1), 0.5));
}
