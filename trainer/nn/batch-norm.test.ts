/**
 * Batch norm on TensorFlow's fused kernels gives what tfjs-layers' composition gives, on node against cpu
 * and against itself with GANZOO_FUSED=0: outputs, moving statistics, weight gradients, and the gradients of
 * a gradient penalty through it (second order). Node is skipped, and said so, where it cannot load.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/index.ts';
import { setUpFusedKernels } from '../backend/native-fused.ts';
import { loadNodeOrWhyNot, saveAndLoad } from '../backend/test-util.ts';
import { FusedBatchNorm } from './batch-norm.ts';

let nodeError: string | undefined;
beforeAll(async () => {
  nodeError = await loadNodeOrWhyNot();
});
afterAll(loadNodeOrWhyNot);

/** conv -> batch norm -> leaky ReLU -> dense -> batch norm (2D) -> a score, weights drawn from `seed`. */
function critic(seed: number): tf.LayersModel {
  const x = tf.input({ shape: [6, 6, 3] });
  const init = (s: number) => tf.initializers.randomNormal({ stddev: 0.5, seed: seed + s });
  let y = tf.layers
    .conv2d({ filters: 4, kernelSize: 3, padding: 'same', kernelInitializer: init(1) })
    .apply(x);
  y = new FusedBatchNorm({ momentum: 0.9, epsilon: 1e-5, gammaInitializer: init(2) }).apply(y);
  y = tf.layers.leakyReLU({ alpha: 0.2 }).apply(y);
  y = tf.layers.flatten().apply(y);
  y = tf.layers.dense({ units: 5, kernelInitializer: init(3) }).apply(y);
  y = new FusedBatchNorm({ momentum: 0.9, epsilon: 1e-5, betaInitializer: init(4) }).apply(y);
  const out = tf.layers.dense({ units: 1, kernelInitializer: init(5) }).apply(y) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: out });
}

/** Score, penalty on the input gradient, every weight's gradient and the moving statistics after one call. */
function trace(seed: number): number[] {
  const model = critic(seed);
  const x = tf.randomNormal([8, 6, 6, 3], 0, 1, 'float32', seed);
  const score = (input: tf.Tensor) => tf.mean(model.apply(input, { training: true }) as tf.Tensor);
  const values = tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => {
      const gx = tf.grad(score)(x);
      return tf.add(score(x), tf.mean(tf.square(gx))) as tf.Scalar;
    });
    return [
      ...value.dataSync(),
      ...Object.keys(grads)
        .sort()
        .flatMap((k) => [...grads[k]!.dataSync()]),
    ];
  });
  const moving = model.layers
    .filter((l) => l.getClassName() === 'BatchNormalization')
    .flatMap((l) =>
      l
        .getWeights()
        .slice(2)
        .flatMap((w) => [...w.dataSync()]),
    );
  x.dispose();
  model.dispose();
  return [...values, ...moving];
}

/** The kernels f runs, copied: tf.profile hands back one object that its next call overwrites. */
async function kernelsOf(f: () => unknown): Promise<{ names: string[]; calls: number }> {
  const info = await tf.profile(() => {
    f();
  });
  return { names: [...info.kernelNames], calls: info.kernels.length };
}

const close = (a: number[], b: number[]) => {
  expect(a).toHaveLength(b.length);
  const worst = Math.max(...a.map((v, i) => Math.abs(v - b[i]!) / Math.max(1, Math.abs(b[i]!))));
  expect(worst).toBeLessThan(1e-4);
};

describe('batch norm on the fused kernels', () => {
  it('matches cpu: score, penalty, weight gradients (second order) and moving statistics', async (ctx) => {
    if (nodeError) return ctx.skip(`node: ${nodeError}`);
    await initBackend('cpu');
    const reference = trace(11);
    await initBackend('node');
    expect(setUpFusedKernels({})).toContain('FusedBatchNormV3');
    close(trace(11), reference);
  });

  it('runs TensorFlow kernels in place of the composition, fewer of them; GANZOO_FUSED=0 gives the same values', async (ctx) => {
    if (nodeError) return ctx.skip(`node: ${nodeError}`);
    await initBackend('node');
    setUpFusedKernels({});
    const fused = await kernelsOf(() => trace(12));
    const withFused = trace(12);
    setUpFusedKernels({ GANZOO_FUSED: '0' });
    const composed = await kernelsOf(() => trace(12));
    close(trace(12), withFused);
    expect(fused.names).toContain('GanzooBatchNormTraining');
    expect(fused.names).toContain('GanzooBatchNormTrainingGrad');
    expect(composed.names.filter((k) => k.startsWith('Ganzoo'))).toEqual([]);
    expect(fused.calls).toBeLessThan(composed.calls);
  });

  it('saves as the stock layer: a model with it loads without this class and gives the same outputs', async () => {
    const model = critic(13);
    const json = JSON.stringify(model.toJSON(null, false));
    expect(json).toContain('"class_name":"BatchNormalization"');
    const loaded = await saveAndLoad(model);
    expect(loaded.layers.some((l) => l instanceof FusedBatchNorm)).toBe(false);
    const x = tf.randomNormal([2, 6, 6, 3], 0, 1, 'float32', 1);
    const [a, b] = [model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
    expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBeLessThan(1e-5);
    tf.dispose([x, a, b]);
    model.dispose();
    loaded.dispose();
  });
});
