/**
 * The Conditional Analogy GAN's mask regularisation: G paints through a mask in [0, 1], and without a pull
 * towards 0 it may repaint the whole image. L1 keeps the mask small (only the article changes); total
 * variation keeps it smooth (one region, not speckle).
 */
import * as tf from '@tensorflow/tfjs';

/** mean |m| over every element of a [B, H, W, 1] mask. */
export function maskL1(mask: tf.Tensor): tf.Scalar {
  return tf.mean(tf.abs(mask));
}

/**
 * Anisotropic total variation of [B, H, W, C]: the mean |difference| between vertical neighbours plus the
 * mean between horizontal neighbours (0 for a constant image).
 */
export function totalVariation(image: tf.Tensor): tf.Scalar {
  if (image.rank !== 4) throw new Error(`total variation takes [B, H, W, C], got rank ${image.rank}`);
  const [b, h, w, c] = image.shape as [number, number, number, number];
  const down = tf.sub(tf.slice(image, [0, 1, 0, 0], [b, h - 1, w, c]), tf.slice(image, 0, [b, h - 1, w, c]));
  const right = tf.sub(tf.slice(image, [0, 0, 1, 0], [b, h, w - 1, c]), tf.slice(image, 0, [b, h, w - 1, c]));
  return tf.add<tf.Scalar>(tf.mean(tf.abs(down)), tf.mean(tf.abs(right)));
}
