/**
 * The azimuth sweep of a pose-taking generator (HoloGAN): does turning the commanded azimuth with z fixed
 * turn the object? `rows` z (from Rng(seed, Stream.eval)), each drawn at `azimuths` azimuths evenly round the
 * circle at the middle elevation; the pose regressor reads each image's azimuth, and the result is the
 * Fisher-Lee circular correlation of read against commanded azimuth over pairs of images of the same z (1:
 * the object turns with the command; -1: against it; 0: the view does not follow it).
 */
import * as tf from '@tensorflow/tfjs';
import type { LatentNoise } from '../../shared/latent.ts';
import { Rng, Stream } from '../data/rng.ts';
import type { PoseRange } from '../gan.ts';
import { latentValues } from '../latents.ts';
import { imageGrid } from '../render/grid.ts';
import { encodePng } from '../render/png.ts';
import { circularCorrelation, readPoses } from './pose-regressor.ts';

/** GANS.md's sweep: 36 azimuths x 50 z. */
export const SWEEP_AZIMUTHS = 36;
export const SWEEP_ROWS = 50;
/** Rows of the sweep shown in its picture. */
const PICTURE_ROWS = 8;

export interface AzimuthSweep {
  azimuths: number;
  rows: number;
  elevation: number;
  circularCorrelation: number;
  perRow: { median: number; min: number; max: number };
  /** The first PICTURE_ROWS rows as a PNG: a row a z, the azimuth along it. */
  png: Uint8Array;
}

export function azimuthSweep(
  generator: tf.LayersModel,
  regressor: tf.LayersModel,
  o: {
    latentDim: number;
    noise: LatentNoise;
    pose: PoseRange;
    seed: number;
    rows?: number;
    azimuths?: number;
  },
): AzimuthSweep {
  const rows = o.rows ?? SWEEP_ROWS;
  const azimuths = o.azimuths ?? SWEEP_AZIMUTHS;
  const elevation = (o.pose.elevation[0] + o.pose.elevation[1]) / 2;
  const commanded = Array.from({ length: azimuths }, (_, k) => o.pose.azimuth[0] + (360 * k) / azimuths);
  const poses = tf.tensor2d(
    commanded.flatMap((a) => [a, elevation]),
    [azimuths, 2],
  );
  const rng = new Rng(o.seed, Stream.eval);
  const read: number[] = [];
  const perRow: number[] = [];
  const shown: Float32Array[] = [];
  let imageShape: number[] = [];
  for (let r = 0; r < rows; r++) {
    const z = latentValues(rng, o.latentDim, o.noise);
    const images = tf.tidy(() => {
      const zs = tf.tile(tf.tensor2d(z, [1, o.latentDim]), [azimuths, 1]);
      const out = generator.predict([zs, poses]) as tf.Tensor | tf.Tensor[];
      return Array.isArray(out) ? out[0]! : out;
    });
    imageShape = images.shape.slice(1);
    const row = readPoses(regressor, images);
    if (r < PICTURE_ROWS) shown.push(images.dataSync() as Float32Array);
    images.dispose();
    const rowAzimuths = Array.from({ length: azimuths }, (_, k) => row[2 * k]!);
    read.push(...rowAzimuths);
    perRow.push(circularCorrelation(commanded, rowAzimuths));
  }
  poses.dispose();
  const groups = Int32Array.from({ length: rows * azimuths }, (_, i) => Math.floor(i / azimuths));
  const allCommanded = Array.from({ length: rows * azimuths }, (_, i) => commanded[i % azimuths]!);
  const sorted = [...perRow].sort((a, b) => a - b);
  const [h, w, c] = imageShape as [number, number, number];
  const pictureValues = new Float32Array(shown.reduce((n, s) => n + s.length, 0));
  shown.forEach((s, k) => {
    pictureValues.set(s, k * s.length);
  });
  return {
    azimuths,
    rows,
    elevation,
    circularCorrelation: circularCorrelation(allCommanded, read, groups),
    perRow: { median: sorted[Math.floor(rows / 2)]!, min: sorted[0]!, max: sorted.at(-1)! },
    png: encodePng(imageGrid(pictureValues, shown.length * azimuths, h, w, c, azimuths)),
  };
}
