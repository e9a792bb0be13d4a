import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { datasetInfo } from '../../shared/datasets.ts';
import { derivedSource, GENERATORS, HELD_OUT_COUNT, heldOutBatch } from '../data/derived/index.ts';
import { cacheFile } from '../data/derived/store.ts';
import { batchTensors } from '../data/index.ts';
import { prepareDataset } from '../data/prepare.ts';
import { LocalArtifactSink } from '../sinks/local.ts';
import { sinkLoader } from '../sinks/model-io.ts';
import { scratchDir } from '../test-util.ts';
import type { ReaderRecord } from './attribute-reader.ts';
import { readDigits, readDomains } from './domain-classifier.ts';
import { trainJudge } from './judge-training.ts';
import type { PoseRegressorRecord } from './pose-regressor.ts';
import { ATTRIBUTE_READER_TRAINING as reader } from './train-attribute-reader.ts';
import { DOMAIN_CLASSIFIER_TRAINING as judge } from './train-domain-classifier.ts';
import { POSE_REGRESSOR_TRAINING as pose } from './train-pose-regressor.ts';

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
    const labels = [...held.labels.dataSync(), ...held.labelsB!.dataSync()];
    const digits = [...readDigits(model, held.x as tf.Tensor4D), ...readDigits(model, held.domainB!)];
    tf.dispose(batchTensors(held));
    model.dispose();
    const correct = a.filter((d) => d === 0).length + b.filter((d) => d === 1).length;
    expect(saved.domainAccuracy).toBeCloseTo(correct / (2 * HELD_OUT_COUNT), 12);
    const read = digits.filter((d, i) => d === labels[i]).length;
    expect(saved.digitAccuracy).toBeCloseTo(read / (2 * HELD_OUT_COUNT), 12);
    // The bar holds for the lower of the two readings.
    expect(saved.testAccuracy).toBe(Math.min(saved.domainAccuracy, saved.digitAccuracy));
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

describe('a judge over more items than its set holds, at a scheduled rate (the attribute reader)', () => {
  it('draws its training items further at the catalog seed, scores every attribute at both sizes', async () => {
    const info = datasetInfo('captioned-digits');
    const out = scratchDir('judge-reader');
    const { record } = await trainJudge(reader, {
      dataset: 'captioned-digits',
      epochs: 2,
      seed: 1,
      backend: 'wasm',
      stepsPerEpoch: 2,
      trainItems: info.count + 64,
      out,
      required: 0,
      ...quiet,
    });
    expect(record.trainItems).toBe(info.count + 64);
    const { seed } = derivedSource(info)!;
    expect(existsSync(cacheFile(info.id, seed, info.count + 64, GENERATORS[info.id]!.version))).toBe(true);
    // The last epoch at a tenth of the rate.
    expect(record.perEpoch.map((e) => e.learningRate)).toEqual([2e-3, 2e-3 * 0.1]);
    const accuracy = record.heldOutAccuracy as ReaderRecord['heldOutAccuracy'];
    for (const size of [accuracy.full, accuracy.half])
      expect(Object.keys(size)).toEqual(['digit', 'colour', 'size', 'position']);
    expect(record.testAccuracy).toBe(
      Math.min(...Object.values(accuracy.full), ...Object.values(accuracy.half)),
    );
    expect(JSON.parse(readFileSync(join(out, 'training.json'), 'utf8'))).toEqual(record);
  }, 300_000);
});

describe('the pose regressor as a judge', () => {
  it("records the held-out azimuth's circular correlation as the score held to its bar", async () => {
    const out = scratchDir('judge-pose');
    const { record } = await trainJudge(pose, {
      dataset: 'posed-objects',
      epochs: 3,
      seed: 1,
      backend: 'wasm',
      stepsPerEpoch: 2,
      out,
      required: -1,
      ...quiet,
    });
    const heldOut = record.heldOut as PoseRegressorRecord['heldOut'];
    expect(heldOut.images).toBe(HELD_OUT_COUNT);
    expect(record.testAccuracy).toBe(heldOut.azimuthCircularCorrelation);
    expect(Math.abs(heldOut.azimuthCircularCorrelation)).toBeLessThanOrEqual(1);
    // A fifth of the rate for the last third.
    expect(record.perEpoch.map((e) => e.learningRate)).toEqual([1e-3, 1e-3, 1e-3 * 0.2]);
  }, 300_000);
});
