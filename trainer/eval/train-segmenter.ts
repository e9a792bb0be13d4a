/**
 * Trains the segmenter of a label-map set (segmenter.ts) on its training images and their maps (per-pixel
 * softmax cross-entropy), scores it on the held-out copy (scenes never trained on) and saves it with its
 * record to weights/<dataset>-segmenter/ (judge-training.ts).
 *
 *   npm run train:segmenter -- [--dataset scenes] [--epochs 2] [--seed 1] [--backend wasm]
 */
import * as tf from '@tensorflow/tfjs';
import { HELD_OUT_COUNT } from '../data/derived/index.ts';
import { type JudgeDefinition, judgeCli } from './judge-training.ts';
import {
  buildSegmenter,
  classesOf,
  SEGMENTED,
  type Segmented,
  segment,
  segmentationScores,
  segmenterDir,
} from './segmenter.ts';

export const SEGMENTER_TRAINING: JudgeDefinition<Segmented> = {
  script: 'train:segmenter',
  datasets: SEGMENTED,
  dataset: 'scenes',
  epochs: 2,
  batch: 16,
  learningRate: 2e-3,
  // Pixels read right.
  required: 0.95,
  build: (info, seed) => buildSegmenter(info.shape, info.classes, seed),
  loss: (model, batch) =>
    tf.losses.softmaxCrossEntropy(
      batch.map!,
      model.apply(batch.x, { training: true }) as tf.Tensor,
    ) as tf.Scalar,
  score(model, held, info) {
    const s = segmentationScores(
      segment(model, held.x as tf.Tensor4D),
      classesOf(held.map!),
      info.classNames!,
    );
    return {
      accuracy: s.pixelAccuracy,
      record: { testMIoU: s.mIoU, testPerClassIoU: s.perClass },
      line: `mIoU ${(100 * s.mIoU).toFixed(2)}%, pixel accuracy ${(100 * s.pixelAccuracy).toFixed(2)}% over ${HELD_OUT_COUNT} scenes`,
    };
  },
  dir: segmenterDir,
  testImages: HELD_OUT_COUNT,
  testSet: (dataset) => `the held-out copy of ${dataset} (scenes drawn apart from the training ones)`,
};

judgeCli(SEGMENTER_TRAINING, import.meta.url);
