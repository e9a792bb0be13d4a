import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { parseIdx } from './idx.ts';
import { openDataset } from './index.ts';
import { loadMnist } from './mnist.ts';
import { Rng } from './rng.ts';
import { GRID25, RING8, sampleMixture } from './toy2d.ts';

describe('IDX parser', () => {
  it('reads a header and data', () => {
    const bytes = Uint8Array.from([0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6]);
    expect(parseIdx(bytes)).toEqual({ shape: [2, 3], data: Uint8Array.from([1, 2, 3, 4, 5, 6]) });
  });
  it('names what is wrong', () => {
    expect(() => parseIdx(Uint8Array.from([1, 2, 3, 4]), 'f')).toThrow(
      'f: not an IDX file (bad magic number)',
    );
    expect(() => parseIdx(Uint8Array.from([0, 0, 8, 1, 0, 0, 0, 5, 1]))).toThrow(
      'expected 5 data bytes for shape [5], found 1',
    );
    expect(() => parseIdx(Uint8Array.from([0, 0, 0x0d, 1, 0, 0, 0, 0]))).toThrow(/element type 0xd/);
  });
});

describe('MNIST', () => {
  it('loads the real, checksummed files scaled to [-1, 1]', () => {
    const test = loadMnist('test');
    expect(test.count).toBe(10_000);
    expect(test.shape).toEqual([28, 28, 1]);
    let min = Infinity;
    let max = -Infinity;
    for (const v of test.images) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect([min, max]).toEqual([-1, 1]);
    const counts = new Array(10).fill(0);
    for (const l of test.labels) counts[l]++;
    expect(counts).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
  });
});

describe('training batches', () => {
  it('are a pure function of seed and step', () => {
    const a = openDataset('mnist', 7).batch(3, 8);
    const b = openDataset('mnist', 7).batch(3, 8);
    const c = openDataset('mnist', 8).batch(3, 8);
    expect(Array.from(a.labels.dataSync())).toEqual(Array.from(b.labels.dataSync()));
    expect(Array.from(a.labels.dataSync())).not.toEqual(Array.from(c.labels.dataSync()));
    expect(a.x.shape).toEqual([8, 28, 28, 1]);
    tf.dispose([a.x, a.labels, b.x, b.labels, c.x, c.labels]);
  });

  it('visit every image once per epoch', () => {
    const data = openDataset('mnist', 1);
    const seen = new Set<string>();
    // 60,000 / 20,000 = 3 batches per epoch; fingerprint each image by a hash of its pixels.
    for (let step = 0; step < 3; step++) {
      const { x, labels } = data.batch(step, 20_000);
      const v = x.dataSync();
      for (let i = 0; i < 20_000; i++) {
        let h = 0;
        for (let p = i * 784; p < (i + 1) * 784; p++) h = (Math.imul(h, 31) + Math.round(v[p]! * 127)) | 0;
        seen.add(String(h));
      }
      tf.dispose([x, labels]);
    }
    expect(seen.size).toBeGreaterThan(59_000); // MNIST holds a few exact duplicates
  });
});

describe('mnist32', () => {
  it("is MNIST's same batch, each digit centred in a 2-pixel background border", () => {
    const a = openDataset('mnist', 3).batch(5, 4);
    const b = openDataset('mnist32', 3).batch(5, 4);
    expect(b.x.shape).toEqual([4, 32, 32, 1]);
    expect(Array.from(b.labels.dataSync())).toEqual(Array.from(a.labels.dataSync()));
    const inner = b.x.slice([0, 2, 2, 0], [4, 28, 28, 1]);
    expect(Array.from(inner.dataSync())).toEqual(Array.from(a.x.dataSync()));
    const border = b.x.sum().sub(inner.sum()).dataSync()[0]!;
    expect(border).toBe(-(4 * (32 * 32 - 28 * 28)));
    tf.dispose([a.x, a.labels, b.x, b.labels, inner]);
  });
});

describe('toy mixtures', () => {
  it.each([
    ['ring8', RING8, 8],
    ['grid25', GRID25, 25],
  ] as const)('%s samples lie around its modes', (_, mixture, modes) => {
    expect(mixture.modes).toHaveLength(modes);
    const { points, modes: from } = sampleMixture(mixture, 5000, new Rng(1));
    let sq = 0;
    for (let i = 0; i < 5000; i++) {
      const [mx, my] = mixture.modes[from[i]!]!;
      sq += (points[2 * i]! - mx) ** 2 + (points[2 * i + 1]! - my) ** 2;
    }
    // E|x - mu|^2 = 2 sigma^2 for an isotropic 2D Gaussian.
    expect(Math.sqrt(sq / 5000 / 2)).toBeCloseTo(mixture.sigma, 2);
    expect(new Set(from).size).toBe(modes);
  });
});
