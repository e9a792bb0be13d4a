import * as tf from '@tensorflow/tfjs';
import { allocF32, heapF32 } from './wasm-heap.ts';

/**
 * LeakyRelu's gradient on wasm as one pass over the heap: dx = dy where x > 0, else alpha * dy. tfjs
 * composes it of Greater, Multiply and Select (about 2.5 ms at [64,14,14,32], 6 calls a DCGAN step).
 * Other backends keep tfjs's composition.
 */
export const LEAKY_RELU_GRAD = 'GanzooLeakyReluGrad';

type Attrs = { alpha: number };

function leakyReluGrad(args: {
  inputs: tf.NamedTensorInfoMap;
  attrs?: tf.NamedAttrMap;
  backend: unknown;
}): tf.TensorInfo {
  const { dy, x } = args.inputs as { dy: tf.TensorInfo; x: tf.TensorInfo };
  const out = allocF32(args.backend, x.shape);
  const dyv = heapF32(args.backend, dy);
  const xv = heapF32(args.backend, x);
  const dst = heapF32(args.backend, out);
  // The factor is exactly 1 or alpha as float32, so each product rounds as tfjs's Multiply does. Branch-free:
  // the signs of activations are random.
  const alpha = Math.fround((args.attrs as unknown as Attrs).alpha);
  const n = dst.length;
  for (let i = 0; i < n; i++) dst[i] = dyv[i]! * (alpha + (1 - alpha) * +(xv[i]! > 0));
  return out;
}

function viaKernel(dy: tf.Tensor, x: tf.Tensor, attrs: tf.NamedAttrMap): tf.Tensor {
  return tf.engine().runKernel(LEAKY_RELU_GRAD, { dy, x }, attrs) as tf.Tensor;
}

/**
 * Registers the wasm kernel and routes LeakyRelu's gradient through it on wasm. Its own gradient (for the
 * gradient penalty's second order) is the same map applied to the incoming gradient, and zero for x.
 */
export function registerLeakyReluGradient(): void {
  if (tf.getKernel(LEAKY_RELU_GRAD, 'wasm') != null) return;
  const tfjs = tf.getGradient('LeakyRelu');
  if (tfjs == null) throw new Error("tfjs registers no gradient for 'LeakyRelu'");
  tf.registerKernel({ kernelName: LEAKY_RELU_GRAD, backendName: 'wasm', kernelFunc: leakyReluGrad });
  tf.registerGradient({
    kernelName: 'LeakyRelu',
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      if (tf.getBackend() !== 'wasm' || (dy as tf.Tensor).dtype !== 'float32') {
        return tfjs.gradFunc(dy, saved, attrs);
      }
      const [x] = saved as [tf.Tensor];
      return { x: () => viaKernel(dy as tf.Tensor, x, attrs) };
    },
  });
  tf.registerGradient({
    kernelName: LEAKY_RELU_GRAD,
    inputsToSave: ['x'],
    gradFunc: (ddx, saved, attrs) => {
      const [x] = saved as [tf.Tensor];
      return { dy: () => viaKernel(ddx as tf.Tensor, x, attrs), x: () => tf.zerosLike(x) };
    },
  });
}
