import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/index.ts';
import { checkGradients, randomiseWeights, randomTensor, relativeError } from './gradient-check.ts';
import { Init } from './init.ts';
import { deconv3d, LearnedConstant, projectionUnit, Rotate3D, rotate3d, rotateVolume } from './volume.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

const expectClose = (checks: ReturnType<typeof checkGradients>, tolerance = 0.02) => {
  for (const check of checks) {
    expect(Math.abs(check.analytic), check.name).toBeGreaterThan(1e-3);
    expect(relativeError(check), check.name).toBeLessThan(tolerance);
  }
};

describe('3D transposed convolution', () => {
  it('doubles each side with stride 2', () => {
    const x = tf.input({ shape: [2, 3, 4, 5] });
    const y = deconv3d(x, { filters: 6, kernel: 3, strides: 2, init: new Init(1).normal(0.3) });
    expect(y.shape).toEqual([null, 4, 6, 8, 6]);
  });

  for (const strides of [1, 2]) {
    it(`stride ${strides}: gradients of the input and the filter match finite differences`, () => {
      const x = tf.variable(randomTensor([2, 2, 3, 2, 3], 1));
      const filter = tf.variable(randomTensor([3, 3, 3, 4, 3], 2, 0.5));
      const r = randomTensor([2, 2 * strides, 3 * strides, 2 * strides, 4], 3);
      const f = () =>
        tf.sum(
          tf.mul(
            tf.conv3dTranspose(x as tf.Tensor5D, filter as tf.Tensor5D, r.shape as never, strides, 'same'),
            r,
          ),
        ) as tf.Scalar;
      expectClose(checkGradients(f, [x, filter]), 0.01);
    });
  }
});

describe('LearnedConstant', () => {
  it('gives every sample the same trainable volume, whose gradient is the sum over the batch', () => {
    const z = tf.input({ shape: [5] });
    const m = tf.model({
      inputs: z,
      outputs: new LearnedConstant({ shape: [2, 2, 2, 3], init: new Init(3).normal(1) }).apply(
        z,
      ) as tf.SymbolicTensor,
    });
    const out = m.predict(randomTensor([3, 5], 4)) as tf.Tensor;
    expect(out.shape).toEqual([3, 2, 2, 2, 3]);
    const [a, b] = tf.split(out, [1, 2], 0);
    expect(tf.max(tf.abs(tf.sub(b!, a!))).dataSync()[0]).toBe(0);
    const r = randomTensor([3, 2, 2, 2, 3], 5);
    const f = () => tf.sum(tf.mul(m.apply(randomTensor([3, 5], 4)) as tf.Tensor, r)) as tf.Scalar;
    expectClose(
      checkGradients(
        f,
        m.trainableWeights.map((w) => w.read() as tf.Variable),
      ),
    );
    expect(() => new LearnedConstant({ shape: [2, 0] })).toThrow(/positive integers/);
  });
});

