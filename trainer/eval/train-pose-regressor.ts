/**
 * Trains the pose regressor (eval/pose-regressor.ts) on the posed-objects training renders, scores it on the
 * set's held-out renders (streams no training render uses, so other poses) and saves it with its record to
 * trainer/eval/weights/posed-objects/ (judge-training.ts). Everything random is seeded, so a rerun on the
 * same backend gives the same weights.
 *
 *   npm run train:pose-regressor -- [--epochs 12] [--seed 1] [--backend wasm]
 */
import * as tf from '@tensorflow/tfjs';
import { HELD_OUT_COUNT } from '../data/derived/index.ts';
import { type JudgeDefinition, judgeCli } from './judge-training.ts';
import {
  azimuthError,
  buildPoseRegressor,
  circularCorrelation,
  POSE_REGRESSOR_DIR,
  poseTargets,
  readPoses,
} from './pose-regressor.ts';

export const POSE_REGRESSOR_TRAINING: JudgeDefinition<'posed-objects'> = {
  script: 'train:pose-regressor',
  datasets: ['posed-objects'],
  dataset: 'posed-objects',
  epochs: 12,
  batch: 64,
  learningRate: 1e-3,
  // A fifth of the rate for the last third, to settle.
  learningRateScale: (epoch, epochs) => (epoch >= Math.floor((2 * epochs) / 3) ? 0.2 : 1),
  // The held-out circular correlation the azimuth sweep needs of its judge.
  required: 0.95,
  build: (_, seed) => buildPoseRegressor(seed),
  loss: (model, batch) =>
    tf.losses.meanSquaredError(
      poseTargets(batch.pose!),
      model.apply(batch.x, { training: true }) as tf.Tensor,
    ) as tf.Scalar,
  score(model, held) {
    const read = readPoses(model, held.x);
    const truth = held.pose!.dataSync();
    const n = truth.length / 2;
    const truthAz = Array.from({ length: n }, (_, i) => truth[2 * i]!);
    const readAz = Array.from({ length: n }, (_, i) => read[2 * i]!);
    const errors = truthAz.map((a, i) => azimuthError(a, readAz[i]!)).sort((a, b) => a - b);
    let elevationError = 0;
    for (let i = 0; i < n; i++) elevationError += Math.abs(truth[2 * i + 1]! - read[2 * i + 1]!) / n;
    const heldOut = {
      images: n,
      azimuthCircularCorrelation: circularCorrelation(truthAz, readAz),
      medianAzimuthErrorDegrees: errors[Math.floor(n / 2)]!,
      meanElevationErrorDegrees: elevationError,
    };
    return {
      accuracy: heldOut.azimuthCircularCorrelation,
      record: { heldOut },
      line: `azimuth circular correlation ${heldOut.azimuthCircularCorrelation.toFixed(4)} (median error ${heldOut.medianAzimuthErrorDegrees.toFixed(1)} degrees), elevation within ${elevationError.toFixed(2)} degrees on average, over ${n} renders`,
    };
  },
  dir: () => POSE_REGRESSOR_DIR,
  testImages: HELD_OUT_COUNT,
  testSet: (dataset) =>
    `the held-out copy of ${dataset} (renders from streams no training render uses); testAccuracy is the azimuth's circular correlation`,
};

judgeCli(POSE_REGRESSOR_TRAINING, import.meta.url);
