import { describe, expect, it } from 'vitest';
import { minMaxDownsample, type Point, yExtent } from './downsample.ts';

const series = (n: number, f: (i: number) => number): Point[] =>
  Array.from({ length: n }, (_, i) => ({ x: i, y: f(i) }));

describe('minMaxDownsample', () => {
  it('keeps short series whole', () => {
    const s = series(10, (i) => i * i);
    expect(minMaxDownsample(s, 5)).toEqual(s);
  });

  it('bounds the size, keeps the ends, and stays in x order', () => {
    const s = series(100_000, (i) => Math.sin(i / 100));
    const out = minMaxDownsample(s, 300);
    expect(out.length).toBeLessThanOrEqual(2 * 300 + 2);
    expect(out[0]).toBe(s[0]);
    expect(out.at(-1)).toBe(s.at(-1));
    for (let i = 1; i < out.length; i++) expect(out[i]!.x).toBeGreaterThan(out[i - 1]!.x);
  });

  it('keeps a one-point spike that every-Nth picking would drop', () => {
    const s = series(10_000, (i) => (i === 4321 ? 50 : 1));
    const out = minMaxDownsample(s, 100);
    expect(out.some((p) => p.x === 4321 && p.y === 50)).toBe(true);
    expect(Math.max(...out.map((p) => p.y))).toBe(50);
  });

  it('drops points that are not finite (a diverged loss) instead of breaking the chart', () => {
    const s = [...series(5, () => 1), { x: 5, y: Number.NaN }, { x: 6, y: Number.POSITIVE_INFINITY }];
    expect(minMaxDownsample(s, 10).map((p) => p.x)).toEqual([0, 1, 2, 3, 4]);
  });

  it('refuses a bucket count that is not a positive integer', () => {
    expect(() => minMaxDownsample([], 0)).toThrow(/buckets must be a positive integer/);
  });
});

describe('yExtent', () => {
  it('pads a range and widens a flat line', () => {
    const [lo, hi] = yExtent([series(3, (i) => i), series(2, () => -1)]);
    expect(lo).toBeLessThan(-1);
    expect(hi).toBeGreaterThan(2);
    expect(yExtent([series(3, () => 2)])).toEqual([1.5, 2.5]);
    expect(yExtent([])).toEqual([0, 1]);
  });
});
