import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/index.ts';
import { randomValues } from '../backend/test-util.ts';
import { Init } from './init.ts';
import { SeededDropout } from './seeded-dropout.ts';
import { unetDepth, unetModel } from './unet.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

const build = (dropoutLayers = 3) =>
  unetModel({
    inputShape: [32, 32, 1],
    outputChannels: 3,
    filters: 4,
    dropoutLayers,
    dropoutRate: 0.5,
    init: new Init(1),
  });

const kinds = (m: tf.LayersModel, kind: string) => m.layers.filter((l) => l.getClassName() === kind);

describe('U-Net', () => {
  it('maps [N, 32, 32, 1] to [N, 32, 32, 3] in tanh range through five levels down to 1 x 1', () => {
    const g = build();
    expect(g.inputNames).toEqual(['input']);
    expect(g.outputs[0]!.shape).toEqual([null, 32, 32, 3]);
    expect(kinds(g, 'Conv2D').map((l) => (l.outputShape as number[])[1])).toEqual([16, 8, 4, 2, 1]);
    const x = tf.tensor4d(randomValues(2 * 32 * 32, 1), [2, 32, 32, 1]);
    const y = g.predict(x) as tf.Tensor;
    expect(y.shape).toEqual([2, 32, 32, 3]);
    expect(Array.from(y.dataSync()).every((v) => v > -1 && v < 1)).toBe(true);
    tf.dispose([x, y]);
    g.dispose();
  });

  it('joins every decoder map to the encoder map of its size (the skips), dropout on the innermost three', () => {
    const g = build();
    const joins = kinds(g, 'Concatenate');
    expect(joins.map((l) => (l.outputShape as number[]).slice(1, 3))).toEqual([
      [2, 2],
      [4, 4],
      [8, 8],
      [16, 16],
    ]);
    for (const join of joins) {
      const [decoder, encoder] = join.inboundNodes[0]!.inboundLayers;
      expect(decoder!.outputShape).toEqual(encoder!.outputShape);
    }
    const dropouts = g.layers.filter((l) => l instanceof SeededDropout);
    expect(dropouts.map((l) => (l.outputShape as number[])[1])).toEqual([2, 4, 8]);
    expect(build(0).layers.some((l) => l instanceof SeededDropout)).toBe(false);
    g.dispose();
  });

  it('a pixel of the input reaches the output at its place through the skips, not only through the 1 x 1 bottleneck', () => {
    const g = build(0);
    const x = tf.variable(tf.tensor4d(randomValues(32 * 32, 7), [1, 32, 32, 1]));
    // d output(5, 5) / d input: through the outermost skip it is largest near (5, 5).
    const { grads } = tf.variableGrads(
      () => tf.sum(tf.slice(g.apply(x, { training: true }) as tf.Tensor, [0, 5, 5, 0], [1, 1, 1, 3])),
      [x],
    );
    const g2 = Array.from(grads[x.name]!.abs().dataSync());
    const near = g2[5 * 32 + 5]! + g2[4 * 32 + 4]! + g2[5 * 32 + 4]! + g2[4 * 32 + 5]!;
    expect(near).toBeGreaterThan(0);
    tf.dispose([x, ...Object.values(grads)]);
    g.dispose();
  });

  it('refuses sides that are not one power of two', () => {
    expect(unetDepth([32, 32])).toBe(5);
    expect(() => unetDepth([28, 28])).toThrow(/power-of-two side/);
    expect(() => unetDepth([32, 16])).toThrow(/square/);
  });
});