describe('rotateVolume', () => {
  const side = 5;
  /** A volume of zeros with one voxel (d, h, w) set to 1 in channel 0 and 2 in channel 1. */
  const marked = (d: number, h: number, w: number) => {
    const values = new Float32Array(side ** 3 * 2);
    const at = ((d * side + h) * side + w) * 2;
    values[at] = 1;
    values[at + 1] = 2;
    return tf.tensor(values, [1, side, side, side, 2]);
  };
  const argmax = (v: tf.Tensor) => {
    const i = tf
      .argMax(tf.reshape(tf.slice(v, [0, 0, 0, 0, 0], [1, side, side, side, 1]), [-1]))
      .dataSync()[0]!;
    return [Math.floor(i / side ** 2), Math.floor(i / side) % side, i % side];
  };

  it('pose (0, 0) is the identity', () => {
    const v = randomTensor([2, 3, 4, 5, 2], 6);
    const out = rotateVolume(v, tf.zeros([2, 2]));
    expect(tf.max(tf.abs(tf.sub(out, v))).dataSync()[0]).toBeLessThan(1e-6);
  });

  it("turns as the renderer's camera: azimuth 90 takes +x to +z, elevation 90 takes +y to +z", () => {
    // The centre is (2, 2, 2); +x is w = 3, +y is h = 1, +z is d = 3.
    const turned = rotateVolume(marked(2, 2, 3), tf.tensor2d([[90, 0]]));
    expect(argmax(turned)).toEqual([3, 2, 2]);
    expect(tf.max(turned).dataSync()[0]).toBeCloseTo(2, 4);
    expect(argmax(rotateVolume(marked(2, 1, 2), tf.tensor2d([[0, 90]])))).toEqual([3, 2, 2]);
    // Azimuth 180 takes +x to -x.
    expect(argmax(rotateVolume(marked(2, 2, 3), tf.tensor2d([[180, 0]])))).toEqual([2, 2, 1]);
  });

  it('interpolates trilinearly: a half-voxel turn spreads a voxel, keeping its mass in the interior', () => {
    // At azimuth 45 a voxel one step along +x lands between grid points; the weights of its neighbours sum
    // to 1 at each output voxel, so the total is near the input's where nothing leaves the volume.
    const out = rotateVolume(marked(2, 2, 3), tf.tensor2d([[45, 0]]));
    const total = tf.sum(tf.slice(out, [0, 0, 0, 0, 0], [1, side, side, side, 1])).dataSync()[0]!;
    expect(total).toBeGreaterThan(0.9);
    expect(total).toBeLessThan(1.5);
    expect(tf.max(out).dataSync()[0]).toBeLessThan(2);
  });

  it('the gradient with respect to the volume matches finite differences', () => {
    const v = tf.variable(randomTensor([2, 4, 4, 4, 2], 7));
    const pose = tf.tensor2d([
      [30, 20],
      [200, 50],
    ]);
    const r = randomTensor([2, 4, 4, 4, 2], 8);
    const f = () => tf.sum(tf.mul(rotateVolume(v, pose), r)) as tf.Scalar;
    expectClose(checkGradients(f, [v]), 0.01);
  });

  it('as a layer: [volume, pose] -> volume, refusing a pose that is not [N, 2]', () => {
    const v = tf.input({ shape: [4, 4, 4, 3] });
    expect(rotate3d(v, tf.input({ shape: [2] })).shape).toEqual([null, 4, 4, 4, 3]);
    expect(() => new Rotate3D({}).apply([v, tf.input({ shape: [3] })])).toThrow(/pose \[N, 2\]/);
    expect(() => rotateVolume(tf.zeros([1, 2, 2, 2, 1]), tf.zeros([2, 2]))).toThrow(/pose must be/);
  });
});

describe('projectionUnit', () => {
  it('stacks depth into channels and mixes it with a 1x1 conv; its gradients match finite differences', () => {
    const v = tf.input({ shape: [3, 4, 5, 2] });
    const out = projectionUnit(v, { filters: 6, init: new Init(4).normal(0.3) });
    expect(out.shape).toEqual([null, 4, 5, 6]);
    const m = tf.model({ inputs: v, outputs: out });
    expect(m.trainableWeights.map((w) => w.shape)).toEqual([[1, 1, 6, 6], [6]]);
    randomiseWeights(m, 9, 0.5);
    // Every depth slice reaches the output: changing only the deepest slice changes the projection.
    const x = randomTensor([1, 3, 4, 5, 2], 10);
    const bumped = tf.concat([tf.slice(x, [0, 0, 0, 0, 0], [1, 2, 4, 5, 2]), tf.zeros([1, 1, 4, 5, 2])], 1);
    const diff = tf.sub(m.predict(x) as tf.Tensor, m.predict(bumped) as tf.Tensor);
    expect(tf.max(tf.abs(diff)).dataSync()[0]).toBeGreaterThan(1e-3);
    const xv = tf.variable(x);
    const r = randomTensor([1, 4, 5, 6], 11);
    const f = () => tf.sum(tf.mul(m.apply(xv) as tf.Tensor, r)) as tf.Scalar;
    expectClose(
      checkGradients(f, [...m.trainableWeights.map((w) => w.read() as tf.Variable), xv], { h: 1e-3 }),
    );
  });
});
