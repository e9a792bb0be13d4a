import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/index.ts';
import { checkGradients, oneHot, randomiseWeights, randomTensor, relativeError } from './gradient-check.ts';
import { Init } from './init.ts';
import { Modulate, type ModulateArgs, modulate } from './modulate.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

const N = 4;
const [H, W, C] = [5, 6, 3];

const tensor = randomTensor;

/** A model [x, c] -> Modulate(x, c), for the condition shape each source takes. */
function model(args: ModulateArgs, cShape: number[], xShape = [H, W, C]): tf.LayersModel {
  const x = tf.input({ shape: xShape });
  const c = tf.input({ shape: cShape });
  return tf.model({ inputs: [x, c], outputs: modulate(x, c, args) });
}

function layerOf(m: tf.LayersModel): Modulate {
  return m.layers.find((l): l is Modulate => l instanceof Modulate)!;
}

const randomise = (m: tf.LayersModel, seed: number) => randomiseWeights(m, seed, 0.5);

const sources = {
  class: {
    args: { norm: 'batch', source: { from: 'class' } },
    c: () => oneHot([0, 2, 1, 2], 3),
    cShape: [3],
  },
  style: {
    args: { norm: 'instance', source: { from: 'style' }, init: new Init(1).normal(0.3) },
    c: () => tensor([N, 7], 11),
    cShape: [7],
  },
  map: {
    args: { norm: 'batch', source: { from: 'map', hidden: 4 }, init: new Init(2).normal(0.3) },
    c: () => tensor([N, 3, 3, 2], 12),
    cShape: [3, 3, 2],
  },
} as const satisfies Record<string, { args: ModulateArgs; c: () => tf.Tensor; cShape: number[] }>;

