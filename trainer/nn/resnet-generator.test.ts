import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/index.ts';
import { randomValues } from '../backend/test-util.ts';
import { checkGradients, relativeError } from './gradient-check.ts';
import { Init } from './init.ts';
import { instanceNorm, Modulate } from './modulate.ts';
import { ReflectPad } from './reflect-pad.ts';
import { resnetGenerator } from './resnet-generator.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

const random = (shape: number[], seed: number) =>
  tf.tensor(
    randomValues(
      shape.reduce((a, b) => a * b, 1),
      seed,
    ),
    shape,
  );

describe('instance norm (the modulate layer with no condition)', () => {
  it("normalises each sample's channels over H x W, independently of the other samples", () => {
    const x = tf.input({ shape: [5, 6, 3] });
    const m = tf.model({ inputs: x, outputs: instanceNorm(x) });
    const batch = tf.add(tf.mul(random([2, 5, 6, 3], 1), 3), 2);
    const y = m.predict(batch) as tf.Tensor;
    const { mean, variance } = tf.moments(y, [1, 2]);
    expect(Math.max(...Array.from(tf.abs(mean).dataSync()))).toBeLessThan(1e-5);
    expect(Math.max(...Array.from(tf.abs(tf.sub(variance, 1)).dataSync()))).toBeLessThan(1e-3);
    const other = tf.concat([tf.slice(batch, [0], [1]), random([1, 5, 6, 3], 9)]);
    const y2 = m.predict(other) as tf.Tensor;
    expect(Array.from(tf.slice(y2, [0], [1]).dataSync())).toEqual(
      Array.from(tf.slice(y, [0], [1]).dataSync()),
    );
    expect(m.trainableWeights).toHaveLength(0);
    tf.dispose([batch, y, mean, variance, other, y2]);
  });

  it('its gradient matches finite differences', () => {
    const x = tf.variable(random([2, 4, 5, 3], 2));
    const w = random([2, 4, 5, 3], 3);
    const layer = new Modulate({ norm: 'instance', source: { from: 'none' } });
    const f = () => tf.sum(tf.mul(layer.apply(x, { training: true }) as tf.Tensor, w)) as tf.Scalar;
    for (const check of checkGradients(f, [x], { h: 1e-2 })) expect(relativeError(check)).toBeLessThan(0.02);
    tf.dispose([x, w]);
  });
});

describe("CycleGAN's ResNet generator", () => {
  it('c7s1, two downs, residual blocks with reflection padding, two ups, c7s1 tanh; same size out', () => {
    const x = tf.input({ shape: [32, 32, 3] });
    const g = tf.model({
      inputs: x,
      outputs: resnetGenerator(x, { outputChannels: 3, filters: 4, blocks: 2, init: new Init(1) }),
    });
    expect(g.outputs[0]!.shape).toEqual([null, 32, 32, 3]);
    const pads = g.layers.filter((l): l is ReflectPad => l instanceof ReflectPad).map((l) => l.pad);
    expect(pads).toEqual([3, 1, 1, 1, 1, 3]);
    const adds = g.layers.filter((l) => l.getClassName() === 'Add');
    expect(adds.map((l) => (l.outputShape as number[]).slice(1))).toEqual([
      [8, 8, 16],
      [8, 8, 16],
    ]);
    // Instance norm after every conv but the last: 3 + 2 per block + 2.
    expect(g.layers.filter((l) => l instanceof Modulate)).toHaveLength(3 + 2 * 2 + 2);
    const batch = random([2, 32, 32, 3], 4);
    const y = g.predict(batch) as tf.Tensor;
    expect(Array.from(y.dataSync()).every((v) => v > -1 && v < 1)).toBe(true);
    tf.dispose([batch, y]);
    g.dispose();
  });

  it('refuses sides its two downs cannot halve', () => {
    const x = tf.input({ shape: [30, 30, 3] });
    expect(() => resnetGenerator(x, { outputChannels: 3, filters: 4, blocks: 1, init: new Init(1) })).toThrow(
      /divisible by 4/,
    );
  });
});
