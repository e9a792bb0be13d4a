import { describe, expect, it } from 'vitest';
import { Rng } from '../data/rng.ts';
import { diversity, type PatchSet, patchSwd } from './patch-swd.ts';

const options = { patch: 3, projections: 16, patches: 2000, seed: 1 };

/** Stripes of period 4 with noise, [n, 12, 16, 3], optionally shifted by `shift` and brightened by `add`. */
function stripes(n: number, seed: number, shift = 0, add = 0): PatchSet {
  const rng = new Rng(seed);
  const shape: PatchSet['shape'] = [n, 12, 16, 3];
  const values = new Float32Array(n * 12 * 16 * 3);
  let i = 0;
  for (let s = 0; s < n; s++)
    for (let y = 0; y < 12; y++)
      for (let x = 0; x < 16; x++)
        for (let c = 0; c < 3; c++)
          values[i++] = ((x + shift) % 4 < 2 ? 0.5 : -0.5) + add + 0.05 * rng.normal();
  return { values, shape };
}

describe('patch sliced Wasserstein distance', () => {
  it('is near 0 for images made of the same patches (a translated copy), and grows with a change of brightness', () => {
    const image = stripes(1, 1);
    const same = patchSwd(image, stripes(4, 2, 1), options);
    const brighter = patchSwd(image, stripes(4, 2, 1, 0.3), options);
    const muchBrighter = patchSwd(image, stripes(4, 2, 1, 0.6), options);
    expect(same).toBeLessThan(0.05);
    expect(brighter).toBeGreaterThan(5 * same);
    expect(muchBrighter).toBeGreaterThan(1.5 * brighter);
  });

  it('sees patches a pixel histogram cannot: the same pixels arranged as checks score far from stripes', () => {
    const image = stripes(1, 1);
    const checks = stripes(2, 3);
    // Rearrange each row's stripes into checks: the same values, so the same pixel histogram.
    const [n, h, w, c] = checks.shape;
    const v = checks.values;
    for (let s = 0; s < n; s++)
      for (let y = 0; y < h; y += 2)
        for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) v[((s * h + y) * w + x) * c + k]! *= -1;
    expect(patchSwd(image, checks, options)).toBeGreaterThan(10 * patchSwd(image, stripes(2, 3), options));
  });

  it('diversity is 0 for identical samples and grows with their differences', () => {
    const image = stripes(1, 1);
    const copies = {
      values: new Float32Array([...image.values, ...image.values]),
      shape: [2, 12, 16, 3] as PatchSet['shape'],
    };
    expect(diversity(copies, image)).toBe(0);
    expect(diversity(stripes(4, 5, 0), image)).toBeGreaterThan(0);
    const shifted = stripes(4, 5, 0);
    shifted.values.set(stripes(2, 6, 2).values);
    expect(diversity(shifted, image)).toBeGreaterThan(5 * diversity(stripes(4, 5, 0), image));
  });
});
