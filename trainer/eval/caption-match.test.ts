/**
 * The attribute reader and the caption-match metric: the committed reader reads real held-out captioned
 * images (the set's held-out copy, MNIST's test digits), and the metric gives an untrained generator about
 * chance, so a high score means the generator draws what the caption asks for.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { captionText } from '../../shared/captions.ts';
import { datasetInfo } from '../../shared/datasets.ts';
import { initBackend } from '../backend/index.ts';
import { heldOutBatch } from '../data/derived/index.ts';
import { batchTensors } from '../data/index.ts';
import { buildGan } from '../loop.ts';
import { stagesOf } from '../stages.ts';
import { tinySpec } from '../test-util.ts';
import {
  attributeAccuracy,
  attributeColumns,
  halved,
  loadAttributeReader,
  READER_DATASET,
  readAttributes,
  readReaderRecord,
} from './attribute-reader.ts';
import { askedCaptions, captionMatch } from './caption-match.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('the attribute reader', () => {
  it('was trained and recorded held out: every attribute >= 95%, full size and 16 px', () => {
    const record = readReaderRecord()!;
    expect(record.dataset).toBe(READER_DATASET);
    for (const size of ['full', 'half'] as const)
      for (const name of ['digit', 'colour', 'size', 'position'])
        expect(record.heldOutAccuracy[size][name], `${size} ${name}`).toBeGreaterThanOrEqual(0.95);
  });

  it('reads the held-out images as its record says, at full size and through the 16 px version', async () => {
    const reader = await loadAttributeReader();
    const held = heldOutBatch(datasetInfo(READER_DATASET), 1000);
    const asked = attributeColumns(held.attributes!);
    const half = halved(held.x as tf.Tensor4D);
    const record = readReaderRecord()!;
    expect(attributeAccuracy(readAttributes(reader, held.x as tf.Tensor4D), asked)).toEqual(
      record.heldOutAccuracy.full,
    );
    expect(attributeAccuracy(readAttributes(reader, half), asked)).toEqual(record.heldOutAccuracy.half);
    tf.dispose([half, ...batchTensors(held)]);
    reader.dispose();
  }, 60_000);
});

describe('caption match', () => {
  it('asks for uniformly drawn attributes through their captions', () => {
    const { ids, asked } = askedCaptions(4, 300);
    const vocabulary = datasetInfo('captioned-digits').vocabulary!;
    const first = captionText((ids.arraySync() as number[][])[0]!, vocabulary);
    expect(first).toMatch(/^a (small|large) \w+ \d at the (top|bottom|centre)/);
    // Every value of every attribute is asked for.
    expect(asked.map((a) => new Set(a).size)).toEqual([10, 8, 2, 5]);
    ids.dispose();
  });

  it('scores an untrained StackGAN near chance at both stages', async () => {
    const reader = await loadAttributeReader();
    const gan = buildGan(
      tinySpec('stackgan', 'captioned-digits', {
        steps: 10,
        hyperparameters: { latentDim: 8, conditionDim: 4, gChannels: 8, dChannels: 4 },
      }),
    );
    for (const stage of stagesOf(gan)) {
      const { accuracy, samples } = captionMatch(stage.generator, reader, { samples: 200 });
      expect(samples).toBe(200);
      // Chance is 1/10, 1/8, 1/2 and 1/5; one fixed answer for all images scores exactly that.
      expect(accuracy.digit).toBeLessThan(0.3);
      expect(accuracy.position).toBeLessThan(0.45);
      expect(accuracy.all).toBeLessThan(0.05);
    }
    for (const n of Object.values(gan.nets)) n.dispose();
    for (const o of Object.values(gan.optimizers)) o.dispose();
    reader.dispose();
  });
});
