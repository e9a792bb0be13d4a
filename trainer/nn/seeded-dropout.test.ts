import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/index.ts';
import { SeededDropout } from './seeded-dropout.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

const ones = () => tf.ones([4, 8, 8, 16]);

function modelWith(layer: SeededDropout): tf.LayersModel {
  const x = tf.input({ shape: [8, 8, 16] });
  return tf.model({ inputs: x, outputs: layer.apply(x) as tf.SymbolicTensor });
}

describe('seeded dropout', () => {
  it('is the identity outside training', () => {
    const m = modelWith(new SeededDropout({ rate: 0.5, seed: 1 }));
    const x = ones();
    const y = m.predict(x) as tf.Tensor;
    expect(Array.from(y.dataSync()).every((v) => v === 1)).toBe(true);
    tf.dispose([x, y]);
    m.dispose();
  });

  it('in training drops about `rate` of the units, scales the rest by 1 / (1 - rate), and draws a new mask per call', () => {
    const layer = new SeededDropout({ rate: 0.5, seed: 1 });
    const m = modelWith(layer);
    const x = ones();
    const first = m.apply(x, { training: true }) as tf.Tensor;
    const second = m.apply(x, { training: true }) as tf.Tensor;
    const a = Array.from(first.dataSync());
    const dropped = a.filter((v) => v === 0).length / a.length;
    expect(dropped).toBeGreaterThan(0.4);
    expect(dropped).toBeLessThan(0.6);
    expect(a.every((v) => v === 0 || Math.abs(v - 2) < 1e-6)).toBe(true);
    expect(Array.from(second.dataSync())).not.toEqual(a);
    expect(layer.callsMade()).toBe(2);
    tf.dispose([x, first, second]);
    m.dispose();
  });

  it('a layer given the same call count (as a checkpoint restores it) draws the same mask', () => {
    const original = modelWith(new SeededDropout({ rate: 0.3, seed: 9 }));
    const copy = modelWith(new SeededDropout({ rate: 0.3, seed: 9 }));
    const x = ones();
    tf.dispose(original.apply(x, { training: true }) as tf.Tensor);
    copy.setWeights(original.getWeights());
    const a = original.apply(x, { training: true }) as tf.Tensor;
    const b = copy.apply(x, { training: true }) as tf.Tensor;
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([x, a, b]);
    original.dispose();
    copy.dispose();
  });

  it("its gradient is the mask scaled, the same mask as the forward pass's", () => {
    const layer = new SeededDropout({ rate: 0.5, seed: 2 });
    const m = modelWith(layer);
    const x = tf.variable(ones());
    let out: tf.Tensor | undefined;
    const { grads } = tf.variableGrads(() => {
      out = tf.keep(m.apply(x, { training: true }) as tf.Tensor);
      return tf.sum(out);
    }, [x]);
    // d sum(x * mask / (1 - rate)) / dx = mask / (1 - rate), which for x = 1 is the output itself.
    expect(Array.from(grads[x.name]!.dataSync())).toEqual(Array.from(out!.dataSync()));
    tf.dispose([x, out!, ...Object.values(grads)]);
    m.dispose();
  });

  it('refuses a rate outside [0, 1)', () => {
    expect(() => new SeededDropout({ rate: 1, seed: 1 })).toThrow(/rate must be in \[0, 1\)/);
  });
});
