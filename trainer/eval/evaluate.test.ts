import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluationPictures, type ImageEval, type PointsEval } from '../../shared/evaluation.ts';
import { runFiles } from '../../shared/keys.ts';
import { initBackend } from '../backend/index.ts';
import { loadMnist, padImages } from '../data/mnist.ts';
import { train } from '../loop.ts';
import { decodePng } from '../render/png.ts';
import { LocalArtifactSink } from '../sinks/local.ts';
import { sinkSaver } from '../sinks/model-io.ts';
import { FileStatusSink } from '../sinks/status-file.ts';
import { tinySpec } from '../test-util.ts';
import { accuracy, FEATURE_DIM, loadClassifier, predict } from './classifier.ts';
import { classifierImages, evaluateRun, summarize, TRUNCATION_THRESHOLDS } from './evaluate.ts';

const dirs: string[] = [];
let classifier: tf.LayersModel;

function tempRun(spec: object): string {
  const dir = mkdtempSync(join(tmpdir(), 'ganzoo-eval-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'spec.json'), JSON.stringify(spec));
  return dir;
}

async function saveGenerator(dir: string, model: tf.LayersModel): Promise<void> {
  await model.save(sinkSaver(new LocalArtifactSink(dir), 'generator/'));
}

beforeAll(async () => {
  await initBackend('wasm');
  classifier = await loadClassifier();
});

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('the committed classifier', () => {
  it('classifies at least 99% of the MNIST test images correctly', () => {
    const test = loadMnist('test');
    expect(accuracy(classifier, test.images, test.labels)).toBeGreaterThanOrEqual(0.99);
  });
});

describe('evaluateRun', () => {
  it('scores a random image generator: finite, large cFID and a complete eval.json', async () => {
    const dir = tempRun({ family: 'vanilla', dataset: 'mnist', hyperparameters: { latentDim: 8 }, seed: 3 });
    const g = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [8], units: 784, activation: 'tanh' }),
        tf.layers.reshape({ targetShape: [28, 28, 1] }),
      ],
    });
    await saveGenerator(dir, g);
    const r = (await evaluateRun(dir, { samples: 300, classifier })) as ImageEval;
    const written = JSON.parse(readFileSync(join(dir, 'eval.json'), 'utf8')) as ImageEval;
    expect(written).toEqual(JSON.parse(JSON.stringify(r)));
    expect(r.kind).toBe('images');
    expect(r.samples).toBe(300);
    expect(r.seed).toBe(3);
    expect(r.run).toMatchObject({ family: 'vanilla', dataset: 'mnist', latentDim: 8 });
    expect(r.cfid.generatedSamples).toBe(300);
    expect(r.cfid.realSamples).toBe(10_000);
    expect(r.cfid.featureDim).toBe(FEATURE_DIM);
    expect(Number.isFinite(r.cfid.value)).toBe(true);
    // Real train vs test scores a few tenths to a few units; noise is far away.
    expect(r.cfid.value).toBeGreaterThan(50);
    expect(r.classes.all.samples).toBe(300);
    expect(r.classes.all.counts.reduce((a, b) => a + b, 0)).toBe(300);
    expect(r.classes.first1000.samples).toBe(300);
    expect(r.classifier.testAccuracy).toBeGreaterThanOrEqual(0.99);
    expect(r.definitions.classMinShare).toBe(0.01);
    expect(r.backend.tfjsBackend).toBe('wasm');
    expect(Date.parse(r.createdAt)).not.toBeNaN();

    // Same seed, same latents: the evaluation is reproducible.
    const again = (await evaluateRun(dir, { samples: 300, classifier, write: false })) as ImageEval;
    expect(again.cfid.value).toBe(r.cfid.value);
  });

  it('scores a 32-pixel generator on mnist32 by the central 28 x 28 its padding surrounds', async () => {
    // Pixel values are their own index, so the cut shows which pixels were kept.
    const images = Float32Array.from({ length: 2 * 32 * 32 }, (_, i) => i);
    const cut = classifierImages(images, [32, 32, 1]);
    expect(cut.length).toBe(2 * 28 * 28);
    expect([cut[0], cut[27], cut[28], cut[28 * 28]]).toEqual([
      2 * 32 + 2,
      2 * 32 + 29,
      3 * 32 + 2,
      32 * 32 + 66,
    ]);
    expect(() => classifierImages(images, [32, 32, 3])).toThrow(/cannot read 32x32x3/);
    const dir = tempRun({ family: 'pggan', dataset: 'mnist32', hyperparameters: { latentDim: 8 }, seed: 3 });
    const g = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [8], units: 32 * 32, activation: 'tanh' }),
        tf.layers.reshape({ targetShape: [32, 32, 1] }),
      ],
    });
    await saveGenerator(dir, g);
    // Written: the latent grids are made too, the arithmetic one classifying 32-pixel images.
    const r = (await evaluateRun(dir, { samples: 300, classifier })) as ImageEval;
    expect(r.run).toMatchObject({ family: 'pggan', dataset: 'mnist32' });
    expect(r.cfid.value).toBeGreaterThan(50);
  });

  it('scores a point generator on ring8 with modes and HQ%', async () => {
    const dir = tempRun({ family: 'vanilla', dataset: 'ring8', hyperparameters: { latentDim: 4 } });
    // A generator that ignores z and always emits mode 0, (1, 0): one mode, every sample HQ.
    const g = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [4], units: 2, kernelInitializer: 'zeros', biasInitializer: 'zeros' }),
      ],
    });
    g.layers[0]!.setWeights([tf.zeros([4, 2]), tf.tensor1d([1, 0])]);
    await saveGenerator(dir, g);
    const r = (await evaluateRun(dir, {})) as PointsEval;
    expect(r.kind).toBe('points2d');
    expect(r.samples).toBe(2500);
    expect(r.modes).toMatchObject({ modesCovered: 1, modesTotal: 8, hqPercent: 100, samples: 2500 });
    expect(r.definitions).toMatchObject({ hqSigmas: 3, sigma: 0.01 });
    const written = JSON.parse(readFileSync(join(dir, 'eval.json'), 'utf8')) as PointsEval;
    expect(written.modes.modesCovered).toBe(1);
  });

  it('rejects a generator whose latent size disagrees with the spec', async () => {
    const dir = tempRun({ family: 'vanilla', dataset: 'ring8', hyperparameters: { latentDim: 5 } });
    await saveGenerator(dir, tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 2 })] }));
    await expect(evaluateRun(dir, {})).rejects.toThrow(/latentDim is 5 but the generator .* size 4/);
  });

  it('rejects a generator whose output does not fit the dataset', async () => {
    const dir = tempRun({ family: 'vanilla', dataset: 'ring8', hyperparameters: { latentDim: 4 } });
    await saveGenerator(dir, tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 3 })] }));
    await expect(evaluateRun(dir, { samples: 10 })).rejects.toThrow(/outputs shape \[10,3\]/);
  });

  it('rejects a two-input generator whose second input is not a one-hot label', async () => {
    const dir = tempRun({ family: 'cgan', dataset: 'mnist', hyperparameters: { latentDim: 4 } });
    const z = tf.input({ shape: [4] });
    const y = tf.input({ shape: [3] });
    const out = tf.layers
      .reshape({ targetShape: [28, 28, 1] })
      .apply(
        tf.layers.dense({ units: 784 }).apply(tf.layers.concatenate().apply([z, y])),
      ) as tf.SymbolicTensor;
    await saveGenerator(dir, tf.model({ inputs: [z, y], outputs: out }));
    await expect(evaluateRun(dir, { samples: 10, classifier })).rejects.toThrow(/one-hot label \[N, 10\]/);
  });
});

