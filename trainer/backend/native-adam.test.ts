/**
 * The packed Adam update on node gives tfjs's per-variable update exactly (values, both moments, the beta
 * powers and the step count, which checkpoints hold) in fewer kernel calls; GANZOO_FUSED=0 runs tfjs's.
 * Skipped, and said so, where the node backend cannot load.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from './index.ts';
import { setUpFusedKernels } from './native-fused.ts';
import { loadNodeOrWhyNot } from './test-util.ts';

let nodeError: string | undefined;
beforeAll(async () => {
  nodeError = await loadNodeOrWhyNot();
});
afterAll(loadNodeOrWhyNot);

const SHAPES = [[3, 4], [5], [2, 2, 3, 2], [1]];

/** Three Adam steps on fresh variables from `seed`. */
async function train(seed: number): Promise<{ state: number[][]; kernels: number }> {
  const vars = SHAPES.map((s, i) =>
    tf.variable(tf.randomNormal(s, 0, 1, 'float32', seed + i), true, `w${seed}_${i}`),
  );
  const opt = tf.train.adam(1e-2, 0.5, 0.99, 1e-8);
  const step = (k: number) => {
    const grads = vars.map((v, i) => ({
      name: v.name,
      tensor: tf.randomNormal(v.shape, 0, 1, 'float32', 1000 + 100 * k + i),
    }));
    opt.applyGradients(grads);
    tf.dispose(grads.map((g) => g.tensor));
  };
  step(0);
  step(1);
  const { kernels } = await tf.profile(() => step(2));
  const weights = await opt.getWeights();
  const state = [...vars.map((v) => [...v.dataSync()]), ...weights.map((w) => [...w.tensor.dataSync()])];
  tf.dispose(vars);
  opt.dispose();
  return { state, kernels: kernels.length };
}

describe('packed Adam on node', () => {
  it("matches tfjs's update exactly, in fewer kernel calls", async (ctx) => {
    if (nodeError) return ctx.skip(`node: ${nodeError}`);
    await initBackend('node');
    expect(setUpFusedKernels({})).toContain('packed Adam');
    const packed = await train(1);
    setUpFusedKernels({ GANZOO_FUSED: '0' });
    const tfjs = await train(1);
    expect(packed.state).toEqual(tfjs.state);
    expect(packed.kernels).toBeLessThan(tfjs.kernels);
  });
});
