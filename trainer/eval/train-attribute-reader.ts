/**
 * Trains the captioned digits' attribute reader (attribute-reader.ts) on real captioned images, scores it on
 * the set's held-out copy (MNIST's test digits, never trained on) per attribute, at full size and through the
 * 16 px version, and saves it with its record to trainer/eval/weights/captioned-digits/ (judge-training.ts).
 * The set's 5,000 items are too few to read the digit at 95% (they left it at 76%): training draws
 * TRAIN_ITEMS from its generator at the catalog's seed, the set's own items first.
 *
 *   npm run train:attribute-reader -- [--epochs 3] [--seed 1] [--backend wasm]
 */
import type * as tf from '@tensorflow/tfjs';
import { HELD_OUT_COUNT } from '../data/derived/index.ts';
import {
  attributeAccuracy,
  attributeColumns,
  buildAttributeReader,
  halved,
  READER_DATASET,
  READER_DIR,
  readAttributes,
  readerLoss,
} from './attribute-reader.ts';
import { type JudgeDefinition, judgeCli } from './judge-training.ts';

const TRAIN_ITEMS = 40_000;

export const ATTRIBUTE_READER_TRAINING: JudgeDefinition<typeof READER_DATASET> = {
  script: 'train:attribute-reader',
  datasets: [READER_DATASET],
  dataset: READER_DATASET,
  epochs: 3,
  batch: 64,
  learningRate: 2e-3,
  // The last epoch at a tenth of the rate, to settle.
  learningRateScale: (epoch, epochs) => (epoch === epochs - 1 ? 0.1 : 1),
  trainItems: TRAIN_ITEMS,
  // Every attribute at both sizes.
  required: 0.95,
  build: (_, seed) => buildAttributeReader(seed),
  loss: (model, batch) => readerLoss(model, batch.x as tf.Tensor4D, batch.attributes!),
  score(model, held) {
    const images = held.x as tf.Tensor4D;
    const asked = attributeColumns(held.attributes!);
    const half = halved(images);
    const heldOutAccuracy = {
      full: attributeAccuracy(readAttributes(model, images), asked),
      half: attributeAccuracy(readAttributes(model, half), asked),
    };
    half.dispose();
    const all = [...Object.values(heldOutAccuracy.full), ...Object.values(heldOutAccuracy.half)];
    const percent = (r: Record<string, number>) =>
      Object.entries(r)
        .map(([name, a]) => `${name} ${(100 * a).toFixed(1)}%`)
        .join(', ');
    return {
      accuracy: Math.min(...all),
      record: { heldOutAccuracy },
      line: `full size: ${percent(heldOutAccuracy.full)}; 16 px: ${percent(heldOutAccuracy.half)} of ${HELD_OUT_COUNT} items`,
    };
  },
  dir: () => READER_DIR,
  testImages: HELD_OUT_COUNT,
  testSet: (dataset) =>
    `the held-out copy of ${dataset} (MNIST's test digits, none trained on), at full size and through its 16 px version; testAccuracy is the lowest attribute`,
};

judgeCli(ATTRIBUTE_READER_TRAINING, import.meta.url);
