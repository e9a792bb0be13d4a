import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/index.ts';
import { randomValues, saveAndLoad } from '../backend/test-util.ts';
import { checkGradients, relativeError } from './gradient-check.ts';
import { ReflectPad, reflectPad } from './reflect-pad.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('reflect pad', () => {
  it('mirrors rows and columns without repeating the edge', () => {
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
    const y = new ReflectPad({ pad: 1 }).apply(x) as tf.Tensor;
    expect(y.shape).toEqual([1, 5, 5, 1]);
    // Row -1 is row 1, column -1 is column 1 (reflection about the edge, not a copy of it).
    expect(Array.from(y.dataSync())).toEqual([
      5, 4, 5, 6, 5, 2, 1, 2, 3, 2, 5, 4, 5, 6, 5, 8, 7, 8, 9, 8, 5, 4, 5, 6, 5,
    ]);
    tf.dispose([x, y]);
  });

  it('gives its symbolic shape and refuses a pad as wide as the side', () => {
    const x = tf.input({ shape: [8, 6, 3] });
    expect(reflectPad(x, 3).shape).toEqual([null, 14, 12, 3]);
    expect(() => reflectPad(tf.input({ shape: [3, 8, 1] }), 3)).toThrow(/height 3 must exceed pad 3/);
    expect(() => new ReflectPad({ pad: 0 })).toThrow(/pad must be an integer >= 1/);
  });

  it('its gradient matches finite differences', () => {
    const x = tf.variable(tf.tensor4d(randomValues(2 * 4 * 5 * 2, 3), [2, 4, 5, 2]));
    const weights = tf.tensor4d(randomValues(2 * 8 * 9 * 2, 4), [2, 8, 9, 2]);
    const layer = new ReflectPad({ pad: 2 });
    const f = () => tf.sum(tf.mul(layer.apply(x) as tf.Tensor, weights)) as tf.Scalar;
    for (const check of checkGradients(f, [x])) expect(relativeError(check)).toBeLessThan(0.01);
    tf.dispose([x, weights]);
  });

  it('survives a save and load as its registered class', async () => {
    const input = tf.input({ shape: [4, 4, 1] });
    const model = tf.model({ inputs: input, outputs: reflectPad(input, 2) });
    const loaded = await saveAndLoad(model);
    const x = tf.tensor4d(randomValues(16, 5), [1, 4, 4, 1]);
    const [a, b] = [model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([x, a, b]);
  });
});

describe('reflect pad folded for export', () => {
  it('stock crops and joins give the same output, and instance norm folds to layer norm over H and W', async () => {
    const { exportableModel } = await import('./export.ts');
    const { instanceNorm } = await import('./modulate.ts');
    const input = tf.input({ shape: [6, 5, 2] });
    const model = tf.model({ inputs: input, outputs: instanceNorm(reflectPad(input, 3)) });
    const exported = exportableModel(model);
    const kinds = exported.layers.map((l) => l.getClassName());
    expect(kinds).not.toContain('ReflectPad');
    expect(kinds).not.toContain('Modulate');
    expect(kinds).toContain('Cropping2D');
    expect(kinds).toContain('LayerNormalization');
    const x = tf.tensor4d(randomValues(2 * 6 * 5 * 2, 8), [2, 6, 5, 2]);
    const [a, b] = [model.predict(x) as tf.Tensor, exported.predict(x) as tf.Tensor];
    expect(b.shape).toEqual([2, 12, 11, 2]);
    expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBeLessThan(1e-4);
    tf.dispose([x, a, b]);
    exported.dispose();
  });
});
