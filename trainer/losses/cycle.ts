/**
 * CycleGAN's consistency terms, each an L1 distance weighted by its lambda: cycle, a domain's image
 * translated there and back again against itself (F(G(a)) ~ a); identity, a generator given an image already
 * of its target domain against that image (G(b) ~ b), which keeps colours.
 */
import * as tf from '@tensorflow/tfjs';
import { l1 } from './l1.ts';

export function cycleLoss(real: tf.Tensor, reconstructed: tf.Tensor, lambda: number): tf.Scalar {
  return tf.mul<tf.Scalar>(lambda, l1(real, reconstructed));
}

export function identityLoss(target: tf.Tensor, mapped: tf.Tensor, lambda: number): tf.Scalar {
  return tf.mul<tf.Scalar>(lambda, l1(target, mapped));
}
