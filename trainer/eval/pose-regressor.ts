/**
 * The pose regressor: reads the camera azimuth (and elevation) of a posed-objects image. It judges
 * pose-taking generators (HoloGAN's azimuth sweep, eval/azimuth-sweep.ts) and never trains one; it is trained
 * by `npm run train:pose-regressor` on the renderer's images only and committed with its small weights and
 * its held-out record in trainer/eval/weights/posed-objects/.
 *
 * Output: [cos azimuth, sin azimuth, elevation scaled to [-1, 1] over the dataset's range], so the azimuth
 * is read as an angle (atan2) with no seam at 0/360.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { datasetInfo } from '../../shared/datasets.ts';
import { LocalArtifactSink } from '../sinks/local.ts';
import { sinkLoader } from '../sinks/model-io.ts';
import { WEIGHTS_DIR } from './classifier.ts';
import type { JudgeRecord } from './judge-training.ts';

export const POSE_REGRESSOR_DIR = join(WEIGHTS_DIR, 'posed-objects');
export const POSE_IMAGE_SHAPE = datasetInfo('posed-objects').shape as [number, number, number];
const ELEVATION = datasetInfo('posed-objects').pose!.elevation;

/** What train-pose-regressor.ts writes beside the weights (judge-training.ts's record). */
export interface PoseRegressorRecord extends JudgeRecord {
  heldOut: {
    /** The set's held-out renders (streams no training render uses, so other poses). */
    images: number;
    /** Fisher-Lee circular correlation of the read azimuth against the rendered one. */
    azimuthCircularCorrelation: number;
    medianAzimuthErrorDegrees: number;
    meanElevationErrorDegrees: number;
  };
}

export function buildPoseRegressor(seed = 1): tf.Sequential {
  const init = (i: number) => tf.initializers.heNormal({ seed: seed * 100 + i });
  const model = tf.sequential({ name: 'pose_regressor' });
  const conv = (i: number, filters: number) =>
    tf.layers.conv2d({
      ...(i === 1 ? { inputShape: [...POSE_IMAGE_SHAPE] } : {}),
      filters,
      kernelSize: 3,
      strides: 2,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: init(i),
    });
  model.add(conv(1, 32)); // 16x16
  model.add(conv(2, 64)); // 8x8
  model.add(conv(3, 128)); // 4x4
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 128, activation: 'relu', kernelInitializer: init(4) }));
  model.add(
    tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: seed * 100 + 5 }) }),
  );
  return model;
}

/** The regression targets [N, 3] of poses [N, 2] (degrees): cos and sin of the azimuth, the scaled elevation. */
export function poseTargets(poses: tf.Tensor2D): tf.Tensor2D {
  const [e0, e1] = ELEVATION;
  return tf.tidy(() => {
    const [az, el] = tf.split(poses, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
    const rad = tf.mul(az, Math.PI / 180);
    const scaled = tf.sub(tf.mul(tf.sub(el, e0), 2 / (e1 - e0)), 1);
    return tf.concat([tf.cos(rad), tf.sin(rad), scaled], 1) as tf.Tensor2D;
  });
}

/** Azimuth and elevation in degrees (azimuth in [0, 360)) read from images [N, 32, 32, 3] in [-1, 1]. */
export function readPoses(model: tf.LayersModel, images: tf.Tensor, batchSize = 500): Float32Array {
  const out = model.predict(images, { batchSize }) as tf.Tensor;
  const values = out.dataSync();
  out.dispose();
  const n = values.length / 3;
  const [e0, e1] = ELEVATION;
  const poses = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const az = (Math.atan2(values[3 * i + 1]!, values[3 * i]!) * 180) / Math.PI;
    poses[2 * i] = (az + 360) % 360;
    poses[2 * i + 1] = e0 + ((values[3 * i + 2]! + 1) / 2) * (e1 - e0);
  }
  return poses;
}

/**
 * Fisher and Lee's circular correlation of paired angles (degrees): sum over pairs i < j of
 * sin(a_i - a_j) sin(b_i - b_j), over the root of the product of the sums of their squares. 1 when b turns
 * with a (b = a + c), -1 when against it (b = c - a), near 0 when unrelated; it needs no mean direction, so
 * it holds for angles spread over the whole circle. `groups` (one id per angle) limits the pairs to those
 * within a group: the azimuth sweep pairs only images of the same z.
 */
export function circularCorrelation(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  groups?: ArrayLike<number>,
): number {
  if (a.length !== b.length) throw new Error(`circular correlation: ${a.length} angles against ${b.length}`);
  const rad = Math.PI / 180;
  let num = 0;
  let sa = 0;
  let sb = 0;
  for (let i = 0; i < a.length; i++) {
    for (let j = i + 1; j < a.length; j++) {
      if (groups && groups[i] !== groups[j]) continue;
      const x = Math.sin((a[i]! - a[j]!) * rad);
      const y = Math.sin((b[i]! - b[j]!) * rad);
      num += x * y;
      sa += x * x;
      sb += y * y;
    }
  }
  return sa > 0 && sb > 0 ? num / Math.sqrt(sa * sb) : 0;
}

/** The smallest angle between two azimuths, degrees. */
export function azimuthError(a: number, b: number): number {
  const d = Math.abs(a - b) % 360;
  return Math.min(d, 360 - d);
}

/** The committed regressor; a missing one names the script that makes it. */
export async function loadPoseRegressor(dir = POSE_REGRESSOR_DIR): Promise<tf.LayersModel> {
  if (!existsSync(join(dir, 'model.json')))
    throw new Error(`no pose regressor weights in ${dir}: run 'npm run train:pose-regressor' first`);
  return tf.loadLayersModel(sinkLoader(new LocalArtifactSink(dir), ''));
}

export function readPoseRegressorRecord(dir = POSE_REGRESSOR_DIR): PoseRegressorRecord | undefined {
  const path = join(dir, 'training.json');
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as PoseRegressorRecord) : undefined;
}
