import * as tf from '@tensorflow/tfjs';

/**
 * LeakyRelu's gradient on wasm as dy * step(x, alpha): two of wasm's threaded SIMD kernels (about 0.95 ms at
 * [64,14,14,64], 6 calls a DCGAN step). tfjs composes it of Greater, Multiply and Select, and a JS loop over
 * the heap took 2.7-4 ms there. The factor is exactly 1 or alpha, so each product rounds as tfjs's does; a NaN
 * in x gives a NaN gradient (tfjs's gives alpha * dy). Other backends keep tfjs's composition.
 */
export function registerLeakyReluGradient(): void {
  const tfjs = tf.getGradient('LeakyRelu');
  if (tfjs == null) throw new Error("tfjs registers no gradient for 'LeakyRelu'");
  if (tfjs.gradFunc === gradFunc) return;
  fallback = tfjs;
  tf.registerGradient({ kernelName: 'LeakyRelu', inputsToSave: ['x'], gradFunc });
}

let fallback: tf.GradConfig | undefined;

// Step's own gradient is zero, so the second order (a gradient penalty) flows through dy alone.
const gradFunc: tf.GradConfig['gradFunc'] = (dy, saved, attrs) => {
  if (tf.getBackend() !== 'wasm' || (dy as tf.Tensor).dtype !== 'float32') {
    return (fallback as tf.GradConfig).gradFunc(dy, saved, attrs);
  }
  const [x] = saved as [tf.Tensor];
  const { alpha } = attrs as unknown as { alpha: number };
  return { x: () => tf.mul(dy as tf.Tensor, tf.step(x, alpha)) };
};
