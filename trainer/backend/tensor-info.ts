import * as tf from '@tensorflow/tfjs';

/**
 * A Tensor view of a kernel input. Kernel inputs are almost always Tensors already; a bare TensorInfo gets a
 * wrapper that holds its own reference, so disposing the wrapper never frees the caller's data.
 */
export function asTensor<R extends tf.Rank = tf.Rank>(
  info: tf.TensorInfo,
  backend: tf.KernelBackend,
): tf.Tensor<R> {
  if (info instanceof tf.Tensor) return info as tf.Tensor<R>;
  backend.incRef(info.dataId);
  return tf.engine().makeTensorFromTensorInfo(info, backend) as tf.Tensor<R>;
}
