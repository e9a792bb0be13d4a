/**
 * Pixel norm (Karras et al. 2018): each pixel's feature vector divided by its root mean square over the
 * channels, x / sqrt(mean_c(x^2) + 1e-8), after each of a Progressive GAN generator's convolutions.
 */
import * as tf from '@tensorflow/tfjs';

export function pixelNorm(x: tf.Tensor): tf.Tensor {
  return tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), 1e-8)));
}

export class PixelNorm extends tf.layers.Layer {
  static className = 'PixelNorm';

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => pixelNorm(Array.isArray(inputs) ? inputs[0]! : inputs));
  }
}

tf.serialization.registerClass(PixelNorm);
