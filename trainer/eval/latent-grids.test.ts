import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { interpolationGrid, slerp } from './latent-grids.ts';

describe('latent grids', () => {
  it('slerp starts at a, ends at b, and keeps the norm between orthogonal unit vectors', () => {
    const a = Float32Array.from([1, 0, 0]);
    const b = Float32Array.from([0, 1, 0]);
    expect(Array.from(slerp(a, b, 0))).toEqual([1, 0, 0]);
    const end = slerp(a, b, 1);
    expect(end[0]).toBeCloseTo(0, 6);
    expect(end[1]).toBeCloseTo(1, 6);
    const mid = slerp(a, b, 0.5);
    expect(Math.hypot(...mid)).toBeCloseTo(1, 6);
    expect(mid[0]).toBeCloseTo(Math.SQRT1_2, 6);
  });

  it('draws rows x steps images from a generator', async () => {
    await tf.setBackend('cpu');
    const z = tf.input({ shape: [4] });
    const out = tf.layers
      .reshape({ targetShape: [2, 2, 1] })
      .apply(tf.layers.dense({ units: 4, activation: 'tanh' }).apply(z)) as tf.SymbolicTensor;
    const g = tf.model({ inputs: z, outputs: out });
    const png = interpolationGrid(g, 4, 1, 'normal', 3, 5);
    const view = new DataView(png.buffer, png.byteOffset);
    // 5 columns and 3 rows of 2x2 images with 2-pixel gaps.
    expect([view.getUint32(16), view.getUint32(20)]).toEqual([5 * 2 + 6 * 2, 3 * 2 + 4 * 2]);
    g.dispose();
  });
});
