/**
 * Halving an image's sides by averaging 2x2 blocks, written as reshape and mean rather than avgPool: tfjs
 * has no gradient for avgPool's own gradient, and a critic under a gradient penalty or R1 is
 * differentiated twice. Reshape and mean differentiate as often as asked.
 */
import * as tf from '@tensorflow/tfjs';

export function halve(x: tf.Tensor4D): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  if (h % 2 !== 0 || w % 2 !== 0) throw new Error(`halve: sides ${h}x${w} are not even`);
  return tf.mean(tf.reshape(x, [n, h / 2, 2, w / 2, 2, c]), [2, 4]) as tf.Tensor4D;
}

export class Halve extends tf.layers.Layer {
  static className = 'Halve';

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [n, h, w, c] = inputShape as tf.Shape;
    return [n!, h! / 2, w! / 2, c!];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => halve((Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor4D));
  }
}

tf.serialization.registerClass(Halve);
