import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/index.ts';
import { randomValues } from '../backend/test-util.ts';
import { Init } from './init.ts';
import { powerIteration, SpectralNorm, sigmaMetrics, spectralNormLayers } from './spectral-norm.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

/** Largest singular value of a small matrix, by 500 plain power iterations on w^T w in JS. */
function exactSpectralNorm(w: tf.Tensor2D): number {
  const [m, n] = w.shape;
  const a = w.arraySync();
  let x = Array.from({ length: n }, (_, i) => 1 + i / n);
  let s = 0;
  for (let it = 0; it < 500; it++) {
    const y = Array.from({ length: m }, (_, i) => a[i]!.reduce((acc, v, j) => acc + v * x[j]!, 0));
    const z = Array.from({ length: n }, (_, j) => y.reduce((acc, v, i) => acc + v * a[i]![j]!, 0));
    const norm = Math.hypot(...z);
    s = Math.sqrt(norm / Math.hypot(...x));
    x = z.map((v) => v / norm);
  }
  return s;
}

describe('power iteration', () => {
  it("finds a matrix's largest singular value from a persistent vector", () => {
    const w = tf.tensor2d(randomValues(12 * 5, 1), [12, 5]);
    let u = tf.tensor1d(randomValues(5, 2));
    let sigma = 0;
    for (let i = 0; i < 30; i++) {
      const r = powerIteration(w, u);
      sigma = r.sigma.dataSync()[0]!;
      u = r.u;
    }
    expect(sigma).toBeCloseTo(exactSpectralNorm(w), 4);
  });

  it("sigma's gradient is v u^T (u and v held fixed)", () => {
    const w = tf.tensor2d([
      [3, 0],
      [0, 1],
      [0, 0],
    ]);
    const g = tf.grad((x: tf.Tensor) => powerIteration(x as tf.Tensor2D, tf.tensor1d([1, 0.01])).sigma)(w);
    // Top singular pair: v = e1 (rows), u = e1 (columns); d sigma / d w = e1 e1^T.
    const values = g.arraySync() as number[][];
    expect(values[0]![0]).toBeCloseTo(1, 3);
    expect(Math.abs(values[1]![1]!)).toBeLessThan(1e-3);
  });
});

describe('SpectralNorm layer', () => {
  function model(init: Init): tf.LayersModel {
    const x = tf.input({ shape: [6, 6, 2] });
    const conv = new SpectralNorm(
      tf.layers.conv2d({ filters: 3, kernelSize: 3, kernelInitializer: init.normal(0.5) }),
      { uInitializer: init.normal(1), name: 'sn_conv' },
    ).apply(x) as tf.SymbolicTensor;
    const flat = tf.layers.flatten().apply(conv) as tf.SymbolicTensor;
    const out = new SpectralNorm(tf.layers.dense({ units: 1, kernelInitializer: init.normal(0.5) }), {
      uInitializer: init.normal(1),
      name: 'sn_dense',
    }).apply(flat) as tf.SymbolicTensor;
    return tf.model({ inputs: x, outputs: out });
  }

  it("trains the wrapped layer's weights and keeps u as a non-trainable weight", () => {
    const m = model(new Init(1));
    const layers = spectralNormLayers(m);
    expect(layers.map((l) => l.name)).toEqual(['sn_conv', 'sn_dense']);
    expect(layers[0]!.trainableWeights.map((w) => w.shape)).toEqual([[3, 3, 2, 3], [3]]);
    expect(layers[0]!.nonTrainableWeights.map((w) => w.shape)).toEqual([[3]]);
    expect(m.weights).toHaveLength(6);
    m.dispose();
  });

  it('divides the kernel by its spectral norm: sigma of the applied kernel ~1 after a few training calls', () => {
    const m = model(new Init(2));
    const x = tf.tensor4d(randomValues(4 * 6 * 6 * 2, 3), [4, 6, 6, 2]);
    const [conv, dense] = spectralNormLayers(m) as [SpectralNorm, SpectralNorm];
    const kernel = conv.inner.trainableWeights[0]!.read();
    const raw = exactSpectralNorm(tf.reshape(kernel, [-1, 3]) as tf.Tensor2D);
    expect(raw).toBeGreaterThan(1.5); // so normalisation has something to do
    const applied = () => sigmaMetrics(m, 'D');
    const before = applied()['sigma/D/sn_conv']!.dataSync()[0]!;
    for (let i = 0; i < 5; i++) tf.dispose(m.apply(x, { training: true }) as tf.Tensor);
    const after = Object.fromEntries(Object.entries(applied()).map(([k, v]) => [k, v.dataSync()[0]!]));
    expect(Object.keys(after)).toEqual(['sigma/D/sn_conv', 'sigma/D/sn_dense']);
    for (const v of Object.values(after)) expect(Math.abs(v - 1)).toBeLessThan(0.01);
    expect(Math.abs(before - 1)).toBeGreaterThan(Math.abs(after['sigma/D/sn_conv']! - 1));
    // Against the exact norm: kernel / sigma, with sigma as the layer now computes it (inference: u kept).
    const { sigma } = powerIteration(
      tf.reshape(kernel, [-1, 3]) as tf.Tensor2D,
      conv.nonTrainableWeights[0]!.read() as tf.Tensor1D,
    );
    expect(raw / sigma.dataSync()[0]!).toBeCloseTo(1, 2);
    expect(dense.normalisedSigma().dataSync()[0]).toBeCloseTo(1, 2);
    m.dispose();
  });

  it('refines u only in training calls', () => {
    const m = model(new Init(3));
    const x = tf.tensor4d(randomValues(2 * 6 * 6 * 2, 4), [2, 6, 6, 2]);
    const u = () => Array.from(spectralNormLayers(m)[0]!.nonTrainableWeights[0]!.read().dataSync());
    const start = u();
    tf.dispose(m.predict(x));
    expect(u()).toEqual(start);
    tf.dispose(m.apply(x, { training: true }) as tf.Tensor);
    expect(u()).not.toEqual(start);
    m.dispose();
  });

  it('refuses a layer without a kernel it can normalise', () => {
    expect(() => new SpectralNorm(tf.layers.flatten(), { uInitializer: new Init(1).normal(1) })).toThrow(
      /wraps Dense, Conv2D, Conv1D layers, not Flatten/,
    );
  });
});
