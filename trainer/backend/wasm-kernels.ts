import * as tf from '@tensorflow/tfjs';
import { registerComparisonGradients } from './comparison-grads.ts';
import { conv2dBackpropFilterConfig } from './conv-backprop-filter.ts';
import { conv2dBackpropInputConfig } from './conv-backprop-input.ts';
import { cpuFallbackKernel } from './cpu-fallback.ts';
import { unsortedSegmentSumConfig } from './segment-sum.ts';

/** Kernels the wasm backend lacks for training, or gets wrong, or runs far slower than a conv2d route. */
export const WASM_KERNELS: tf.KernelConfig[] = [
  conv2dBackpropFilterConfig,
  conv2dBackpropInputConfig,
  unsortedSegmentSumConfig,
  cpuFallbackKernel('DepthwiseConv2dNativeBackpropFilter'),
  cpuFallbackKernel('DepthwiseConv2dNativeBackpropInput'),
  // wasm's MaxPoolGrad is wrong when a window's maximum is negative.
  cpuFallbackKernel('MaxPoolGrad'),
];

/** wasm's own kernels that registerWasmKernels replaced, by name (for comparisons). */
export const replacedWasmKernels = new Map<string, tf.KernelConfig>();

/**
 * Registers the project's wasm kernels (replacing wasm's own where it has one) and the comparison
 * gradients. Safe to call more than once. Returns the kernel names.
 */
export function registerWasmKernels(): string[] {
  for (const config of WASM_KERNELS) {
    const existing = tf.getKernel(config.kernelName, 'wasm');
    if (existing?.kernelFunc === config.kernelFunc) continue;
    if (existing != null) {
      replacedWasmKernels.set(config.kernelName, existing);
      tf.unregisterKernel(config.kernelName, 'wasm');
    }
    tf.registerKernel(config);
  }
  registerComparisonGradients();
  return WASM_KERNELS.map((k) => k.kernelName);
}
