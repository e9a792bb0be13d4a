/**
 * A Progressive GAN's fade-in: [old, new] -> (1 - alpha) * old + alpha * new, where `old` is the path the
 * network had before it grew (upsampled, or downsampled in the critic) and `new` the added layers. alpha
 * is set from outside (Stage.fade.set) as the stage's steps go by; it is not trained.
 */
import * as tf from '@tensorflow/tfjs';

export class FadeIn extends tf.layers.Layer {
  static className = 'FadeIn';
  private alpha = tf.tidy(() => tf.variable(tf.scalar(0), false));

  setAlpha(alpha: number): void {
    if (!(alpha >= 0 && alpha <= 1)) throw new Error(`fade-in alpha must be in [0, 1], got ${alpha}`);
    tf.tidy(() => this.alpha.assign(tf.scalar(alpha)));
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return (inputShape as tf.Shape[])[0]!;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const [before, grown] = inputs as tf.Tensor[];
    return tf.tidy(() => tf.add(before!, tf.mul(this.alpha, tf.sub(grown!, before!))));
  }

  override dispose(): tf.serialization.ConfigDict & {
    refCountAfterDispose: number;
    numDisposedVariables: number;
  } {
    const result = super.dispose();
    if (result.refCountAfterDispose === 0 && !this.alpha.isDisposed) this.alpha.dispose();
    return result as never;
  }
}

tf.serialization.registerClass(FadeIn);
