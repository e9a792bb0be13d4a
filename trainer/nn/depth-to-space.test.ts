import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/index.ts';
import { randomValues } from '../backend/test-util.ts';
import { DepthToSpace, spaceToDepth } from './depth-to-space.ts';
import { exportableModel } from './export.ts';
import { checkGradients, randomiseWeights, relativeError } from './gradient-check.ts';
import { Init } from './init.ts';
import { srGenerator } from './srgan.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('depth-to-space', () => {
  it("moves each pixel's r x r channel block into an r x r square, and spaceToDepth undoes it", () => {
    // One pixel, 4 channels: channel (dy * 2 + dx) lands at (dy, dx).
    const x = tf.tensor4d([1, 2, 3, 4], [1, 1, 1, 4]);
    const y = new DepthToSpace({ blockSize: 2 }).apply(x) as tf.Tensor4D;
    expect(y.shape).toEqual([1, 2, 2, 1]);
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4]);
    const big = tf.tensor4d(randomValues(2 * 3 * 2 * 8, 1), [2, 3, 2, 8]);
    const there = tf.depthToSpace(big, 2);
    const back = spaceToDepth(there, 2);
    expect(Array.from(back.dataSync())).toEqual(Array.from(big.dataSync()));
    tf.dispose([x, y, big, there, back]);
  });

  it('refuses channels that do not split into blocks', () => {
    expect(() => new DepthToSpace({ blockSize: 2 }).apply(tf.input({ shape: [4, 4, 6] }))).toThrow(
      /channels 6 must be a multiple of 4/,
    );
    expect(() => new DepthToSpace({ blockSize: 1 })).toThrow(/blockSize must be an integer >= 2/);
  });

  it('its gradient (tfjs has none) matches finite differences', () => {
    const x = tf.variable(tf.tensor4d(randomValues(2 * 3 * 2 * 12, 3), [2, 3, 2, 12]));
    const weights = tf.tensor4d(randomValues(2 * 6 * 4 * 3, 4), [2, 6, 4, 3]);
    const f = () => tf.sum(tf.mul(tf.depthToSpace(x as tf.Tensor4D, 2), weights)) as tf.Scalar;
    const checks = checkGradients(f, [x]);
    expect(checks[0]!.analytic).not.toBe(0);
    for (const check of checks) expect(relativeError(check)).toBeLessThan(0.01);
    tf.dispose([x, weights]);
  });
});

describe("SRGAN's generator exports as stock layers", () => {
  it('depth-to-space folds into reshape, permute and reshape; PReLU stays stock; the outputs agree', async () => {
    const g = srGenerator({
      inputShape: [4, 4, 3],
      factor: 4,
      filters: 4,
      blocks: 1,
      bicubicSkip: true,
      init: new Init(1),
      inputName: 'input',
    });
    randomiseWeights(g, 7, 0.3);
    expect(g.outputs[0]!.shape).toEqual([null, 16, 16, 3]);
    const exported = exportableModel(g);
    const classes = new Set(exported.layers.map((l) => l.getClassName()));
    expect(classes.has('DepthToSpace')).toBe(false);
    expect(classes.has('PReLU')).toBe(true);
    expect(classes.has('Permute')).toBe(true);
    // Saved and loaded without this module's class: every layer is stock tfjs.
    const saved: tf.io.ModelArtifacts[] = [];
    await exported.save(
      tf.io.withSaveHandler(async (a) => {
        saved.push(a);
        return { modelArtifactsInfo: {} as never };
      }),
    );
    const topology = JSON.stringify(saved[0]!.modelTopology);
    expect(topology).not.toContain('DepthToSpace');
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved[0]!));
    const x = tf.tensor4d(randomValues(2 * 4 * 4 * 3, 9), [2, 4, 4, 3]);
    const [a, b] = [g.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
    const diff = tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!;
    expect(diff).toBeLessThan(1e-5);
    tf.dispose([x, a, b]);
    g.dispose();
    exported.dispose();
    loaded.dispose();
  });
});
