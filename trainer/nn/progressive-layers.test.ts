/**
 * The Progressive GAN's layers and the R1 penalty: shapes, values against their definitions, gradients
 * against central finite differences, and second-order gradients (a penalty on the input gradient,
 * differentiated with respect to the weights) through every layer a critic uses.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/index.ts';
import { randomValues } from '../backend/test-util.ts';
import { r1Penalty } from '../losses/r1.ts';
import { halve } from './downsample.ts';
import { equalizedConv, equalizedDense } from './equalized.ts';
import { FadeIn } from './fade.ts';
import { Init } from './init.ts';
import { minibatchStddev } from './minibatch-stddev.ts';
import { pixelNorm } from './pixel-norm.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

function random(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(
    randomValues(
      shape.reduce((a, b) => a * b, 1),
      seed,
    ),
    shape,
  );
}

/**
 * d f / d t along a random direction of `x` (a tensor or a variable): the analytic gradient's projection
 * against (f(x + h d) - f(x - h d)) / 2h, as a relative error.
 */
function directionalError(f: (x: tf.Tensor) => tf.Scalar, x: tf.Tensor, seed: number, h = 1e-2): number {
  const d = random(x.shape, seed);
  const analytic = tf.sum(tf.mul(tf.grad(f)(x), d)).dataSync()[0]!;
  const plus = f(tf.add(x, tf.mul(h, d))).dataSync()[0]!;
  const minus = f(tf.sub(x, tf.mul(h, d))).dataSync()[0]!;
  const numeric = (plus - minus) / (2 * h);
  return Math.abs(numeric - analytic) / Math.max(1e-3, Math.abs(analytic));
}

/** The same check for a function of a layer's variable (written in place, restored after). */
function weightError(f: () => tf.Scalar, v: tf.Variable, seed: number, h = 1e-2): number {
  const original = v.clone();
  const { grads } = tf.variableGrads(f, [v]);
  const d = random(v.shape, seed);
  const analytic = tf.sum(tf.mul(grads[v.name]!, d)).dataSync()[0]!;
  v.assign(tf.add(original, tf.mul(h, d)));
  const plus = f().dataSync()[0]!;
  v.assign(tf.sub(original, tf.mul(h, d)));
  const minus = f().dataSync()[0]!;
  v.assign(original);
  const numeric = (plus - minus) / (2 * h);
  return Math.abs(numeric - analytic) / Math.max(1e-3, Math.abs(analytic));
}

describe('equalized learning rate', () => {
  it('dense: weights N(0, 1) applied as w * sqrt(2) / sqrt(fan-in); gradients match finite differences', () => {
    const layer = equalizedDense(64, { init: new Init(1) });
    const x = random([8, 256], 2);
    const y = layer.apply(x) as tf.Tensor;
    expect(y.shape).toEqual([8, 64]);
    const [kernel, bias] = layer.getWeights();
    expect(kernel!.shape).toEqual([256, 64]);
    // The stored weights are unit-variance; what is applied is scaled by He's constant.
    const std = tf.moments(kernel!).variance.sqrt().dataSync()[0]!;
    expect(Math.abs(std - 1)).toBeLessThan(0.05);
    const expected = tf.add(tf.matMul(x, tf.mul(kernel!, Math.SQRT2 / 16)), bias!);
    expect(tf.max(tf.abs(tf.sub(y, expected))).dataSync()[0]).toBeLessThan(1e-5);
    const loss = () => tf.sum(tf.square(layer.apply(x) as tf.Tensor)) as tf.Scalar;
    expect(weightError(loss, layer.trainableWeights[0]!.read() as tf.Variable, 3)).toBeLessThan(1e-2);
    expect(directionalError((t) => tf.sum(tf.square(layer.apply(t) as tf.Tensor)), x, 4)).toBeLessThan(1e-2);
  });

  it('a learning-rate multiplier divides the stored weights and multiplies their scale', () => {
    const plain = equalizedDense(4, { init: new Init(5) });
    const slow = equalizedDense(4, { init: new Init(5), lrMultiplier: 0.01 });
    const x = random([2, 6], 6);
    const a = plain.apply(x) as tf.Tensor;
    const b = slow.apply(x) as tf.Tensor;
    expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBeLessThan(1e-5);
    expect(slow.getWeights()[0]!.dataSync()[0]).toBeCloseTo(plain.getWeights()[0]!.dataSync()[0]! / 0.01, 3);
  });

  it("conv: 'same' padding, stride 1, kernel scaled by sqrt(2) / sqrt(k * k * in); gradients match", () => {
    const layer = equalizedConv(6, 3, { init: new Init(7) });
    const x = random([2, 8, 8, 4], 8);
    const y = layer.apply(x) as tf.Tensor;
    expect(y.shape).toEqual([2, 8, 8, 6]);
    const [kernel, bias] = layer.getWeights();
    const expected = tf.add(
      tf.conv2d(x as tf.Tensor4D, tf.mul(kernel!, Math.SQRT2 / 6) as tf.Tensor4D, 1, 'same'),
      bias!,
    );
    expect(tf.max(tf.abs(tf.sub(y, expected))).dataSync()[0]).toBeLessThan(1e-5);
    const loss = () => tf.sum(tf.square(layer.apply(x) as tf.Tensor)) as tf.Scalar;
    expect(weightError(loss, layer.trainableWeights[0]!.read() as tf.Variable, 9)).toBeLessThan(1e-2);
  });
});

