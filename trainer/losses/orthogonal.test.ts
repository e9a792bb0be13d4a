import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/index.ts';
import { randomValues } from '../backend/test-util.ts';
import { checkGradients, relativeError } from '../nn/gradient-check.ts';
import { Init } from '../nn/init.ts';
import { classEmbedding, conv, input } from '../nn/layers.ts';
import { kernelsOf, orthogonalPenalty } from './orthogonal.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('orthogonal regularisation', () => {
  it('is 0 for orthogonal columns of any norm, and the squared off-diagonal Gram entries otherwise', () => {
    const orthogonal = tf.tensor2d([
      [3, 0],
      [0, 0.5],
      [0, 0],
    ]);
    expect(orthogonalPenalty([orthogonal]).dataSync()[0]).toBe(0);
    // Columns a = (1, 1, 0), b = (1, 0, 2): a . b = 1, counted twice (Gram is symmetric).
    const w = tf.tensor2d([
      [1, 1],
      [1, 0],
      [0, 2],
    ]);
    expect(orthogonalPenalty([w, orthogonal]).dataSync()[0]).toBeCloseTo(2, 6);
  });

  it('reads a conv kernel as [fan-in, filters]', () => {
    const k = tf.tensor4d(randomValues(3 * 3 * 2 * 4, 1), [3, 3, 2, 4]);
    const w = tf.reshape(k, [18, 4]);
    const gram = tf.matMul(w, w, true).arraySync() as number[][];
    let expected = 0;
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) if (i !== j) expected += gram[i]![j]! ** 2;
    expect(orthogonalPenalty([k]).dataSync()[0]).toBeCloseTo(expected, 4);
  });

  it('its gradient matches finite differences', () => {
    const v = tf.variable(tf.tensor4d(randomValues(3 * 3 * 2 * 4, 2), [3, 3, 2, 4]));
    const [check] = checkGradients(() => orthogonalPenalty([v]), [v], { h: 1e-2 });
    expect(Math.abs(check!.analytic)).toBeGreaterThan(0.1);
    expect(relativeError(check!)).toBeLessThan(0.01);
  });

  it("finds a model's kernels, leaving out the ones named", () => {
    const x = input([4, 4, 1], 'x');
    const y = input([3], 'y');
    const init = new Init(1);
    const c = conv(x, { name: 'c', filters: 2, kernel: 3, strides: 1, init, spectralNorm: true });
    const e = classEmbedding(y, 2, { name: 'shared_embedding', init });
    const m = tf.model({ inputs: [x, y], outputs: [c, e] });
    expect(kernelsOf(m).map((k) => k.shape)).toEqual([
      [3, 3, 1, 2],
      [3, 2],
    ]);
    expect(kernelsOf(m, ['shared_embedding']).map((k) => k.shape)).toEqual([[3, 3, 1, 2]]);
    expect(() => orthogonalPenalty([])).toThrow(/at least one kernel/);
  });
});
