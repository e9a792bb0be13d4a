import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { resizeBicubicBatch } from '../../shared/layers/bicubic.ts';
import { resizeImages, resizeLayers, resizeWeights } from '../../shared/layers/resize.ts';
import { initBackend } from '../backend/index.ts';
import { saveAndLoad } from '../backend/test-util.ts';
import { checkGradients, randomTensor, relativeError } from './gradient-check.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('resize', () => {
  it('each output pixel is a weighted mean of input pixels: rows sum to 1, weights non-negative', () => {
    for (const [from, to] of [
      [25, 19],
      [19, 25],
      [64, 16],
      [7, 7],
    ] as const) {
      const w = resizeWeights(from, to);
      for (let i = 0; i < to; i++) {
        const row = Array.from(w.subarray(i * from, (i + 1) * from));
        expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
        expect(Math.min(...row)).toBeGreaterThanOrEqual(0);
      }
    }
  });

  it('upscaling by 2 is bilinear with half-pixel centres; shrinking by 2 averages a 4-pixel neighbourhood', () => {
    const up = resizeWeights(2, 4);
    // Output pixel 1 (centre 0.75 in input pixels) lies a quarter of the way from pixel 0 to pixel 1.
    expect(Array.from(up.subarray(2, 4))).toEqual([0.75, 0.25]);
    // Output pixel 0 falls before input pixel 0's centre: clamped to it.
    expect(Array.from(up.subarray(0, 2))).toEqual([1, 0]);
    const down = resizeWeights(8, 4);
    // Output 1 covers inputs 2 and 3 (weight 3/8 each) and feels 1 and 4 (1/8 each): antialiased.
    expect(Array.from(down.subarray(8, 16)).map((v) => Math.round(v * 8))).toEqual([0, 1, 3, 3, 1, 0, 0, 0]);
  });

  it('keeps a constant image constant and a linear ramp linear away from the borders', () => {
    const ramp = tf.tidy(() =>
      tf.tile(tf.reshape(tf.add(tf.range(0, 12), 0.5), [1, 1, 12, 1]), [1, 5, 1, 2]),
    ) as tf.Tensor4D;
    const out = resizeImages(ramp, [7, 18]);
    expect(out.shape).toEqual([1, 7, 18, 2]);
    const v = out.arraySync()[0]![3]!;
    // The ramp's value at output column j is the input position of its centre, (j + 0.5) * 12 / 18.
    for (let j = 2; j < 16; j++) expect(v[j]![0]).toBeCloseTo(((j + 0.5) * 12) / 18, 4);
    const constant = resizeImages(tf.fill([2, 9, 5, 3], 0.3) as tf.Tensor4D, [4, 11]);
    expect(Math.max(...Array.from(constant.dataSync()).map((x) => Math.abs(x - 0.3)))).toBeLessThan(1e-6);
    tf.dispose([ramp, out, constant]);
  });

  it('the stock-layer resize gives the tensor resize, in a model that saves and loads without custom classes', async () => {
    const x = randomTensor([2, 10, 6, 3], 4) as tf.Tensor4D;
    const input = tf.input({ shape: [10, 6, 3] });
    const model = tf.model({ inputs: input, outputs: resizeLayers([10, 6], [7, 9], 'up')(input) });
    expect(model.trainableWeights).toHaveLength(0);
    const direct = resizeImages(x, [7, 9]);
    const viaLayers = model.predict(x) as tf.Tensor;
    expect(viaLayers.shape).toEqual([2, 7, 9, 3]);
    expect(tf.max(tf.abs(tf.sub(direct, viaLayers))).dataSync()[0]).toBeLessThan(1e-5);
    const loaded = await saveAndLoad(model);
    const again = loaded.predict(x) as tf.Tensor;
    expect(tf.max(tf.abs(tf.sub(direct, again))).dataSync()[0]).toBeLessThan(1e-5);
    tf.dispose([x, direct, viaLayers, again]);
    model.dispose();
    loaded.dispose();
  });

  it("the 'bicubic' filter gives the project's bicubic resampling, edges included (8 -> 32, the x4 of photos-x4)", () => {
    const x = randomTensor([2, 8, 8, 3], 5) as tf.Tensor4D;
    const input = tf.input({ shape: [8, 8, 3] });
    const model = tf.model({
      inputs: input,
      outputs: resizeLayers([8, 8], [32, 32], 'x4', 'bicubic')(input),
    });
    expect(model.trainableWeights).toHaveLength(0);
    const viaLayers = model.predict(x) as tf.Tensor;
    const want = resizeBicubicBatch(x.dataSync() as Float32Array, [8, 8, 3], [32, 32]);
    const got = viaLayers.dataSync();
    expect(got.length).toBe(want.length);
    expect(Math.max(...want.map((v, i) => Math.abs(v - got[i]!)))).toBeLessThan(1e-5);
    // Not the linear filter: the two differ where the image is not locally linear.
    const linear = resizeImages(x, [32, 32]);
    expect(tf.max(tf.abs(tf.sub(linear, viaLayers))).dataSync()[0]).toBeGreaterThan(1e-2);
    tf.dispose([x, viaLayers, linear]);
    model.dispose();
  });

  it('differentiates twice: gradients of a gradient norm through the resize match finite differences', () => {
    const w = tf.variable(randomTensor([1, 6, 5, 2], 7));
    // A gradient-penalty-like loss: the squared norm of d/dx of a resized image's weighted sum.
    const weights = randomTensor([1, 9, 4, 2], 8);
    const f = () =>
      tf.tidy(() => {
        const g = tf.grad((x: tf.Tensor) =>
          tf.sum(tf.mul(tf.square(resizeImages(x as tf.Tensor4D, [9, 4])), weights)),
        )(w);
        return tf.sum(tf.square(g)) as tf.Scalar;
      });
    for (const check of checkGradients(f, [w], { h: 1e-2 })) expect(relativeError(check)).toBeLessThan(2e-2);
    tf.dispose([w, weights]);
  });
});