describe('pixel norm', () => {
  it("makes every pixel's feature vector unit root-mean-square; gradient matches", () => {
    const x = tf.mul(random([2, 4, 4, 8], 10), 5);
    const y = pixelNorm(x);
    expect(y.shape).toEqual(x.shape);
    const ms = tf.mean(tf.square(y), -1).dataSync();
    for (const v of ms) expect(v).toBeCloseTo(1, 4);
    expect(directionalError((t) => tf.sum(tf.mul(pixelNorm(t), random(t.shape, 11))), x, 12)).toBeLessThan(
      1e-2,
    );
  });
});

describe('minibatch standard deviation', () => {
  it('appends one map holding the mean over features of the std across each group; gradient matches', () => {
    const x = random([4, 3, 3, 2], 13) as tf.Tensor4D;
    const y = minibatchStddev(x, 2);
    expect(y.shape).toEqual([4, 3, 3, 3]);
    // Groups of 2 pair samples i and i + 2.
    const v = x.arraySync();
    const groupStat = (a: number, b: number) => {
      let sum = 0;
      for (let i = 0; i < 3; i++)
        for (let j = 0; j < 3; j++)
          for (let c = 0; c < 2; c++) {
            const p = v[a]![i]![j]![c]!;
            const q = v[b]![i]![j]![c]!;
            sum += Math.sqrt((((p - q) / 2) ** 2 * 2) / 2 + 1e-8);
          }
      return sum / 18;
    };
    const extra = tf.slice(y, [0, 0, 0, 2], [4, 1, 1, 1]).dataSync();
    expect(extra[0]).toBeCloseTo(groupStat(0, 2), 5);
    expect(extra[2]).toBeCloseTo(groupStat(0, 2), 5);
    expect(extra[1]).toBeCloseTo(groupStat(1, 3), 5);
    expect(() => minibatchStddev(random([3, 2, 2, 1], 1) as tf.Tensor4D, 2)).toThrow(/groups of 2/);
    const weights = random(y.shape, 14);
    expect(
      directionalError((t) => tf.sum(tf.mul(minibatchStddev(t as tf.Tensor4D, 2), weights)), x, 15, 1e-3),
    ).toBeLessThan(2e-2);
  });
});

describe('fade-in', () => {
  it('blends the grown path in by alpha', () => {
    const fade = new FadeIn({});
    const before = tf.fill([1, 2, 2, 1], 2);
    const grown = tf.fill([1, 2, 2, 1], 6);
    const at = (alpha: number) => {
      fade.setAlpha(alpha);
      return (fade.apply([before, grown]) as tf.Tensor).dataSync()[0];
    };
    expect([at(0), at(0.25), at(1)]).toEqual([2, 3, 6]);
    expect(() => fade.setAlpha(1.5)).toThrow(/\[0, 1\]/);
  });
});

describe('downsampling a critic can be differentiated twice through', () => {
  it('halve equals 2x2 average pooling', () => {
    const x = random([2, 4, 6, 3], 16) as tf.Tensor4D;
    const pooled = tf.avgPool(x, 2, 2, 'valid');
    expect(tf.max(tf.abs(tf.sub(halve(x), pooled))).dataSync()[0]).toBeLessThan(1e-6);
  });

  it("tfjs's avgPool has no gradient of its gradient; halve does", () => {
    const x = random([1, 4, 4, 1], 17);
    const inputGradNorm = (down: (t: tf.Tensor4D) => tf.Tensor) => (t: tf.Tensor) =>
      tf.sum(tf.square(tf.grad((u: tf.Tensor) => tf.sum(tf.square(down(u as tf.Tensor4D))))(t))) as tf.Scalar;
    expect(() => tf.grad(inputGradNorm((t) => tf.avgPool(t, 2, 2, 'valid')))(x)).toThrow();
    expect(directionalError(inputGradNorm(halve), x, 18)).toBeLessThan(1e-2);
  });
});

describe('R1 penalty', () => {
  it('is |a|^2 for the linear critic f(x) = a . x', () => {
    const a = tf.tensor2d([[0.6], [-1.2], [2]]);
    const penalty = r1Penalty((x) => tf.matMul(x, a), random([4, 3], 19)).dataSync()[0];
    expect(penalty).toBeCloseTo(0.36 + 1.44 + 4, 4);
  });

  it("its gradient with respect to a critic's weights (second order, through equalized conv, leaky ReLU, halve, minibatch stddev and equalized dense) matches finite differences", () => {
    const init = new Init(20);
    const conv1 = equalizedConv(4, 3, { init });
    const conv2 = equalizedConv(4, 3, { init });
    const score = equalizedDense(1, { init, gain: 1 });
    const critic = (x: tf.Tensor) => {
      let h = tf.leakyRelu(conv1.apply(x) as tf.Tensor, 0.2) as tf.Tensor4D;
      h = minibatchStddev(halve(h), 2);
      h = tf.leakyRelu(conv2.apply(h) as tf.Tensor, 0.2) as tf.Tensor4D;
      return score.apply(tf.reshape(h, [h.shape[0], -1])) as tf.Tensor;
    };
    const real = random([4, 8, 8, 1], 21);
    const loss = () => r1Penalty(critic, real);
    loss(); // builds the layers
    for (const [i, layer] of [conv1, conv2, score].entries()) {
      const kernel = layer.trainableWeights[0]!.read() as tf.Variable;
      expect(weightError(loss, kernel, 30 + i, 1e-3), layer.name).toBeLessThan(3e-2);
    }
  });
});
