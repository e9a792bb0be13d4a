import { describe, expect, it } from 'vitest';
import { meanBand, valueAt } from './band.ts';

const pts = (...xy: [number, number][]) => xy.map(([x, y]) => ({ x, y }));

describe('valueAt', () => {
  it('interpolates between the nearest points and never past the ends', () => {
    const s = pts([0, 0], [10, 10], [20, 0]);
    expect(valueAt(s, 5)).toBe(5);
    expect(valueAt(s, 10)).toBe(10);
    expect(valueAt(s, 15)).toBe(5);
    expect(valueAt(s, 20)).toBe(0);
    expect(valueAt(s, 21)).toBeUndefined();
    expect(valueAt(s, -1)).toBeUndefined();
    expect(valueAt([], 0)).toBeUndefined();
  });
});

describe('meanBand', () => {
  it('gives the mean and ± the sample sd at each step', () => {
    const { mean, band, membersAtEnd } = meanBand([
      pts([0, 1], [10, 2]),
      pts([0, 3], [10, 4]),
      pts([0, 5], [10, 6]),
    ]);
    expect(mean).toEqual(pts([0, 3], [10, 4]));
    // sd of 1, 3, 5 (n - 1) is 2.
    expect(band).toEqual([
      { x: 0, lo: 1, hi: 5 },
      { x: 10, lo: 2, hi: 6 },
    ]);
    expect(membersAtEnd).toBe(3);
  });

  it('reads members downsampled at other steps at the same steps', () => {
    const { mean } = meanBand([pts([0, 0], [5, 5], [10, 10]), pts([0, 10], [10, 0])]);
    expect(mean).toEqual(pts([0, 5], [5, 5], [10, 5]));
  });

  it('leaves out a member past its last step, and steps too few members reach', () => {
    const ahead = pts([0, 2], [10, 2], [20, 2]);
    const behind = pts([0, 4], [10, 4]);
    const all = meanBand([ahead, behind]);
    expect(all.mean).toEqual(pts([0, 3], [10, 3], [20, 2]));
    expect(all.band.at(-1)).toEqual({ x: 20, lo: 2, hi: 2 });
    expect(all.membersAtEnd).toBe(1);
    expect(meanBand([ahead, behind], 2).mean).toEqual(pts([0, 3], [10, 3]));
  });

  it('is empty without members', () => {
    expect(meanBand([])).toEqual({ mean: [], band: [], membersAtEnd: 0 });
  });
});
