import * as tf from '@tensorflow/tfjs';
import { registerFusedAdam } from './adam.ts';
import { registerComparisonGradients } from './comparison-grads.ts';
import { conv2dBackpropFilterConfig } from './conv-backprop-filter.ts';
import { conv2dBackpropInputConfig } from './conv-backprop-input.ts';
import { cpuFallbackKernel } from './cpu-fallback.ts';
import { FAST_PATHS, isFastPathWrapper, withFastPath } from './fast-paths.ts';
import { isMatMulWrapper, wrapMatMul } from './matmul.ts';
import { unsortedSegmentSumConfig } from './segment-sum.ts';
import { tileConfig } from './tile.ts';
import { registerWasmGradients } from './wasm-gradients.ts';

/** Kernels the wasm backend lacks for training, gets wrong, or runs far slower than another route. */
export const WASM_KERNELS: tf.KernelConfig[] = [
  conv2dBackpropFilterConfig,
  conv2dBackpropInputConfig,
  unsortedSegmentSumConfig,
  tileConfig,
  cpuFallbackKernel('DepthwiseConv2dNativeBackpropFilter'),
  cpuFallbackKernel('DepthwiseConv2dNativeBackpropInput'),
  // wasm's MaxPoolGrad is wrong when a window's maximum is negative.
  cpuFallbackKernel('MaxPoolGrad'),
  // wasm's 3D transposed convolution and 3D filter gradient are wrong at stride 2 (and the former with 'valid'
  // padding); nn/volume.test.ts checks both against finite differences.
  cpuFallbackKernel('Conv3DBackpropInputV2'),
  cpuFallbackKernel('Conv3DBackpropFilterV2'),
];

/** wasm kernels kept but wrapped: transposed operands slow them down, and _FusedMatMul's batched bias is wrong. */
export const WRAPPED_MATMULS = ['BatchMatMul', '_FusedMatMul'];

/** wasm's own kernels that registerWasmKernels replaced or wrapped, by name (for comparisons). */
export const replacedWasmKernels = new Map<string, tf.KernelConfig>();

/**
 * Registers the project's wasm kernels (replacing wasm's own where it has one), the comparison gradients,
 * LeakyRelu's and batch norm's gradients and Adam's fused update. Safe to call more than once. Returns the kernel names.
 */
export function registerWasmKernels(): string[] {
  for (const config of WASM_KERNELS) {
    const existing = tf.getKernel(config.kernelName, 'wasm');
    if (existing?.kernelFunc === config.kernelFunc) continue;
    replace(config.kernelName, existing, config);
  }
  for (const name of WRAPPED_MATMULS) {
    const existing = tf.getKernel(name, 'wasm');
    if (existing == null || isMatMulWrapper(existing)) continue;
    replace(name, existing, wrapMatMul(existing));
  }
  for (const name of Object.keys(FAST_PATHS)) {
    const existing = tf.getKernel(name, 'wasm');
    if (existing == null || isFastPathWrapper(existing)) continue;
    replace(name, existing, withFastPath(existing));
  }
  registerComparisonGradients();
  registerWasmGradients();
  registerFusedAdam();
  return [...WASM_KERNELS.map((k) => k.kernelName), ...WRAPPED_MATMULS, ...Object.keys(FAST_PATHS)];
}

function replace(name: string, existing: tf.KernelConfig | undefined, config: tf.KernelConfig): void {
  if (existing != null) {
    replacedWasmKernels.set(name, existing);
    tf.unregisterKernel(name, 'wasm');
  }
  tf.registerKernel(config);
}
