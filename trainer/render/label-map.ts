/** A one-hot label map drawn as an image: each pixel in its class's palette colour, scaled to [-1, 1]. */
import * as tf from '@tensorflow/tfjs';

/** map [N, H, W, classes] one-hot, palette [classes][r, g, b] 0-255 -> [N, H, W, 3] in [-1, 1]. */
export function paintLabelMap(
  map: tf.Tensor4D,
  palette: readonly (readonly number[])[] | undefined,
): tf.Tensor4D {
  if (!palette) throw new Error('a label map to draw, and no palette in the catalog');
  const [n, h, w, k] = map.shape;
  if (palette.length !== k)
    throw new Error(`a label map of ${k} classes and a palette of ${palette.length} colours`);
  return tf.tidy(() => {
    const colours = tf.tensor2d(palette.map((rgb) => rgb.map((v) => (v / 255) * 2 - 1)));
    return map.reshape([-1, k]).matMul(colours).reshape([n, h, w, 3]) as tf.Tensor4D;
  });
}
