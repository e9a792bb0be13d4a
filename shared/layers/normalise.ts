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

/** [N, H, W, C]: each sample's channel made zero-mean, unit-variance over H x W. */
export function instanceNorm(x: tf.Tensor, epsilon: number): tf.Tensor {
  const { mean, variance } = tf.moments(x, [1, 2], true);
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

/** The class names an exported generator may hold besides stock tfjs's (what model.json's className says). */
export const PORTABLE_LAYER_CLASSES = [PixelNorm.className, InstanceNorm.className] as const;
