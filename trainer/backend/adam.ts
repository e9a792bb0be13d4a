import * as tf from '@tensorflow/tfjs';
import { type AdamInternals, adamInternals, momentsOf } from '../nn/adam-internals.ts';
import { heapKernels } from './heap-kernels.ts';
import { allocF32 } from './wasm-heap.ts';

type Gradients = tf.NamedTensorMap | { name: string; tensor: tf.Tensor }[];
type Apply = (this: tf.AdamOptimizer, gradients: Gradients) => void;

let tfjsApply: Apply | undefined;

/**
 * Adam's update on wasm as one SIMD pass a variable (heap-kernels.ts) instead of tfjs's thirteen kernels:
 * the same values bit for bit, its state (moments, beta powers, iterations) where tfjs keeps it, so
 * checkpoints and other backends see no difference. 22 ms of a wide DCGAN step went to tfjs's update.
 */
export function registerFusedAdam(): void {
  const proto = tf.AdamOptimizer.prototype as unknown as { applyGradients: Apply };
  if (tfjsApply != null) return;
  tfjsApply = proto.applyGradients;
  proto.applyGradients = function (this: tf.AdamOptimizer, gradients: Gradients) {
    const heap = heapKernels();
    if (heap == null || tf.getBackend() !== 'wasm') return tfjsApply!.call(this, gradients);
    fused(this, adamInternals(this, 'the fused Adam update'), gradients, heap);
  };
}

function fused(
  optimizer: tf.AdamOptimizer,
  opt: AdamInternals,
  gradients: Gradients,
  heap: NonNullable<ReturnType<typeof heapKernels>>,
) {
  const named = Array.isArray(gradients)
    ? gradients.map((g) => [g.name, g.tensor] as const)
    : Object.entries(gradients).map(([name, g]) => [name, g] as const);
  const backend = tf.backend();
  tf.tidy(() => {
    // tfjs computes 1 - beta^t as a float32 op on its float32 power.
    const c1 = Math.fround(1 - opt.accBeta1.dataSync()[0]!);
    const c2 = Math.fround(1 - opt.accBeta2.dataSync()[0]!);
    named.forEach(([name, g], i) => {
      const value = tf.engine().registeredVariables[name]!;
      const { m, v: s } = momentsOf(opt, i, name, value);
      if (g == null) return;
      if (g.dtype !== 'float32' || value.dtype !== 'float32') throw new Error(`Adam: ${name} is not float32`);
      const out = {
        v: allocF32(backend, value.shape),
        m: allocF32(backend, m.shape),
        s: allocF32(backend, s.shape),
      };
      heap.adam({ v: value, m, s, g }, out, {
        beta1: opt.beta1,
        beta2: opt.beta2,
        epsilon: opt.epsilon,
        learningRate: opt.learningRate,
        c1,
        c2,
      });
      const tensor = (info: tf.TensorInfo) => tf.engine().makeTensorFromTensorInfo(info, backend);
      m.assign(tensor(out.m));
      s.assign(tensor(out.s));
      value.assign(tensor(out.v));
    });
    opt.accBeta1.assign(tf.mul(opt.accBeta1, opt.beta1));
    opt.accBeta2.assign(tf.mul(opt.accBeta2, opt.beta2));
  });
  // tfjs's own step counter (protected), as its update ends.
  (optimizer as unknown as { incrementIterations(): void }).incrementIterations();
}
