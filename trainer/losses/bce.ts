/**
 * The original GAN losses on discriminator logits, written with softplus so they stay finite for any logit:
 *   -log sigmoid(l) = softplus(-l),   -log(1 - sigmoid(l)) = softplus(l).
 */
import * as tf from '@tensorflow/tfjs';

/** D: maximise log D(x) + log(1 - D(G(z))). */
export function discriminatorBce(realLogits: tf.Tensor, fakeLogits: tf.Tensor): tf.Scalar {
  return tf.add<tf.Scalar>(tf.mean(tf.softplus(tf.neg(realLogits))), tf.mean(tf.softplus(fakeLogits)));
}

/** G, non-saturating: maximise log D(G(z)). */
export function generatorNonSaturating(fakeLogits: tf.Tensor): tf.Scalar {
  return tf.mean(tf.softplus(tf.neg(fakeLogits)));
}

/** G, minimax as in the paper: minimise log(1 - D(G(z))). Saturates early in training; kept to show why. */
export function generatorMinimax(fakeLogits: tf.Tensor): tf.Scalar {
  return tf.neg(tf.mean<tf.Scalar>(tf.softplus(fakeLogits)));
}

/** The two generator losses a family's `loss` hyperparameter chooses between. */
export type GeneratorBce = 'non-saturating' | 'minimax';

/** G's loss as a family's `loss` hyperparameter names it. */
export function generatorBce(kind: GeneratorBce): (fakeLogits: tf.Tensor) => tf.Scalar {
  return kind === 'minimax' ? generatorMinimax : generatorNonSaturating;
}

/** Mean of D's probability, the usual D(x) and D(G(z)) diagnostics. */
export function meanProbability(logits: tf.Tensor): tf.Scalar {
  return tf.mean(tf.sigmoid(logits));
}

/**
 * D judging pairs (the Conditional Analogy GAN): a real pair is real; a generated pair and a real image with
 * the wrong condition (mismatched) are both fake, so D learns whether the image fits its condition, not only
 * whether it looks real. log D(real) + log(1 - D(fake)) + log(1 - D(mismatched)).
 */
export function discriminatorBceMismatched(
  realLogits: tf.Tensor,
  fakeLogits: tf.Tensor,
  mismatchedLogits: tf.Tensor,
): tf.Scalar {
  return tf.add<tf.Scalar>(discriminatorBce(realLogits, fakeLogits), tf.mean(tf.softplus(mismatchedLogits)));
}
