import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { datasetInfo } from '../../shared/datasets.ts';
import { describeTranslator } from '../../shared/generator.ts';
import { initBackend } from '../backend/index.ts';
import { heldOutBatch } from '../data/derived/index.ts';
import { batchTensors } from '../data/index.ts';
import { analogyGeneratorModel } from '../nn/analogy-generator.ts';
import { Init } from '../nn/init.ts';
import { evaluateAnalogy, outsideL1, pasteColour } from './analogy.ts';
import { articleAccuracy, buildArticleReader } from './article-reader.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

const info = datasetInfo('figures-articles');
const common = {
  version: 1,
  createdAt: '2026-01-01T00:00:00.000Z',
  run: {
    dir: 'x',
    family: 'cagan',
    dataset: 'figures-articles' as const,
    steps: 1,
    specSeed: 1,
    latentDim: 0,
  },
  seed: 1,
  backend: { tfjsBackend: 'wasm' },
  seconds: 0,
};

describe('the article swap evaluation', () => {
  it("gives held-out person i the next item's article and its attributes", () => {
    const held = heldOutBatch(info, 4);
    const rows = (t: tf.Tensor) => t.arraySync() as unknown[];
    const articles = rows(held.article!);
    const attributes = rows(held.attributes!);
    expect(rows(held.newArticle!)).toEqual([1, 2, 3, 0].map((i) => articles[i]));
    expect(rows(held.newAttributes!)).toEqual([1, 2, 3, 0].map((i) => attributes[i]));
    tf.dispose(batchTensors(held));
  });

  it('outside L1 counts only the pixels the worn region does not cover', () => {
    const person = tf.zeros([1, 2, 2, 3]) as tf.Tensor4D;
    const out = tf.tensor4d([1, 1, 1, 0.5, 0.5, 0.5, 0, 0, 0, 0, 0, 0], [1, 2, 2, 3]);
    // The first pixel is inside the region (changed by 1, not counted), the second partly (counted: 0.5).
    const region = tf.tensor4d([1, 0, 0, 0], [1, 2, 2, 1]);
    expect(outsideL1(out, person, region)).toBeCloseTo(0.5 / 3, 6);
    tf.dispose([person, out, region]);
  });

  it("pasting fills the region with the flat article's mean colour off its ground and keeps the rest", () => {
    // A 2 x 2 flat article: ground 0.2 in the corner, two red pixels and one dark red.
    const flat = tf.tensor4d([0.2, 0.2, 0.2, 1, -1, -1, 0.6, -1, -1, 1, -1, -1], [1, 2, 2, 3]);
    const person = tf.fill([1, 2, 2, 3], -0.5) as tf.Tensor4D;
    const region = tf.tensor4d([1, 1, 0, 0.5], [1, 2, 2, 1]);
    const pasted = Array.from(pasteColour(person, region, flat).dataSync());
    const red = (1 + 0.6 + 1) / 3;
    expect(pasted.slice(0, 3).map((v) => +v.toFixed(4))).toEqual([red, -1, -1].map((v) => +v.toFixed(4)));
    expect(pasted.slice(6, 9)).toEqual([-0.5, -0.5, -0.5]);
    expect(pasted[9]).toBeCloseTo(0.5 * red - 0.25, 5);
    tf.dispose([flat, person, region]);
  });

  it('reads attributes right only where both the colour and the pattern match', () => {
    const read = { colour: Int32Array.from([0, 1, 2, 3]), pattern: Int32Array.from([0, 1, 1, 0]) };
    const truth = [0, 0, 1, 2, 2, 1, 0, 0];
    expect(articleAccuracy(read, truth)).toEqual({ colour: 0.75, pattern: 0.75, both: 0.5 });
  });

  it('a generator whose mask is 0 changes nothing: it scores as the person copied through', async () => {
    const g = analogyGeneratorModel({
      imageShape: [64, 64, 3],
      filters: 4,
      dropoutLayers: 0,
      dropoutRate: 0,
      init: new Init(1),
    });
    const head = g.layers.find(
      (l) => l.getClassName() === 'Conv2DTranspose' && (l.outputShape as number[])[3] === 1,
    )!;
    const [kernel, bias] = head.getWeights();
    head.setWeights([tf.zerosLike(kernel!), tf.fill(bias!.shape, -40)]);
    const descriptor = describeTranslator({
      family: 'cagan',
      inputs: g.inputNames.map((name) => ({ name, shape: [64, 64, 3] })),
      outputs: [
        { name: 'image', shape: [64, 64, 3] },
        { name: 'mask', shape: [64, 64, 1], mask: true },
      ],
    });
    const reader = buildArticleReader(info.shape);
    const result = await evaluateAnalogy(g, { descriptor, from: 'test' }, info, common, {
      samples: 16,
      reader,
    });
    const a = result.analogy!;
    expect(a.model.outsideL1).toBeLessThan(1e-5);
    expect(a.model.both).toBe(a.copyThrough.both);
    expect(a.pasteColour.outsideL1).toBe(0);
    expect(result.samples).toBe(16);
    g.dispose();
    reader.dispose();
  });
});
