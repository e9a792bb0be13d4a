/**
 * The fused activation gradients on the node backend: TensorFlow's ReluGrad and LeakyReluGrad run in place of
 * tfjs's compositions, first and second order give what cpu's composition gives, and GANZOO_FUSED=0 puts the
 * compositions back. Skipped, and said so, where the node backend cannot load.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from './index.ts';
import { fusedKernelsInUse, setUpFusedKernels } from './native-fused.ts';
import { loadNodeOrWhyNot } from './test-util.ts';

let nodeError: string | undefined;
let detail = '';
beforeAll(async () => {
  nodeError = await loadNodeOrWhyNot();
  if (!nodeError) detail = (await initBackend('node')).detail;
});
afterAll(loadNodeOrWhyNot);

/** A critic-like net through both activations, with a gradient penalty: its value and its weights' gradients. */
function penaltyAndGradients(seed: number): number[] {
  return tf.tidy(() => {
    const x = tf.randomNormal([8, 6], 0, 1, 'float32', seed);
    const w1 = tf.randomNormal([6, 5], 0, 1, 'float32', seed + 1);
    const w2 = tf.randomNormal([5, 1], 0, 1, 'float32', seed + 2);
    const critic = (input: tf.Tensor, a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.matMul(tf.leakyRelu(tf.relu(tf.matMul(input, a)), 0.2), b));
    const loss = (a: tf.Tensor, b: tf.Tensor) => {
      const gradX = tf.grad((input: tf.Tensor) => critic(input, a, b))(x);
      // First order (the critic's value) plus second order (the penalty on its input gradient).
      return tf.add(critic(x, a, b), tf.sum(tf.square(gradX)));
    };
    const [ga, gb] = tf.grads(loss)([w1, w2]);
    return [...loss(w1, w2).dataSync(), ...ga!.dataSync(), ...gb!.dataSync()];
  });
}

async function kernelsOf(f: () => unknown): Promise<string[]> {
  const info = await tf.profile(() => {
    f();
  });
  return [...info.kernelNames];
}

describe('fused activation gradients on node', () => {
  it('are named in the backend detail, run TensorFlow kernels, and match cpu to first and second order', async (ctx) => {
    if (nodeError) return ctx.skip(`node: ${nodeError}`);
    expect(detail).toContain('fused kernels: ReluGrad, LeakyReluGrad');
    await initBackend('cpu');
    const reference = penaltyAndGradients(3);
    await initBackend('node');
    setUpFusedKernels({});
    expect(fusedKernelsInUse()).toEqual(['ReluGrad', 'LeakyReluGrad', 'FusedBatchNormV3', 'packed Adam']);
    const fused = penaltyAndGradients(3);
    expect(fused).toHaveLength(reference.length);
    for (const [i, v] of fused.entries()) expect(v).toBeCloseTo(reference[i]!, 4);
    const kernels = await kernelsOf(() => penaltyAndGradients(3));
    expect(kernels).toContain('GanzooReluGrad');
    expect(kernels).toContain('GanzooLeakyReluGrad');
    expect(kernels).not.toContain('Step');
  });

  it('GANZOO_FUSED=0 puts tfjs compositions back, with the same values', async (ctx) => {
    if (nodeError) return ctx.skip(`node: ${nodeError}`);
    await initBackend('node');
    setUpFusedKernels({});
    const fused = penaltyAndGradients(5);
    expect(setUpFusedKernels({ GANZOO_FUSED: '0' })).toBe('fused kernels off (GANZOO_FUSED=0)');
    expect(fusedKernelsInUse()).toEqual([]);
    const composed = penaltyAndGradients(5);
    for (const [i, v] of composed.entries()) expect(v).toBeCloseTo(fused[i]!, 5);
    const kernels = await kernelsOf(() => penaltyAndGradients(5));
    expect(kernels.filter((k) => k.startsWith('Ganzoo'))).toEqual([]);
    expect(kernels).toContain('Step');
  });
});
