import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/index.ts';
import { checkGradients, oneHot, randomiseWeights, randomTensor, relativeError } from './gradient-check.ts';
import { Init } from './init.ts';
import { classEmbedding, sliceOf } from './layers.ts';
import { Modulate } from './modulate.ts';
import { globalPool, projectionScore, residualDown, residualUp } from './resnet.ts';
import { SpectralNorm, spectralNormLayers } from './spectral-norm.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

const values = randomTensor;
const randomise = (m: tf.LayersModel, scale: number) => randomiseWeights(m, 100, scale);

function expectGradientsMatch(m: tf.LayersModel, inputs: tf.Tensor[], h = 1e-3): void {
  const r = values(
    (m.outputs[0]!.shape as number[]).map((d) => d ?? inputs[0]!.shape[0]!),
    7,
  );
  const f = () => tf.sum(tf.mul(m.apply(inputs, { training: true }) as tf.Tensor, r)) as tf.Scalar;
  const checks = checkGradients(
    f,
    m.trainableWeights.map((w) => w.read() as tf.Variable),
    { h },
  );
  for (const check of checks) {
    expect(Math.abs(check.analytic), check.name).toBeGreaterThan(1e-3);
    expect(relativeError(check), check.name).toBeLessThan(0.05);
  }
}

describe('residual blocks', () => {
  it('up: [N, H, W, C] -> [N, 2H, 2W, filters], normalised by two modulate layers of the condition', () => {
    const x = tf.input({ shape: [4, 4, 6] });
    const y = tf.input({ shape: [3] });
    const out = residualUp(x, y, {
      filters: 5,
      init: new Init(1),
      spectralNorm: true,
      source: { from: 'class' },
      name: 'up',
    });
    const m = tf.model({ inputs: [x, y], outputs: out });
    expect(out.shape).toEqual([null, 8, 8, 5]);
    expect(m.layers.filter((l) => l instanceof Modulate)).toHaveLength(2);
    expect(spectralNormLayers(m).map((l) => l.name)).toEqual(['sn_up_conv1', 'sn_up_conv2', 'sn_up_skip']);
    // Gradients without spectral norm: each training call refines its u, so the function would move
    // between the evaluations finite differences take (its own gradient is checked in spectral-norm.test).
    const plain = residualUp(x, y, {
      filters: 5,
      init: new Init(1),
      spectralNorm: false,
      source: { from: 'class' },
      name: 'p',
    });
    const g = tf.model({ inputs: [x, y], outputs: plain });
    randomise(g, 0.5);
    expectGradientsMatch(g, [values([3, 4, 4, 6], 1), oneHot([0, 2, 1], 3)]);
  });

  it('down: [N, H, W, C] -> [N, H/2, W/2, filters]; the first block pools before its shortcut', () => {
    for (const first of [true, false]) {
      const x = tf.input({ shape: [6, 6, 2] });
      const out = residualDown(x, {
        filters: 4,
        init: new Init(2),
        spectralNorm: false,
        name: 'down',
        first,
      });
      expect(out.shape).toEqual([null, 3, 3, 4]);
      const m = tf.model({ inputs: x, outputs: out });
      const kinds = m.layers.map((l) => l.getClassName());
      expect(kinds.filter((k) => k === 'ReLU')).toHaveLength(first ? 1 : 2);
      randomise(m, 0.5);
      expectGradientsMatch(m, [values([2, 6, 6, 2], 3)]);
    }
  });
});

describe('projection discriminator head', () => {
  function head() {
    const phi = tf.input({ shape: [5] });
    const y = tf.input({ shape: [3] });
    const score = projectionScore(phi, y, { init: new Init(3), spectralNorm: false });
    return tf.model({ inputs: [phi, y], outputs: score });
  }

  it('scores dense(phi) + <embedding of the class, phi>', () => {
    const m = head();
    randomise(m, 0.5);
    const phi = values([3, 5], 4);
    const y = oneHot([2, 0, 1], 3);
    const score = (m.predict([phi, y]) as tf.Tensor).dataSync();
    const [k, b] = m.getLayer('score').getWeights();
    const [table] = m.getLayer('embed').getWeights();
    const expected = tf.add(
      tf.add(tf.matMul(phi, k!), b!),
      tf.sum(tf.mul(tf.matMul(y, table!), phi), 1, true),
    );
    const e = expected.dataSync();
    for (let i = 0; i < 3; i++) expect(score[i]).toBeCloseTo(e[i]!, 5);
  });

  it('gradients match finite differences', () => {
    const m = head();
    randomise(m, 0.5);
    expectGradientsMatch(m, [values([3, 5], 5), oneHot([2, 0, 1], 3)], 1e-2);
  });

  it('global pooling: ReLU then the mean over positions', () => {
    const x = tf.input({ shape: [2, 2, 3] });
    const m = tf.model({ inputs: x, outputs: globalPool(x) });
    const out = m.predict(tf.tensor4d([1, -1, 2, 3, -3, 0, -5, 5, 1, 1, 1, 1], [1, 2, 2, 3])) as tf.Tensor;
    expect(Array.from(out.dataSync())).toEqual([5 / 4, 6 / 4, 4 / 4]);
  });
});

describe('class embedding', () => {
  it('is a table lookup, and spectral norm normalises the table [classes, units]', () => {
    const y = tf.input({ shape: [4] });
    const e = classEmbedding(y, 6, { init: new Init(4), spectralNorm: true, name: 'emb' });
    const m = tf.model({ inputs: y, outputs: e });
    const sn = spectralNormLayers(m)[0] as SpectralNorm;
    expect(sn).toBeInstanceOf(SpectralNorm);
    const table = values([4, 6], 6, 3);
    sn.inner.setWeights([table]);
    const labels = oneHot([0, 1, 2, 3], 4);
    for (let i = 0; i < 30; i++) tf.dispose(m.apply(labels, { training: true }) as tf.Tensor);
    const rows = m.predict(labels) as tf.Tensor; // the normalised table itself, row by row
    expect(sn.normalisedSigma(20).dataSync()[0]).toBeCloseTo(1, 2);
    // Each row is the class's row of the table, all divided by the same sigma.
    const ratio = tf.div(rows, table).dataSync();
    for (const v of ratio) expect(v).toBeCloseTo(ratio[0]!, 4);
    expect(ratio[0]).toBeLessThan(1);
  });
});

describe('slice', () => {
  it('takes [start, start + size) of a vector with stock layers, and refuses a slice outside it', () => {
    const z = tf.input({ shape: [6] });
    const m = tf.model({ inputs: z, outputs: sliceOf(z, 2, 3) });
    expect(Array.from((m.predict(tf.tensor2d([[0, 1, 2, 3, 4, 5]])) as tf.Tensor).dataSync())).toEqual([
      2, 3, 4,
    ]);
    expect(() => sliceOf(z, 4, 3)).toThrow(/slice \[4, 7\) is outside a vector of 6/);
  });
});
