/**
 * BigGAN's orthogonal regularisation (Brock et al. 2019): for each kernel read as a matrix W [fan-in, units],
 * || W^T W (1 - I) ||_F^2, summed over kernels. Only the off-diagonal Gram entries are pushed to zero: the
 * filters are kept orthogonal to one another without constraining their norms (which spectral norm owns).
 */
import * as tf from '@tensorflow/tfjs';

export function orthogonalPenalty(kernels: tf.Tensor[]): tf.Scalar {
  if (kernels.length === 0) throw new Error('orthogonal regularisation needs at least one kernel');
  const terms = kernels.map((k) => {
    const w = tf.reshape(k, [-1, k.shape.at(-1)!]);
    const units = w.shape[1]!;
    const gram = tf.matMul(w, w, true, false);
    const offDiagonal = tf.mul(gram, tf.sub(1, tf.eye(units)));
    return tf.sum(tf.square(offDiagonal));
  });
  return tf.addN(terms) as tf.Scalar;
}

/**
 * The kernels of a model (every trainable weight whose name ends in "kernel", spectrally normalised layers'
 * raw kernels included), leaving out those whose name contains any of `except` (e.g. a shared embedding).
 */
export function kernelsOf(model: tf.LayersModel, except: readonly string[] = []): tf.Tensor[] {
  return model.trainableWeights
    .filter((w) => /kernel$/.test(w.originalName) && !except.some((e) => w.originalName.includes(e)))
    .map((w) => w.read());
}
