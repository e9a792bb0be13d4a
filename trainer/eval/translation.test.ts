import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { datasetInfo } from '../../shared/datasets.ts';
import { describeTranslator } from '../../shared/generator.ts';
import { initBackend } from '../backend/index.ts';
import { heldOutBatch } from '../data/derived/index.ts';
import { batchTensors } from '../data/index.ts';
import { loadClassifier } from './classifier.ts';
import { reconstructionScores } from './image-quality.ts';
import { evaluateTranslation } from './translation.ts';

let classifier: tf.LayersModel;
beforeAll(async () => {
  await initBackend('wasm');
  classifier = await loadClassifier();
});

const N = 200;
const common = {
  version: 1,
  createdAt: 'now',
  run: { dir: 'test', family: 'test', dataset: 'edges2digits' as const, steps: 0, specSeed: 1, latentDim: 0 },
  seed: 1,
  backend: { tfjsBackend: 'wasm' },
  seconds: 0,
};

/** A model that gives back its inputs, reordered by `order`, under the descriptor a translator has. */
function passThrough(shape: number[], names: string[], order: number[]) {
  const inputs = names.map((name) => tf.input({ shape, name }));
  const outputs = order.map(
    (k, i) =>
      tf.layers.activation({ activation: 'linear', name: `out_${i}` }).apply(inputs[k]!) as tf.SymbolicTensor,
  );
  const model = tf.model({ inputs, outputs });
  const descriptor = describeTranslator({
    family: 'test',
    inputs: names.map((name) => ({ name, shape })),
    outputs: outputs.map((_, i) => ({ name: `out_${i}`, shape })),
  });
  return { model, described: { descriptor, from: 'test' } };
}

