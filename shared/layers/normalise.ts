/**
 * The parameter-free normalisations an exported generator keeps as layers of ours, because stock tfjs has
 * no layer for them (no reciprocal square root): pixel norm (Progressive GAN, StyleGAN's mapping) and
 * instance norm (StyleGAN's AdaIN, once its style affines are folded into stock Dense layers). Importing
 * this module registers both with tfjs's serialization; the trainer imports it through its layers, the
 * playground before it loads a generator. The one module under shared/ that imports tfjs: the dashboard
 * reaches it only from the lazily loaded playground.
 */
import * as tf from '@tensorflow/tfjs';

const first = (inputs: tf.Tensor | tf.Tensor[]) => (Array.isArray(inputs) ? inputs[0]! : inputs);

/** x / sqrt(mean_c(x^2) + 1e-8): each position's feature vector scaled to unit root mean square. */
export function pixelNorm(x: tf.Tensor): tf.Tensor {
  return tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), 1e-8)));
}

/**
 * [N, ..., C]: each sample's channel made zero-mean, unit-variance over every axis between: H x W of an
 * image, D x H x W of a volume (HoloGAN's 3D AdaIN).
 */
export function instanceNorm(x: tf.Tensor, epsilon: number): tf.Tensor {
  const spatial = Array.from({ length: x.rank - 2 }, (_, i) => i + 1);
  const { mean, variance } = tf.moments(x, spatial, true);
  return tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, epsilon)));
}

export class PixelNorm extends tf.layers.Layer {
  static className = 'PixelNorm';

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => pixelNorm(first(inputs)));
  }
}

export class InstanceNorm extends tf.layers.Layer {
  static className = 'InstanceNorm';
  readonly epsilon: number;

  constructor(args: { epsilon?: number; name?: string } = {}) {
    super(args.name ? { name: args.name } : {});
    this.epsilon = args.epsilon ?? 1e-5;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => instanceNorm(first(inputs), this.epsilon));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), epsilon: this.epsilon };
  }
}

tf.serialization.registerClass(PixelNorm);
tf.serialization.registerClass(InstanceNorm);
