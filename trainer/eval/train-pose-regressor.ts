/**
 * Trains the pose regressor (eval/pose-regressor.ts) on the posed-objects training renders and scores it on
 * renders from another seed, then saves it with its record to trainer/eval/weights/posed-objects/. Everything
 * random is seeded, so a rerun on the same backend gives the same weights.
 *
 *   npm run train:pose-regressor -- [--epochs 12] [--seed 1] [--batch 64] [--lr 0.001] [--held-out 1000]
 *                                   [--out DIR] [--backend wasm]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { datasetInfo } from '../../shared/datasets.ts';
import { initBackend } from '../backend/index.ts';
import { loadDerived } from '../data/derived/index.ts';
import { posedObjects } from '../data/derived/posed-objects.ts';
import type { DerivedSet } from '../data/derived/store.ts';
import { epochOrder } from '../data/order.ts';
import { LocalArtifactSink } from '../sinks/local.ts';
import { sinkSaver } from '../sinks/model-io.ts';
import {
  azimuthError,
  buildPoseRegressor,
  circularCorrelation,
  POSE_REGRESSOR_DIR,
  type PoseRegressorRecord,
  poseTargets,
  readPoses,
} from './pose-regressor.ts';

/** The held-out circular correlation the regressor must reach to judge a generator's azimuth sweep. */
const REQUIRED_CORRELATION = 0.95;
/** A seed the dataset (seed 0) does not use, so the held-out renders are new poses. */
const HELD_OUT_SEED = 1;

const { values: args } = parseArgs({
  options: {
    epochs: { type: 'string', default: '12' },
    seed: { type: 'string', default: '1' },
    batch: { type: 'string', default: '64' },
    lr: { type: 'string', default: '0.001' },
    'held-out': { type: 'string', default: '1000' },
    out: { type: 'string', default: POSE_REGRESSOR_DIR },
    backend: { type: 'string' },
  },
});

/** Images [n, H, W, C] in [-1, 1] and poses [n, 2] of items `pick` of a set. */
function itemsOf(set: DerivedSet, pick: ArrayLike<number>): { x: tf.Tensor4D; poses: Float32Array } {
  const plane = set.images.x!;
  const [h, w, c] = plane.shape;
  const px = h * w * c;
  const x = new Float32Array(pick.length * px);
  const poses = new Float32Array(pick.length * 2);
  for (let i = 0; i < pick.length; i++) {
    const src = pick[i]! * px;
    for (let p = 0; p < px; p++) x[i * px + p] = plane.data[src + p]! * (2 / 255) - 1;
    poses.set(set.values.pose!.data.subarray(2 * pick[i]!, 2 * pick[i]! + 2), 2 * i);
  }
  return { x: tf.tensor4d(x, [pick.length, h, w, c]), poses };
}

async function main(): Promise<void> {
  const backend = await initBackend(args.backend);
  const epochs = Number(args.epochs);
  const seed = Number(args.seed);
  const batch = Number(args.batch);
  const heldOutCount = Number(args['held-out']);
  const t0 = Date.now();
  const train = loadDerived(datasetInfo('posed-objects'));
  const heldOut = posedObjects.generate(HELD_OUT_SEED, heldOutCount);
  const model = buildPoseRegressor(seed);
  let optimizer = tf.train.adam(Number(args.lr));
  const order = epochOrder('posed-objects', train.count, seed);
  const perEpoch = Math.floor(train.count / batch);
  for (let epoch = 0; epoch < epochs; epoch++) {
    // A fifth of the rate (fresh Adam state) for the last third, to settle.
    if (epoch === Math.floor((2 * epochs) / 3)) {
      optimizer.dispose();
      optimizer = tf.train.adam(Number(args.lr) * 0.2);
    }
    let sum = 0;
    for (let s = 0; s < perEpoch; s++) {
      const { x, poses } = itemsOf(train, order(epoch * perEpoch + s, batch));
      const y = poseTargets(poses);
      const loss = optimizer.minimize(
        () => tf.losses.meanSquaredError(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
        true,
      )!;
      sum += loss.dataSync()[0]!;
      tf.dispose([x, y, loss]);
    }
    console.log(`epoch ${epoch + 1}/${epochs}: loss ${(sum / perEpoch).toFixed(4)}`);
  }
  const all = Int32Array.from({ length: heldOutCount }, (_, i) => i);
  const { x, poses } = itemsOf(heldOut, all);
  const read = readPoses(model, x);
  x.dispose();
  const truthAz = all.map((i) => poses[2 * i]!);
  const readAz = all.map((i) => read[2 * i]!);
  const errors = Array.from(all, (i) => azimuthError(truthAz[i]!, readAz[i]!)).sort((a, b) => a - b);
  let elevationError = 0;
  for (const i of all) elevationError += Math.abs(poses[2 * i + 1]! - read[2 * i + 1]!) / heldOutCount;
  const record: PoseRegressorRecord = {
    trainedOn: `posed-objects train (${train.count} renders, seed 0)`,
    trainImages: train.count,
    heldOut: {
      images: heldOutCount,
      seed: HELD_OUT_SEED,
      azimuthCircularCorrelation: circularCorrelation(truthAz, readAz),
      medianAzimuthErrorDegrees: errors[Math.floor(errors.length / 2)]!,
      meanElevationErrorDegrees: elevationError,
    },
    epochs,
    seed,
    backend: backend.name,
    seconds: Math.round((Date.now() - t0) / 1000),
  };
  mkdirSync(args.out, { recursive: true });
  await model.save(sinkSaver(new LocalArtifactSink(args.out), ''));
  writeFileSync(join(args.out, 'training.json'), `${JSON.stringify(record, null, 2)}\n`);
  console.log(`saved to ${relative(process.cwd(), args.out) || '.'}: ${JSON.stringify(record.heldOut)}`);
  if (record.heldOut.azimuthCircularCorrelation < REQUIRED_CORRELATION) {
    console.error(`held-out circular correlation is below the ${REQUIRED_CORRELATION} the sweep needs`);
    process.exitCode = 1;
  }
}

await main();
