import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { evalMetrics, evaluationPictures } from '../../shared/evaluation.ts';
import { GeneratorDescriptorSchema } from '../../shared/generator.ts';
import { scaleLayersOf } from '../../shared/layers/pyramid.ts';
import { initBackend } from '../backend/index.ts';
import { openDataset } from '../data/index.ts';
import { evaluateRun } from '../eval/evaluate.ts';
import type { Gan } from '../gan.ts';
import { describeGan } from '../generator.ts';
import { buildGan } from '../loop.ts';
import { amplitudeOf, pyramidSizes, UNSET_AMPLITUDE } from '../nn/singan.ts';
import { LocalArtifactSink } from '../sinks/local.ts';
import { stagesOf } from '../stages.ts';
import { createStepper, disposeStepInputs, stepInputs } from '../step.ts';
import { scratchDir, tinySpec, trainIn } from '../test-util.ts';
import { familyContract } from './contract-tests.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

familyContract('singan', 'photo-chelsea', undefined, [
  'wasserstein',
  'loss/D/gp',
  'grad-norm',
  'G/reconstruction',
  'G/adversarial',
]);

function dispose(gan: Gan): void {
  for (const net of Object.values(gan.nets)) net.dispose();
  for (const opt of Object.values(gan.optimizers)) opt.dispose();
}

function weights(net: tf.LayersModel): number[][] {
  return net.getWeights().map((w) => Array.from(w.dataSync()));
}

describe('the parts GANS.md asks of SinGAN are there', () => {
  it('scales about 0.75 apart from about 25 px to the working size: 6-8 for the usual sizes', () => {
    const sizes = pyramidSizes([170, 256], { maxSize: 128, minSize: 25, scaleFactor: 0.75 });
    expect(sizes).toHaveLength(7);
    expect(sizes[0]).toEqual([17, 25]);
    expect(sizes.at(-1)).toEqual([85, 128]);
    for (let k = 1; k < sizes.length; k++) expect(sizes[k]![1] / sizes[k - 1]![1]).toBeCloseTo(0.76 ** -1, 1);
    expect(pyramidSizes([256, 256], { maxSize: 250, minSize: 25, scaleFactor: 0.75 })).toHaveLength(10);
    expect(() => pyramidSizes([20, 30], { maxSize: 128, minSize: 30, scaleFactor: 0.75 })).toThrow(
      /minSize 30/,
    );
  });

  it('one stage per scale, coarse to fine; each updates only its G_n and D_n, with WGAN-GP and reconstruction', () => {
    const spec = tinySpec('singan', 'photo-chelsea', { steps: 8 });
    const gan = buildGan(spec);
    const stages = stagesOf(gan);
    expect(stages.map((s) => s.name)).toEqual(['5x8', '7x10', '8x13', '11x16']);
    expect(stages.map((s) => s.resolution)).toEqual([
      [5, 8],
      [7, 10],
      [8, 13],
      [11, 16],
    ]);
    expect(stages.map((s) => s.end)).toEqual([2, 4, 6, Number.POSITIVE_INFINITY]);
    stages.forEach((s, n) => {
      expect(s.phases.map((p) => [p.name, p.updates])).toEqual([
        ['D', [`D${n}`]],
        ['G', [`G${n}`]],
      ]);
      // The stage's generator is the pyramid up to n: fully convolutional patch nets, scale n's output.
      expect(s.generator.outputs[0]!.shape).toEqual([null, ...s.resolution!, 3]);
    });
    // The critic is fully convolutional: it scores an image of any size.
    const score = gan.nets.D2!.predict(tf.zeros([1, 23, 31, 3])) as tf.Tensor;
    expect(score.shape).toEqual([1, 1]);
    score.dispose();
    dispose(gan);
  });

  it('a step of stage 2 moves G2 and D2 only, sets its noise amplitude from the reconstruction RMSE, keeps coarser scales fixed', () => {
    const spec = tinySpec('singan', 'photo-chelsea', { steps: 8 });
    const gan = buildGan(spec);
    const data = openDataset(spec.dataset, spec.seed);
    const before = Object.fromEntries(Object.keys(gan.nets).map((k) => [k, weights(gan.nets[k]!)]));
    const step = createStepper(gan);
    const scale2 = scaleLayersOf(gan.generator, 2);
    expect(amplitudeOf(scale2)).toBe(UNSET_AMPLITUDE);
    const draws = stepInputs(gan, data, spec.seed, 4, spec.batchSize);
    const values = step(draws);
    disposeStepInputs(draws);
    expect(Object.keys(values).sort()).toEqual(
      [
        'loss/D',
        'loss/G',
        'wasserstein',
        'loss/D/gp',
        'grad-norm',
        'G/reconstruction',
        'G/adversarial',
      ].sort(),
    );
    const amplitude = amplitudeOf(scale2);
    expect(amplitude).toBeGreaterThan(0);
    // 0.1 x RMSE of the image in [-1, 1] and its (untrained) coarser reconstruction: a fraction of 1.
    expect(amplitude).toBeLessThan(0.2);
    for (const name of ['G0', 'G1', 'D0', 'D1', 'G3', 'D3'])
      expect(weights(gan.nets[name]!), name).toEqual(before[name]);
    for (const name of ['G2', 'D2']) expect(weights(gan.nets[name]!), name).not.toEqual(before[name]);
    dispose(gan);
  });

  it('the reconstruction-only baseline (adversarialWeight 0) has the same pyramid and no critics', () => {
    const gan = buildGan(
      tinySpec('singan', 'photo-chelsea', { hyperparameters: { ...tinyHp, adversarialWeight: 0 } }),
    );
    expect(Object.keys(gan.nets).filter((k) => k.startsWith('D'))).toEqual([]);
    expect(stagesOf(gan).map((s) => s.phases.map((p) => p.name))).toEqual([['G'], ['G'], ['G'], ['G']]);
    dispose(gan);
  });

  it("its descriptor records the pyramid's scale sizes, the finest the sample's", () => {
    const spec = tinySpec('singan', 'photo-chelsea', { steps: 8 });
    const gan = buildGan(spec);
    const d = describeGan(gan, spec);
    expect(d.pyramid?.sizes).toEqual([
      [5, 8],
      [7, 10],
      [8, 13],
      [11, 16],
    ]);
    expect(d.outputs[0]!.shape).toEqual([11, 16, 3]);
    // A SinGAN exported before descriptors had a pyramid still reads (the playground then samples it at
    // its trained size only).
    const { pyramid: _, ...older } = d;
    expect(GeneratorDescriptorSchema.parse(older).pyramid).toBeUndefined();
    // A pyramid whose finest scale is not the sample is refused.
    expect(() =>
      GeneratorDescriptorSchema.parse({
        ...d,
        pyramid: {
          sizes: [
            [5, 8],
            [7, 10],
          ],
        },
      }),
    ).toThrow(/finest scale is 7x10, the sample 11x16/);
    dispose(gan);
  });

  it('samples at other sizes and aspect ratios: every scale net is fully convolutional', () => {
    const gan = buildGan(tinySpec('singan', 'photo-chelsea'));
    const g3 = gan.nets.G3!;
    const out = g3.predict([tf.zeros([2, 20, 9, 3]), tf.zeros([2, 20, 9, 3])]) as tf.Tensor;
    expect(out.shape).toEqual([2, 20, 9, 3]);
    out.dispose();
    dispose(gan);
  });
});

