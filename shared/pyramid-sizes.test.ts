import { describe, expect, it } from 'vitest';
import { defaultPaintScale, scaledSizes, sizesFor } from './pyramid-sizes.ts';

const trained: [number, number][] = [
  [25, 25],
  [33, 33],
  [44, 44],
];

describe('pyramid sizes', () => {
  it('scales every scale by one factor a side, never below the minimum', () => {
    expect(scaledSizes(trained, [1, 2])).toEqual([
      [25, 50],
      [33, 66],
      [44, 88],
    ]);
    expect(scaledSizes(trained, [0.05, 1])[0]).toEqual([3, 25]);
  });

  it('makes the pyramid of an asked size, its finest scale exactly that size', () => {
    const sizes = sizesFor(trained, [30, 70]);
    expect(sizes.at(-1)).toEqual([30, 70]);
    expect(sizes[0]).toEqual([Math.round((25 * 30) / 44), Math.round((25 * 70) / 44)]);
    expect(sizes).toHaveLength(3);
  });

  it('paints a third of the way up, never at the coarsest scale', () => {
    expect(defaultPaintScale(2)).toBe(1);
    expect(defaultPaintScale(7)).toBe(2);
  });
});
