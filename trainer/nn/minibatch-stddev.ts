/**
 * Minibatch standard deviation (Karras et al. 2018): the critic sees how varied its batch is. Over groups
 * of `groupSize` samples (sample i is in group i mod (N / groupSize), as in the paper's code), the standard
 * deviation of every feature across the group, averaged over features and pixels, is appended to each of
 * the group's samples as one more constant feature map.
 */
import * as tf from '@tensorflow/tfjs';

export function minibatchStddev(x: tf.Tensor4D, groupSize: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const g = Math.min(groupSize, n);
  if (n % g !== 0) throw new Error(`minibatch stddev: a batch of ${n} does not split into groups of ${g}`);
  const y = tf.reshape(x, [g, n / g, h, w, c]);
  const centred = tf.sub(y, tf.mean(y, 0, true));
  const std = tf.sqrt(tf.add(tf.mean(tf.square(centred), 0), 1e-8)); // [n/g, h, w, c]
  const perGroup = tf.mean(std, [1, 2, 3]); // [n/g]
  const perSample = tf.reshape(tf.tile(tf.reshape(perGroup, [1, n / g]), [g, 1]), [n, 1, 1, 1]);
  return tf.concat([x, tf.tile(perSample, [1, h, w, 1])], 3) as tf.Tensor4D;
}

export class MinibatchStddev extends tf.layers.Layer {
  static className = 'MinibatchStddev';
  readonly groupSize: number;

  constructor(args: { groupSize: number; name?: string }) {
    super(args.name ? { name: args.name } : {});
    this.groupSize = args.groupSize;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = inputShape as tf.Shape;
    return [...s.slice(0, -1), s.at(-1)! + 1];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() =>
      minibatchStddev((Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor4D, this.groupSize),
    );
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), groupSize: this.groupSize };
  }
}

tf.serialization.registerClass(MinibatchStddev);
