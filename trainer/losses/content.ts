/** Content losses (SRGAN): the mean squared distance of an image to its target, in pixels or in a network's features. */
import * as tf from '@tensorflow/tfjs';

/** Mean squared error over every value: the pixel-wise content loss (SRGAN's MSE pretraining). */
export function mse(fake: tf.Tensor, target: tf.Tensor): tf.Scalar {
  return tf.mean(tf.squaredDifference(fake, target));
}

/** Mean squared distance between `features`' outputs on the two images (SRGAN's feature-space content loss). */
export function featureContent(features: tf.LayersModel, fake: tf.Tensor, target: tf.Tensor): tf.Scalar {
  const a = features.apply(fake, { training: false }) as tf.Tensor;
  const b = features.apply(target, { training: false }) as tf.Tensor;
  return mse(a, b);
}
