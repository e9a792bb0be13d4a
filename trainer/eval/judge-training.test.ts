import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { datasetInfo } from '../../shared/datasets.ts';
import { HELD_OUT_COUNT, heldOutBatch } from '../data/derived/index.ts';
import { batchTensors } from '../data/index.ts';
import { prepareDataset } from '../data/prepare.ts';
import { LocalArtifactSink } from '../sinks/local.ts';
import { sinkLoader } from '../sinks/model-io.ts';
import { scratchDir } from '../test-util.ts';
import { readDomains } from './domain-classifier.ts';
import { trainJudge } from './judge-training.ts';
import { DOMAIN_CLASSIFIER_TRAINING as judge } from './train-domain-classifier.ts';

const quiet = { log: () => {} };
const short = { dataset: 'digits2mnistm', epochs: 2, seed: 1, backend: 'wasm', stepsPerEpoch: 3 } as const;

describe('training a judge (the domain classifier, three steps an epoch)', () => {
  beforeAll(() => prepareDataset('digits2mnistm', quiet), 300_000);

  it('saves the weights and a record the saved judge reproduces', async () => {
    const out = scratchDir('judge');
    const { record } = await trainJudge(judge, { ...short, out, required: 0, ...quiet });
    expect(readdirSync(out).sort()).toEqual(['model.json', 'training.json', 'weights.bin']);
    const saved = JSON.parse(readFileSync(join(out, 'training.json'), 'utf8'));
    expect(saved).toEqual(record);
    expect(saved).toMatchObject({
      dataset: 'digits2mnistm',
      epochs: 2,
      seed: 1,
      testImages: 2 * HELD_OUT_COUNT,
    });
    expect(saved.perEpoch.map((e: { epoch: number }) => e.epoch)).toEqual([1, 2]);
    expect(saved.perEpoch.every((e: { loss: number }) => Number.isFinite(e.loss))).toBe(true);
    // The accuracy recorded is what the saved weights give on the held-out copy.
    const model = await tf.loadLayersModel(sinkLoader(new LocalArtifactSink(out), ''));
    const held = heldOutBatch(datasetInfo('digits2mnistm'), HELD_OUT_COUNT);
    const a = readDomains(model, held.x as tf.Tensor4D);
    const b = readDomains(model, held.domainB!);
    tf.dispose(batchTensors(held));
    model.dispose();
    const correct = a.filter((d) => d === 0).length + b.filter((d) => d === 1).length;
    expect(saved.testAccuracy).toBe(correct / (2 * HELD_OUT_COUNT));
  }, 300_000);

  it('refuses a judge under its bar and leaves the weights in place untouched', async () => {
    const out = scratchDir('judge-kept');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'training.json'), '{"kept":true}\n');
    // Three steps an epoch cannot reach 100%.
    await expect(trainJudge(judge, { ...short, out, required: 1, ...quiet })).rejects.toThrow(
      /held-out accuracy [\d.]+ is under the 1 a judge needs; nothing was saved/,
    );
    expect(readdirSync(out)).toEqual(['training.json']);
    expect(readFileSync(join(out, 'training.json'), 'utf8')).toBe('{"kept":true}\n');
  }, 300_000);

  it('names a dataset it cannot train on and a bad epoch count', async () => {
    await expect(
      trainJudge(judge, { ...short, dataset: 'mnist' as never, out: scratchDir('judge-bad'), ...quiet }),
    ).rejects.toThrow('--dataset mnist: one of digits2mnistm');
    await expect(
      trainJudge(judge, { ...short, epochs: 0, out: scratchDir('judge-bad'), ...quiet }),
    ).rejects.toThrow('--epochs 0: a positive integer');
  });
});
