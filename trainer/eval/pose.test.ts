import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/index.ts';
import { OBJECTS, render } from '../data/derived/posed-objects.ts';
import { buildGan } from '../loop.ts';
import { tinySpec } from '../test-util.ts';
import { azimuthSweep } from './azimuth-sweep.ts';
import {
  azimuthError,
  circularCorrelation,
  loadPoseRegressor,
  poseTargets,
  readPoseRegressorRecord,
  readPoses,
} from './pose-regressor.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('circularCorrelation (Fisher-Lee)', () => {
  const a = Array.from({ length: 36 }, (_, k) => 10 * k);
  it('is 1 for angles turning together, whatever the offset, and -1 for angles turning against', () => {
    expect(
      circularCorrelation(
        a,
        a.map((x) => (x + 137) % 360),
      ),
    ).toBeCloseTo(1, 6);
    expect(
      circularCorrelation(
        a,
        a.map((x) => (400 - x) % 360),
      ),
    ).toBeCloseTo(-1, 6);
  });
  it('is near 0 for unrelated angles, and only pairs within a group count when groups are given', () => {
    const noise = a.map((_, i) => (i * 7919) % 360);
    expect(Math.abs(circularCorrelation(a, noise))).toBeLessThan(0.3);
    // Two groups, each turning with a on its own offset: 1 within groups, less when pooled across them.
    const both = [...a, ...a];
    const read = [...a.map((x) => x + 20), ...a.map((x) => x + 200)];
    const groups = both.map((_, i) => (i < 36 ? 0 : 1));
    expect(circularCorrelation(both, read, groups)).toBeCloseTo(1, 6);
    expect(circularCorrelation(both, read)).toBeLessThan(0.9);
    expect(() => circularCorrelation([1], [1, 2])).toThrow(/1 angles against 2/);
  });
  it('azimuthError is the smaller way round', () => {
    expect(azimuthError(350, 10)).toBe(20);
    expect(azimuthError(10, 190)).toBe(180);
  });
});

describe('poseTargets', () => {
  it('is [cos, sin] of the azimuth and the elevation scaled to [-1, 1] over the catalog range, as readPoses reads', () => {
    const poses = tf.tensor2d([0, 0, 90, 60, 225, 30], [3, 2]);
    const targets = poseTargets(poses);
    const h = Math.SQRT1_2;
    const expected = [1, 0, -1, 0, 1, 1, -h, -h, 0];
    Array.from(targets.dataSync()).forEach((v, i) => {
      expect(v).toBeCloseTo(expected[i]!, 5);
    });
    tf.dispose([poses, targets]);
  });
});

describe('the committed pose regressor', () => {
  it('was trained to judge: its held-out circular correlation is >= 0.95', () => {
    const record = readPoseRegressorRecord();
    expect(record?.heldOut.images).toBeGreaterThanOrEqual(1000);
    expect(record!.heldOut.azimuthCircularCorrelation).toBeGreaterThanOrEqual(0.95);
  });

  it('reads the azimuth of fresh renders of each object as the renderer drew it', async () => {
    const regressor = await loadPoseRegressor();
    const azimuths = Array.from({ length: 12 }, (_, k) => 30 * k + 7);
    for (const faces of OBJECTS) {
      const values = new Float32Array(12 * 32 * 32 * 3);
      azimuths.forEach((az, i) => {
        const pic = render(faces, az, 25, 32);
        for (let p = 0; p < pic.data.length; p++) values[i * 32 * 32 * 3 + p] = 2 * pic.data[p]! - 1;
      });
      const images = tf.tensor4d(values, [12, 32, 32, 3]);
      const read = readPoses(regressor, images);
      images.dispose();
      const readAz = azimuths.map((_, i) => read[2 * i]!);
      expect(circularCorrelation(azimuths, readAz)).toBeGreaterThan(0.95);
    }
    regressor.dispose();
  });

  it("sweeps an untrained HoloGAN's azimuth: rows x azimuths images, a correlation in [-1, 1], a picture", async () => {
    const regressor = await loadPoseRegressor();
    const gan = buildGan(tinySpec('hologan', 'posed-objects'));
    const sweep = azimuthSweep(gan.generator, regressor, {
      latentDim: gan.latentDim,
      noise: 'normal',
      pose: gan.pose!,
      seed: 1,
      rows: 3,
      azimuths: 6,
    });
    expect(sweep).toMatchObject({ rows: 3, azimuths: 6, elevation: 30 });
    expect(Math.abs(sweep.circularCorrelation)).toBeLessThanOrEqual(1);
    expect(sweep.perRow.min).toBeLessThanOrEqual(sweep.perRow.max);
    expect(Array.from(sweep.png.subarray(1, 4))).toEqual([80, 78, 71]); // "PNG"
    for (const net of Object.values(gan.nets)) net.dispose();
    regressor.dispose();
  });
});
