import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/index.ts';
import { loadMnist } from '../data/mnist.ts';
import { LocalArtifactSink } from '../sinks/local.ts';
import { sinkSaver } from '../sinks/model-io.ts';
import { accuracy, FEATURE_DIM, loadClassifier } from './classifier.ts';
import { evaluateRun, type ImageEval, type PointsEval } from './evaluate.ts';

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
});
