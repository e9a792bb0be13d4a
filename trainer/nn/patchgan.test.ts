import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/index.ts';
import { randomValues } from '../backend/test-util.ts';
import { Init } from './init.ts';
import { Modulate } from './modulate.ts';
import { multiScaleOutputs, multiScalePatchGanModel, patchGanModel } from './patchgan.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

const image = (seed: number, c = 1) => tf.tensor4d(randomValues(32 * 32 * c, seed), [1, 32, 32, c]);

describe('PatchGAN', () => {
  it('conditioned, it judges (input, image) pairs with a map of patch scores', () => {
    const d = patchGanModel({
      imageShape: [32, 32, 1],
      conditionChannels: 1,
      filters: 4,
      downs: 1,
      norm: 'batch',
      init: new Init(1),
      name: 'discriminator',
    });
    expect(d.inputNames).toEqual(['input', 'image']);
    expect(d.outputs[0]!.shape).toEqual([null, 16, 16, 1]);
    // The score of a pair changes with the input alone: D sees the condition.
    const [x, y, other] = [image(1), image(2), image(3)];
    const a = d.predict([x, y]) as tf.Tensor;
    const b = d.predict([other, y]) as tf.Tensor;
    expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBeGreaterThan(1e-4);
    tf.dispose([x, y, other, a, b]);
    d.dispose();
  });

  it('unconditioned (CycleGAN), it takes the image alone, instance norm after every layer but the first and last', () => {
    const d = patchGanModel({
      imageShape: [32, 32, 3],
      filters: 4,
      downs: 2,
      norm: 'instance',
      init: new Init(2),
      name: 'discriminator_a',
    });
    expect(d.inputNames).toEqual(['image']);
    expect(d.outputs[0]!.shape).toEqual([null, 8, 8, 1]);
    expect(d.layers.filter((l) => l instanceof Modulate)).toHaveLength(2);
    expect(d.layers.some((l) => l.getClassName() === 'BatchNormalization')).toBe(false);
    d.dispose();
  });

  it('with batch norm (no per-map statistics in inference) a score depends on its patch only', () => {
    const d = patchGanModel({
      imageShape: [32, 32, 1],
      filters: 4,
      downs: 1,
      norm: 'batch',
      init: new Init(3),
      name: 'discriminator',
    });
    const x = image(5);
    const changed = tf.tidy(() =>
      tf.add(
        x,
        tf.pad(tf.ones([1, 1, 1, 1]), [
          [0, 0],
          [0, 31],
          [0, 31],
          [0, 0],
        ]),
      ),
    );
    const [a, b] = [d.predict(x) as tf.Tensor, d.predict(changed) as tf.Tensor];
    const diff = tf.abs(tf.sub(a, b)).reshape([16, 16]).arraySync() as number[][];
    // Pixel (0, 0) lies in the 16 px patches of the top-left scores only.
    expect(diff[0]![0]).toBeGreaterThan(0);
    expect(Math.max(...diff.slice(8).flat(), ...diff.flatMap((row) => row.slice(8)))).toBe(0);
    tf.dispose([x, changed, a, b]);
    d.dispose();
  });

  it('multi-scale: each scale judges the pair halved once more and gives its features before its score', () => {
    const d = multiScalePatchGanModel({
      imageShape: [32, 32, 3],
      conditionChannels: 5,
      filters: 4,
      downs: 2,
      norm: 'instance',
      init: new Init(4),
      name: 'discriminator',
      scales: 2,
    });
    expect(d.inputNames).toEqual(['input', 'image']);
    // Per scale: downs + 1 feature maps, then the score.
    expect(d.outputs.map((o) => o.shape)).toEqual([
      [null, 16, 16, 4],
      [null, 8, 8, 8],
      [null, 8, 8, 16],
      [null, 8, 8, 1],
      [null, 8, 8, 4],
      [null, 4, 4, 8],
      [null, 4, 4, 16],
      [null, 4, 4, 1],
    ]);
    const [c, x] = [tf.tensor4d(randomValues(32 * 32 * 5, 8), [1, 32, 32, 5]), image(9, 3)];
    const outputs = d.predict([c, x]) as tf.Tensor[];
    const { scores, features } = multiScaleOutputs(outputs, 2);
    expect(scores.map((s) => s.shape)).toEqual([
      [1, 8, 8, 1],
      [1, 4, 4, 1],
    ]);
    expect(features.map((f) => f.length)).toEqual([3, 3]);
    // The coarse scale sees the pair averaged 2 x 2: a change that keeps every 2 x 2 mean moves only the fine one.
    const checker = tf.tidy(() =>
      tf.mul(0.1, tf.tile(tf.tensor4d([1, -1, -1, 1], [1, 2, 2, 1]), [1, 16, 16, 3])),
    );
    const moved = d.predict([c, tf.add(x, checker)]) as tf.Tensor[];
    const change = (k: number) => tf.max(tf.abs(tf.sub(outputs[k]!, moved[k]!))).dataSync()[0]!;
    expect(change(3)).toBeGreaterThan(1e-4);
    expect(change(7)).toBeLessThan(1e-5);
    expect(() => multiScaleOutputs(outputs, 3)).toThrow(/do not split into 3 scales/);
    tf.dispose([c, x, checker, ...outputs, ...moved]);
    d.dispose();
  });

  it('multi-scale: refuses a side the scales and downs cannot halve', () => {
    expect(() =>
      multiScalePatchGanModel({
        imageShape: [24, 24, 1],
        filters: 4,
        downs: 2,
        norm: 'instance',
        init: new Init(5),
        name: 'd',
        scales: 3,
      }),
    ).toThrow(/needs sides divisible by 16, got 24x24/);
  });
});