describe('SinGAN evaluation', () => {
  it('scores samples against the image, samples other sizes and aspect ratios, runs super-resolution and paint-to-image', async () => {
    const dir = scratchDir('singan-eval');
    const spec = tinySpec('singan', 'photo-chelsea');
    expect((await trainIn(dir, spec)).status).toBe('SUCCEEDED');
    const before = tf.memory().numTensors;
    const result = await evaluateRun(dir, { samples: 4, spec });
    expect(tf.memory().numTensors).toBe(before);
    if (result.kind !== 'single-image') throw new Error(`evaluated as ${result.kind}`);
    expect(result.size).toEqual([11, 16]);
    expect(result.scales).toBe(4);
    // An untrained-ish pyramid: a real distance, and samples that differ.
    expect(result.patchSwd).toBeGreaterThan(0);
    expect(result.diversity).toBeGreaterThan(0);
    expect(result.otherSizes.map((o) => o.size)).toEqual([
      [11, 28],
      [17, 12],
    ]);
    expect(Number.isFinite(result.superResolution.psnr)).toBe(true);
    expect(result.superResolution.psnr).not.toBe(result.superResolution.resizePsnr);
    expect(result.paintToImage.scale).toBe(1);
    expect(Number.isFinite(result.paintToImage.patchSwd)).toBe(true);
    const sink = new LocalArtifactSink(dir);
    for (const picture of evaluationPictures(result))
      expect(await sink.get(picture.key), picture.key).toBeDefined();
    expect(Object.keys(evalMetrics(result))).toEqual([
      'patchSwd',
      'diversity',
      'patchSwd11x28',
      'patchSwd17x12',
      'superResolutionPsnr',
      'paintPatchSwd',
    ]);
  });
});

const tinyHp = { maxSize: 16, minSize: 8, channels: 4, layers: 3, nCritic: 2, gSteps: 2 };
