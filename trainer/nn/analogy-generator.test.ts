import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/index.ts';
import { randomValues } from '../backend/test-util.ts';
import { analogyGeneratorModel } from './analogy-generator.ts';
import { exportableModel, needsExportCopy } from './export.ts';
import { Init } from './init.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

const build = (dropoutLayers = 0) =>
  analogyGeneratorModel({
    imageShape: [16, 16, 3],
    filters: 4,
    dropoutLayers,
    dropoutRate: 0.5,
    init: new Init(1),
  });

const images = (seed: number) => tf.tensor4d(randomValues(2 * 16 * 16 * 3, seed), [2, 16, 16, 3]);

/** Sets the bias of the mask's logit (the one-channel transposed convolution) to `b` everywhere. */
function setMaskBias(g: tf.LayersModel, b: number): void {
  const head = g.layers.find(
    (l) => l.getClassName() === 'Conv2DTranspose' && (l.outputShape as number[])[3] === 1,
  )!;
  const [kernel, bias] = head.getWeights();
  head.setWeights([tf.zerosLike(kernel!), tf.fill(bias!.shape, b)]);
}

describe('the analogy generator', () => {
  it('takes person, article and new article; gives the composite image and a mask in (0, 1)', () => {
    const g = build();
    expect(g.inputNames).toEqual(['person', 'article', 'new_article']);
    expect(g.outputNames).toEqual(['image', 'mask']);
    const xs = [images(1), images(2), images(3)];
    const [image, mask] = g.predict(xs) as tf.Tensor[];
    expect(image!.shape).toEqual([2, 16, 16, 3]);
    expect(mask!.shape).toEqual([2, 16, 16, 1]);
    expect(Array.from(mask!.dataSync()).every((v) => v > 0 && v < 1)).toBe(true);
    tf.dispose([...xs, image!, mask!]);
    g.dispose();
  });

  it('where the mask is 0 the person comes through unchanged; where it is 1 the painted image does', () => {
    const g = build();
    const person = images(4);
    const xs = [person, images(5), images(6)];
    setMaskBias(g, -40);
    const [kept, mask0] = g.predict(xs) as tf.Tensor[];
    expect(tf.max(mask0!).dataSync()[0]).toBeLessThan(1e-6);
    expect(tf.max(tf.abs(tf.sub(kept!, person))).dataSync()[0]).toBeLessThan(1e-5);
    setMaskBias(g, 40);
    const [painted] = g.predict(xs) as tf.Tensor[];
    // All painted: the output no longer holds the person, and stays in tanh's range.
    expect(tf.mean(tf.abs(tf.sub(painted!, person))).dataSync()[0]).toBeGreaterThan(0.1);
    expect(tf.max(tf.abs(painted!)).dataSync()[0]).toBeLessThanOrEqual(1);
    tf.dispose([...xs, kept!, mask0!, painted!]);
    g.dispose();
  });

  it('is stock layers but dropout; its export folds dropout away and gives the same outputs', () => {
    const g = build(2);
    expect(needsExportCopy(build(0))).toBe(false);
    expect(needsExportCopy(g)).toBe(true);
    const exported = exportableModel(g);
    const xs = [images(7), images(8), images(9)];
    const a = g.predict(xs) as tf.Tensor[];
    const b = exported.predict(xs) as tf.Tensor[];
    expect(exported.outputNames).toEqual(['image', 'mask']);
    for (let k = 0; k < 2; k++) expect(tf.max(tf.abs(tf.sub(a[k]!, b[k]!))).dataSync()[0]).toBeLessThan(1e-5);
    tf.dispose([...xs, ...a, ...b]);
    g.dispose();
    exported.dispose();
  });
});