describe('evaluateRun on a conditional generator', () => {
  /**
   * [z, one-hot label] -> image that ignores z and draws, for class c, a real test digit of class
   * (c + shift) mod 10 that the classifier gets right: class accuracy is then exactly 1 for shift 0 and 0
   * otherwise. Plain layers only, like an exported cgan generator.
   */
  function prototypeGenerator(latentDim: number, shift: number): tf.LayersModel {
    const test = loadMnist('test');
    const predicted = predict(classifier, test.images.subarray(0, 2000 * 784));
    const protos = new Float32Array(10 * 784);
    for (let c = 0; c < 10; c++) {
      const want = (c + shift) % 10;
      const i = predicted.findIndex((p, k) => p === want && test.labels[k] === want);
      protos.set(test.images.subarray(i * 784, (i + 1) * 784), c * 784);
    }
    const z = tf.input({ shape: [latentDim], name: 'z' });
    const y = tf.input({ shape: [10], name: 'label' });
    const fromZ = tf.layers.dense({ units: 784, useBias: false, kernelInitializer: 'zeros' }).apply(z);
    const fromY = tf.layers.dense({ units: 784, useBias: false });
    const sum = tf.layers.add().apply([fromZ as tf.SymbolicTensor, fromY.apply(y) as tf.SymbolicTensor]);
    const out = tf.layers.reshape({ targetShape: [28, 28, 1] }).apply(sum) as tf.SymbolicTensor;
    const model = tf.model({ inputs: [z, y], outputs: out });
    fromY.setWeights([tf.tensor2d(protos, [10, 784])]);
    return model;
  }

  it('asks for every class equally often and reports class accuracy', async () => {
    const dir = tempRun({ family: 'cgan', dataset: 'mnist', hyperparameters: { latentDim: 6 }, seed: 2 });
    await saveGenerator(dir, prototypeGenerator(6, 0));
    const r = (await evaluateRun(dir, { samples: 300, classifier, batchSize: 64 })) as ImageEval;
    expect(r.classAccuracy).toEqual({ value: 1, samples: 300, classes: 10 });
    expect(r.classes.all.counts).toEqual(new Array(10).fill(30));
    expect(Number.isFinite(r.cfid.value)).toBe(true);
    expect(r.definitions.classAccuracy).toMatch(/asked for/);
    expect(r.latentGrids).toBeUndefined();
    const written = JSON.parse(readFileSync(join(dir, 'eval.json'), 'utf8')) as ImageEval;
    expect(written.classAccuracy?.value).toBe(1);
    expect(summarize(r)).toMatch(/class accuracy 100\.0%/);

    const wrong = tempRun({ family: 'cgan', dataset: 'mnist', hyperparameters: { latentDim: 6 }, seed: 2 });
    await saveGenerator(wrong, prototypeGenerator(6, 1));
    const w = (await evaluateRun(wrong, { samples: 300, classifier, write: false })) as ImageEval;
    expect(w.classAccuracy?.value).toBe(0);
  });

  it('evaluates the generator a tiny cgan run exports', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ganzoo-eval-cgan-'));
    dirs.push(dir);
    const spec = tinySpec('cgan', 'mnist', { steps: 2 });
    const outcome = await train({
      runId: 'eval-cgan',
      spec,
      artifacts: new LocalArtifactSink(dir),
      status: new FileStatusSink(dir),
      backend: 'wasm',
      heartbeatMs: 0,
    });
    expect(outcome.status).toBe('SUCCEEDED');
    const r = (await evaluateRun(dir, { samples: 100, classifier, write: false })) as ImageEval;
    expect(r.run).toMatchObject({ family: 'cgan', latentDim: 8 });
    expect(r.classAccuracy?.samples).toBe(100);
    expect(r.classAccuracy!.value).toBeGreaterThanOrEqual(0);
    expect(r.classAccuracy!.value).toBeLessThanOrEqual(1);
    expect(Number.isFinite(r.cfid.value)).toBe(true);

    // The same generator as if exported before descriptors: the one derived from the spec reads it alike.
    rmSync(join(dir, runFiles.generatorDescriptor));
    const derived = (await evaluateRun(dir, { samples: 100, classifier, write: false })) as ImageEval;
    expect({ ...derived, createdAt: '', seconds: 0 }).toEqual({ ...r, createdAt: '', seconds: 0 });
  });

  it('evaluates a tiny biggan run on 32 px MNIST: its sample output cropped, and a truncation sweep plotted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ganzoo-eval-biggan-'));
    dirs.push(dir);
    const spec = tinySpec('biggan', 'mnist32', { steps: 2 });
    const sink = new LocalArtifactSink(dir);
    const outcome = await train({
      runId: 'eval-biggan',
      spec,
      artifacts: sink,
      status: new FileStatusSink(dir),
      backend: 'wasm',
      heartbeatMs: 0,
    });
    expect(outcome.status).toBe('SUCCEEDED');
    const r = (await evaluateRun(dir, { samples: 100, classifier })) as ImageEval;
    expect(r.run).toMatchObject({ family: 'biggan', dataset: 'mnist32' });
    expect(r.classAccuracy?.samples).toBe(100);
    expect(r.truncation!.samples).toBe(100);
    expect(r.truncation!.points.map((p) => p.threshold)).toEqual([...TRUNCATION_THRESHOLDS]);
    for (const p of r.truncation!.points) {
      expect(p.classAccuracy).toBeGreaterThanOrEqual(0);
      expect(p.classAccuracy).toBeLessThanOrEqual(1);
      expect(Number.isFinite(p.cfid)).toBe(true);
    }
    // The untruncated point draws the same z as the headline numbers, on the first 100 samples.
    expect(r.truncation!.points.at(-1)!.classAccuracy).toBe(r.classAccuracy!.value);
    const plot = decodePng((await sink.get(runFiles.evalTruncation))!);
    expect([plot.width, plot.height]).toEqual([360, 200]);
    expect(evaluationPictures(r).map((p) => p.key)).toEqual([runFiles.evalTruncation]);
  });

  it('reads 32 px MNIST as the classifier does: the centre 28 x 28 that padding surrounded', () => {
    const test = loadMnist('test');
    const few = {
      ...test,
      images: test.images.subarray(0, 5 * 784),
      labels: test.labels.subarray(0, 5),
      count: 5,
    };
    const padded = padImages(few, 32);
    expect(classifierImages(padded.images, [32, 32, 1])).toEqual(few.images);
    expect(() => classifierImages(new Float32Array(24 * 24), [24, 24, 1])).toThrow(
      /cannot read 24x24x1 images/,
    );
  });
});
