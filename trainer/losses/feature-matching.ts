/**
 * Feature matching (pix2pixHD, SPADE): G's fakes are pulled toward the real images' features inside D. For
 * each of D's scales, the L1 distance between the features of the real and the fake image at every layer
 * before the score, averaged over the layers and then over the scales. G's loss adds it times a weight; D
 * never trains on it (the real features carry no G weights, so G's gradient flows through the fakes only).
 */
import * as tf from '@tensorflow/tfjs';
import { l1 } from './l1.ts';

/** real[s][l], fake[s][l]: scale s's layer-l features of the real and of the fake batch (same shapes). */
export function featureMatching(real: tf.Tensor[][], fake: tf.Tensor[][]): tf.Scalar {
  if (real.length === 0 || real.length !== fake.length)
    throw new Error(`feature matching: ${real.length} real scales and ${fake.length} fake ones`);
  const perScale = real.map((layers, s) => {
    const fakes = fake[s]!;
    if (layers.length === 0 || layers.length !== fakes.length)
      throw new Error(
        `feature matching: scale ${s} has ${layers.length} real layers and ${fakes.length} fake ones`,
      );
    return tf.div(tf.addN(layers.map((r, l) => l1(r, fakes[l]!))), layers.length);
  });
  return tf.div<tf.Scalar>(tf.addN(perScale), real.length);
}
