/** Mean absolute error: pix2pix's reconstruction term, and CycleGAN's cycle and identity terms. */
import * as tf from '@tensorflow/tfjs';

/** mean |a - b| over every element. */
export function l1(a: tf.Tensor, b: tf.Tensor): tf.Scalar {
  return tf.mean(tf.abs(tf.sub(a, b)));
}
