import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from './index.ts';
import { leakedBy, randomInput, relError, runOn } from './test-util.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

/** A critic-like function of x and w with a LeakyRelu inside: sum(leakyRelu(x * w) * c). */
const critic = (x: tf.Tensor, w: tf.Tensor, c: tf.Tensor, alpha: number) =>
  tf.sum(tf.mul(tf.leakyRelu(tf.mul(x, w), alpha), c));

describe("LeakyRelu's gradient on wasm", () => {
  const gradOf = (x: tf.Tensor, dy: tf.Tensor) =>
    tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.leakyRelu(v, 0.2), dy)))(x);

  it('is what tfjs composes, bit for bit, zeros and infinities included; NaN in x gives NaN', () => {
    const x = tf.tensor1d([-2, -0, 0, 1e-30, 3, Number.NaN, Number.POSITIVE_INFINITY, -1]);
    const dy = tf.tensor1d([1.5, 2, 3, -4, 5, 6, Number.NEGATIVE_INFINITY, Number.NaN]);
    const ours = Array.from(gradOf(x, dy).dataSync());
    const composed = Array.from(tf.where(tf.greater(x, 0), dy, tf.mul(dy, 0.2)).dataSync());
    expect(ours.filter((_, i) => i !== 5)).toEqual(composed.filter((_, i) => i !== 5));
    expect(ours[5]).toBeNaN();
    tf.dispose([x, dy]);
  });

  it.each([0.2, 0.01, 3])('first order matches cpu (alpha %s)', async (alpha) => {
    const inputs = [randomInput([64, 7, 7, 8], 3), randomInput([8], 4), randomInput([64, 7, 7, 8], 5)];
    const grad = (x: tf.Tensor, w: tf.Tensor, c: tf.Tensor) =>
      tf.grad((v: tf.Tensor) => critic(v, w, c, alpha))(x);
    const [wasm, cpu] = [await runOn('wasm', inputs, grad), await runOn('cpu', inputs, grad)];
    expect(relError(wasm, cpu)).toBeLessThan(1e-6);
  });

  it('second order (a gradient penalty through it) matches cpu and is not zero', async () => {
    const inputs = [randomInput([16, 12], 6), randomInput([12], 7), randomInput([16, 12], 8)];
    // d/dw of ||d critic / dx||^2: the penalty's gradient reaches w through the incoming gradient.
    const penaltyGrad = (x: tf.Tensor, w: tf.Tensor, c: tf.Tensor) =>
      tf.grad((wv: tf.Tensor) => {
        const gx = tf.grad((xv: tf.Tensor) => critic(xv, wv, c, 0.2))(x);
        return tf.sum(tf.square(gx));
      })(w);
    const [wasm, cpu] = [await runOn('wasm', inputs, penaltyGrad), await runOn('cpu', inputs, penaltyGrad)];
    expect(relError(wasm, cpu)).toBeLessThan(1e-5);
    expect(Math.max(...Array.from(cpu).map(Math.abs))).toBeGreaterThan(0.1);
  });

  it("is what tf.grad runs on wasm, in place of tfjs's Greater, Multiply and Select", async () => {
    const x = tf.randomNormal([4, 5]);
    const info = await tf.profile(() => tf.grad((v: tf.Tensor) => tf.sum(tf.leakyRelu(v, 0.2)))(x));
    expect(info.kernelNames).toContain('Step');
    expect(info.kernelNames).not.toContain('Select');
    x.dispose();
  });

  it('leaks nothing', () => {
    const x = tf.randomNormal([4, 5]);
    expect(leakedBy(() => tf.grad((v: tf.Tensor) => tf.sum(tf.leakyRelu(v, 0.2)))(x))).toEqual({
      tensors: 0,
      dataIds: 0,
    });
    x.dispose();
  });
});

/** A batch-normalised layer as tfjs-layers trains one: statistics of the batch, then scale and offset. */
const normed = (x: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor) => {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return tf.batchNorm(x, mean, variance, offset, scale, 1e-3);
};

describe("batch norm's gradient on wasm", () => {
  it('matches cpu for x, scale and offset, through the batch statistics', async () => {
    const inputs = [randomInput([16, 3, 3, 12], 1), randomInput([12], 2), randomInput([12], 3)];
    const c = tf.linspace(-1, 2, 16 * 3 * 3 * 12).reshape([16, 3, 3, 12]);
    const grads = (x: tf.Tensor, s: tf.Tensor, o: tf.Tensor) =>
      tf.concat(
        tf
          .grads((a: tf.Tensor, b: tf.Tensor, d: tf.Tensor) => tf.sum(tf.mul(normed(a, b, d), c)))([x, s, o])
          .map((g) => g.flatten()),
      );
    const [wasm, cpu] = [await runOn('wasm', inputs, grads), await runOn('cpu', inputs, grads)];
    expect(relError(wasm, cpu)).toBeLessThan(1e-5);
    c.dispose();
  });

  it('second order (a penalty on the gradient through it) matches cpu and is not zero', async () => {
    const inputs = [randomInput([8, 2, 2, 8], 4), randomInput([8], 5), randomInput([8], 6)];
    const penaltyGrad = (x: tf.Tensor, s: tf.Tensor, o: tf.Tensor) =>
      tf.grad((sv: tf.Tensor) => {
        const gx = tf.grad((xv: tf.Tensor) => tf.sum(tf.square(normed(xv, sv, o))))(x);
        return tf.sum(tf.square(gx));
      })(s);
    const [wasm, cpu] = [await runOn('wasm', inputs, penaltyGrad), await runOn('cpu', inputs, penaltyGrad)];
    expect(relError(wasm, cpu)).toBeLessThan(1e-4);
    expect(Math.max(...Array.from(cpu).map(Math.abs))).toBeGreaterThan(1e-3);
  });

  it("is what tf.grad runs on wasm: no Tile, fewer kernels than tfjs's", async () => {
    const x = tf.randomNormal([8, 4, 4, 8]);
    const [s, o] = [tf.ones([8]), tf.zeros([8])];
    const info = await tf.profile(() => tf.grad((v: tf.Tensor) => tf.sum(normed(v, s, o)))(x));
    expect(info.kernelNames).not.toContain('Tile');
    tf.dispose([x, s, o]);
  });
});