describe('translation evaluation', () => {
  it('paired: an output that copies its input scores exactly the copy-through baseline', async () => {
    const info = datasetInfo('edges2digits');
    const { model, described } = passThrough([...info.shape], ['input'], [0]);
    const r = await evaluateTranslation(model, described, info, common, { samples: N, classifier });
    expect(r.kind).toBe('translation');
    expect(r.paired!.model).toEqual(r.paired!.copyThrough);
    expect(r.paired!.cfid!.value).toBeCloseTo(r.paired!.copyThroughCfid!, 6);
    // The baseline itself, computed from the held-out pairs directly.
    const held = heldOutBatch(info, N);
    const direct = reconstructionScores(
      held.input!.dataSync() as Float32Array,
      held.x.dataSync() as Float32Array,
      info.shape as [number, number, number],
    );
    tf.dispose(batchTensors(held));
    expect(r.paired!.copyThrough.l1).toBeCloseTo(direct.l1, 6);
    expect(r.paired!.copyThrough.ssim).toBeCloseTo(direct.ssim, 6);
    model.dispose();
  });

  it('super-resolution: a nearest-neighbour x4 enlargement scored beside bicubic, on photos-x4 held-out crops', async () => {
    const info = datasetInfo('photos-x4');
    const input = tf.input({ shape: [...info.inputShape!], name: 'input' });
    const out = tf.layers.upSampling2d({ size: [4, 4], name: 'out_0' }).apply(input) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    const described = {
      descriptor: describeTranslator({
        family: 'test',
        inputs: [{ name: 'input', shape: [...info.inputShape!] }],
        outputs: [{ name: 'out_0', shape: [...info.shape] }],
      }),
      from: 'test',
    };
    const r = await evaluateTranslation(
      model,
      described,
      info,
      { ...common, run: { ...common.run, dataset: 'photos-x4' as never } },
      { samples: 50 },
    );
    const sr = r.superResolution!;
    expect(r.paired).toBeUndefined();
    expect(sr.factor).toBe(4);
    // Bicubic is the better guess of the two; both fall short of the targets' detail, blocks less so.
    expect(sr.bicubic.psnr).toBeGreaterThan(sr.model.psnr);
    expect(sr.bicubic.psnr).toBeGreaterThan(15);
    expect(sr.highFrequency.bicubicRatio).toBeLessThan(sr.highFrequency.modelRatio);
    expect(sr.highFrequency.modelRatio).toBeLessThan(1);
    model.dispose();
    const wrong = passThrough([32, 32, 3], ['input'], [0]);
    await expect(
      evaluateTranslation(wrong.model, wrong.described, info, common, { samples: 5 }),
    ).rejects.toThrow(/input 'input' is 32x32x3, 'photos-x4' holds 8x8x3/);
    wrong.model.dispose();
  });

  it('unpaired: the domain classifier tells a swap of the domains (read as the target) from a copy (not)', async () => {
    const info = datasetInfo('digits2mnistm');
    const shape = [...info.shape];
    // [a, b] -> [b, a]: every "translation" is a real image of the target domain, of another digit.
    const swap = passThrough(shape, ['a', 'b'], [1, 0]);
    const s = await evaluateTranslation(swap.model, swap.described, info, common, { samples: N, classifier });
    expect(s.unpaired!.toB.targetDomain).toBeGreaterThan(0.95);
    expect(s.unpaired!.toA.targetDomain).toBeGreaterThan(0.95);
    // B -> A "gave" A's digit, not B's: the class is kept only by chance.
    expect(s.unpaired!.toA.classKept).toBeLessThan(0.3);
    // [a, b] -> [a, b]: nothing translated.
    const copy = passThrough(shape, ['a', 'b'], [0, 1]);
    const c = await evaluateTranslation(copy.model, copy.described, info, common, { samples: N, classifier });
    expect(c.unpaired!.toB.targetDomain).toBeLessThan(0.05);
    expect(c.unpaired!.toA.targetDomain).toBeLessThan(0.05);
    // B's digits read in place: the classifier's accuracy on real B, by definition.
    expect(c.unpaired!.toA.classKept).toBe(c.unpaired!.digitsOnRealB);
    expect(c.unpaired!.domainClassifier.testAccuracy).toBeGreaterThanOrEqual(0.95);
    swap.model.dispose();
    copy.model.dispose();
  });

  it('label maps: the segmenter reads real scenes far better than a painting of one flat colour, and the scores say so', async () => {
    const info = datasetInfo('scenes');
    const [h, w] = info.shape;
    // A "generator" that paints every map the same mid grey: nothing of the map survives.
    const map = tf.input({ shape: [h!, w!, info.classes], name: 'map' });
    const grey = tf.layers
      .conv2d({
        filters: 3,
        kernelSize: 1,
        kernelInitializer: 'zeros',
        biasInitializer: 'zeros',
        name: 'out',
      })
      .apply(map) as tf.SymbolicTensor;
    const model = tf.model({ inputs: map, outputs: grey });
    const descriptor = describeTranslator({
      family: 'test',
      inputs: [{ name: 'map', shape: [h!, w!, info.classes], classes: info.classes }],
      outputs: [{ name: 'out', shape: [...info.shape] }],
    });
    const r = await evaluateTranslation(model, { descriptor, from: 'test' }, info, common, { samples: 100 });
    const { generated, real, segmenter } = r.labelMap!;
    expect(real.mIoU).toBeGreaterThan(0.7);
    // One class read everywhere: at most that class's share of the pixels, the others 0.
    expect(generated.mIoU).toBeLessThan(0.4);
    expect(segmenter.testAccuracy).toBeGreaterThanOrEqual(0.95);
    expect(r.classifier).toBeUndefined();
    await expect(
      evaluateTranslation(
        passThrough([...info.shape], ['input'], [0]).model,
        passThrough([...info.shape], ['input'], [0]).described,
        info,
        common,
        { samples: 10 },
      ),
    ).rejects.toThrow(/takes one label map of 5 classes; it takes image/);
    model.dispose();
  });

  it("refuses a generator whose inputs are not the set's images", async () => {
    const info = datasetInfo('edges2digits');
    const { model, described } = passThrough([16, 16, 1], ['input'], [0]);
    await expect(
      evaluateTranslation(model, described, info, common, { samples: 10, classifier }),
    ).rejects.toThrow(/input 'input' is 16x16x1, 'edges2digits' holds 32x32x1/);
    model.dispose();
  });
});