describe('Modulate', () => {
  for (const [name, s] of Object.entries(sources)) {
    it(`${name}: keeps x's shape and has the weights its source needs`, () => {
      const m = model(s.args, s.cShape);
      const out = m.apply([tensor([N, H, W, C], 3), s.c()], { training: true }) as tf.Tensor;
      expect(out.shape).toEqual([N, H, W, C]);
      const shapes = m.trainableWeights.map((w) => w.shape);
      if (name === 'class')
        expect(shapes).toEqual([
          [3, C],
          [3, C],
        ]);
      if (name === 'style') expect(shapes).toEqual([[7, C], [C], [7, C], [C]]);
      if (name === 'map') expect(shapes).toEqual([[3, 3, 2, 4], [4], [3, 3, 4, C], [C], [3, 3, 4, C], [C]]);
      expect(m.nonTrainableWeights.map((w) => w.shape)).toEqual(s.args.norm === 'batch' ? [[C], [C]] : []);
    });

    it(`${name}: gradients of every weight, x and c match finite differences`, () => {
      const m = model(s.args, s.cShape);
      randomise(m, 20);
      const x = tf.variable(tensor([N, H, W, C], 4, 2));
      // A one-hot stays one-hot in use, but the layer is a function of any c: check it there too.
      const c = tf.variable(tf.add(s.c(), tensor(s.c().shape, 5, 0.1)));
      const r = tensor([N, H, W, C], 6);
      const f = () => tf.sum(tf.mul(m.apply([x, c], { training: true }) as tf.Tensor, r)) as tf.Scalar;
      const variables = [...m.trainableWeights.map((w) => w.read() as tf.Variable), x, c];
      // The map path's ReLU has kinks: a smaller step keeps every unit on its side.
      const checks = checkGradients(f, variables, { h: name === 'map' ? 1e-3 : 1e-2 });
      expect(checks).toHaveLength(variables.length);
      for (const check of checks) {
        expect(Math.abs(check.analytic), check.name).toBeGreaterThan(1e-2);
        expect(relativeError(check), check.name).toBeLessThan(0.02);
      }
    });
  }

  it('class: starts as plain batch norm, then scales and shifts each sample by its class row', () => {
    const m = model(sources.class.args, [3]);
    const x = tensor([N, H, W, C], 7, 3);
    const c = oneHot([0, 2, 1, 2], 3);
    const plain = m.apply([x, c], { training: true }) as tf.Tensor;
    const { mean, variance } = tf.moments(x, [0, 1, 2]);
    const expected = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5)));
    expect(tf.max(tf.abs(tf.sub(plain, expected))).dataSync()[0]).toBeLessThan(1e-4);

    const [gammaTable, betaTable] = layerOf(m).trainableWeights;
    gammaTable!.write(tf.tensor2d([0, 0, 0, 1, 1, 1, -0.5, -0.5, -0.5], [3, 3]));
    betaTable!.write(tf.tensor2d([0, 0, 0, 0, 0, 0, 2, 2, 2], [3, 3]));
    const out = (m.apply([x, c], { training: true }) as tf.Tensor).arraySync() as number[][][][];
    const base = expected.arraySync() as number[][][][];
    // Sample 0 is class 0 (unchanged), sample 2 class 1 (x 2), samples 1 and 3 class 2 (x 0.5 + 2).
    expect(out[0]![1]![2]![0]).toBeCloseTo(base[0]![1]![2]![0]!, 4);
    expect(out[2]![1]![2]![1]).toBeCloseTo(2 * base[2]![1]![2]![1]!, 4);
    expect(out[3]![4]![0]![2]).toBeCloseTo(0.5 * base[3]![4]![0]![2]! + 2, 4);
  });

  it('batch: moving statistics follow the batch in training only, and inference uses them', () => {
    const m = model(sources.class.args, [3]);
    const layer = layerOf(m);
    const x = tf.add(tensor([N, H, W, C], 8), 3);
    const c = oneHot([0, 1, 2, 0], 3);
    const moving = () => layer.nonTrainableWeights.map((w) => Array.from(w.read().dataSync()));
    tf.dispose(m.predict([x, c]));
    expect(moving()).toEqual([
      [0, 0, 0],
      [1, 1, 1],
    ]);
    for (let i = 0; i < 100; i++) tf.dispose(m.apply([x, c], { training: true }) as tf.Tensor);
    const { mean, variance } = tf.moments(x, [0, 1, 2]);
    const [mu, v] = moving();
    for (const [i, value] of mu!.entries()) expect(value).toBeCloseTo(mean.dataSync()[i]!, 2);
    for (const [i, value] of v!.entries()) expect(value).toBeCloseTo(variance.dataSync()[i]!, 2);
    // Inference with the statistics converged is the training output on the same batch.
    const training = m.apply([x, c], { training: true }) as tf.Tensor;
    const inference = m.predict([x, c]) as tf.Tensor;
    expect(tf.max(tf.abs(tf.sub(training, inference))).dataSync()[0]).toBeLessThan(0.01);
  });

  it('instance: each sample and channel is normalised on its own, then styled', () => {
    const m = model(sources.style.args, [7]);
    const x = tensor([N, H, W, C], 9, 4);
    const out = m.predict([x, tf.zeros([N, 7])]) as tf.Tensor; // style 0: gamma = beta = bias = 0
    const { mean, variance } = tf.moments(out, [1, 2]);
    expect(tf.max(tf.abs(mean)).dataSync()[0]).toBeLessThan(1e-4);
    expect(tf.max(tf.abs(tf.sub(variance, 1))).dataSync()[0]).toBeLessThan(1e-2);
  });

  it('instance on a volume [N, D, H, W, C]: normalised over D, H and W per sample and channel, then styled', () => {
    const m = model(sources.style.args, [7], [2, H, W, C]);
    randomiseWeights(m, 50, 0.1);
    const x = tensor([N, 2, H, W, C], 13, 4);
    const c = tensor([N, 7], 14);
    const out = m.predict([x, c]) as tf.Tensor;
    expect(out.shape).toEqual([N, 2, H, W, C]);
    // Undo the styling: (out - beta) / (1 + gamma) must be x normalised over its three spatial axes.
    const [gk, gb, bk, bb] = layerOf(m).trainableWeights.map((w) => w.read());
    const perSample = (k: tf.Tensor, b: tf.Tensor) =>
      tf.reshape(tf.add(tf.matMul(c as tf.Tensor2D, k as tf.Tensor2D), b), [N, 1, 1, 1, C]);
    const normalised = tf.div(tf.sub(out, perSample(bk!, bb!)), tf.add(1, perSample(gk!, gb!)));
    const { mean, variance } = tf.moments(x, [1, 2, 3], true);
    const expected = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5)));
    expect(tf.max(tf.abs(tf.sub(normalised, expected))).dataSync()[0]).toBeLessThan(1e-3);
  });

  it('map: gamma and beta vary over the image with the label map', () => {
    const m = model(sources.map.args, [3, 3, 2]);
    randomise(m, 30);
    const x = tf.ones([1, H, W, C]);
    // Constant x normalises to 0 only under batch statistics; inference uses the initial moving ones (0, 1).
    const left = tf.concat([tf.ones([1, 3, 1, 2]), tf.zeros([1, 3, 2, 2])], 2);
    const out = (m.predict([x, left]) as tf.Tensor).arraySync() as number[][][][];
    expect(out[0]![2]![0]![0]).not.toBeCloseTo(out[0]![2]![5]![0]!, 3);
  });

  it('refuses a condition of the wrong rank, naming the layer and the source', () => {
    const x = tf.input({ shape: [H, W, C] });
    const c = tf.input({ shape: [3] });
    expect(() =>
      modulate(x, c, {
        norm: 'batch',
        source: { from: 'map', hidden: 2 },
        init: new Init(1).normal(),
        name: 'm',
      }),
    ).toThrow(/modulate m: a 'map' condition has rank 4/);
    expect(() => new Modulate({ norm: 'batch', source: { from: 'style' } })).toThrow(/needs an initialiser/);
  });

  for (const name of ['class', 'style'] as const) {
    it(`${name} with batch norm folds into stock Dense, Reshape, Multiply and Add layers with the same output`, () => {
      const args = { ...sources[name].args, norm: 'batch' } as ModulateArgs;
      const m = model(args, [...sources[name].cShape]);
      randomise(m, 40);
      const layer = layerOf(m);
      const x = tf.add(tensor([N, H, W, C], 10, 2), 1);
      for (let i = 0; i < 5; i++)
        tf.dispose(m.apply([x, sources[name].c()], { training: true }) as tf.Tensor);
      const xIn = tf.input({ shape: [H, W, C] });
      const cIn = tf.input({ shape: [...sources[name].cShape] });
      const folded = tf.model({ inputs: [xIn, cIn], outputs: layer.fold(xIn, cIn)! });
      expect(new Set(folded.layers.map((l) => l.getClassName()))).toEqual(
        new Set(['InputLayer', 'Dense', 'Reshape', 'Multiply', 'Add']),
      );
      const c = sources[name].c();
      const diff = tf.sub(m.predict([x, c]) as tf.Tensor, folded.predict([x, c]) as tf.Tensor);
      expect(tf.max(tf.abs(diff)).dataSync()[0]).toBeLessThan(1e-4);
    });
  }

  it('style with instance norm (AdaIN) folds into InstanceNorm and stock layers with the same output', () => {
    const args = { ...sources.style.args, norm: 'instance' } as ModulateArgs;
    const m = model(args, [...sources.style.cShape]);
    randomise(m, 41);
    const xIn = tf.input({ shape: [H, W, C] });
    const cIn = tf.input({ shape: [...sources.style.cShape] });
    const folded = tf.model({ inputs: [xIn, cIn], outputs: layerOf(m).fold(xIn, cIn)! });
    expect(new Set(folded.layers.map((l) => l.getClassName()))).toEqual(
      new Set(['InputLayer', 'InstanceNorm', 'Dense', 'Reshape', 'Multiply', 'Add']),
    );
    const x = tf.add(tensor([N, H, W, C], 12, 2), 1);
    const c = sources.style.c();
    const diff = tf.sub(m.predict([x, c]) as tf.Tensor, folded.predict([x, c]) as tf.Tensor);
    expect(tf.max(tf.abs(diff)).dataSync()[0]).toBeLessThan(1e-4);
  });

  it('does not fold a label map (it stays this registered class)', () => {
    const xIn = tf.input({ shape: [H, W, C] });
    for (const norm of ['batch', 'instance'] as const) {
      const m = model({ ...sources.map.args, norm } as ModulateArgs, [...sources.map.cShape]);
      expect(layerOf(m).fold(xIn, tf.input({ shape: [...sources.map.cShape] }))).toBeUndefined();
    }
  });
});
