import { describe, expect, it } from 'vitest';
import { blankImage, imageFromRgba, paintDisc, paintLine } from './image-input.ts';

describe('the playground input image', () => {
  it('starts black (-1) and a disc paints the pixels whose centres it covers, every channel', () => {
    const image = blankImage([8, 8, 3]);
    expect(image.values.every((v) => v === -1)).toBe(true);
    paintDisc(image, 4, 4, 1, 1);
    const lit = (x: number, y: number) => image.values[(y * 8 + x) * 3] === 1;
    expect([lit(3, 3), lit(4, 3), lit(3, 4), lit(4, 4)]).toEqual([true, true, true, true]);
    expect(lit(0, 0) || lit(6, 4)).toBe(false);
    expect(image.values.filter((v) => v === 1).length % 3).toBe(0);
  });

  it('a line leaves no gaps between its ends, and the edges clip it', () => {
    const image = blankImage([4, 16, 1]);
    paintLine(image, [-2, 2], [20, 2], 0.6, 1);
    for (let x = 0; x < 16; x++) expect(image.values[2 * 16 + x]).toBe(1);
    expect(image.values.slice(0, 16).every((v) => v === -1)).toBe(true);
  });

  it('an uploaded picture becomes [-1, 1]: luminance for one channel, colours for three', () => {
    const rgba = [255, 255, 255, 255, 0, 0, 0, 255, 255, 0, 0, 255, 0, 0, 255, 255];
    expect(Array.from(imageFromRgba(rgba, [2, 2, 1]).values).map((v) => Number(v.toFixed(3)))).toEqual([
      1, -1, -0.402, -0.772,
    ]);
    expect(Array.from(imageFromRgba(rgba, [2, 2, 3]).values.slice(6))).toEqual([1, -1, -1, -1, -1, 1]);
  });
});

describe('tiles for a super-resolution generator', () => {
  it('cuts an image into input-sized tiles row by row, and joins their outputs back in place', async () => {
    const { fromTiles, toTiles } = await import('./image-input.ts');
    // A 4x6 single-channel image whose value is its pixel index.
    const image = { h: 4, w: 6, c: 1, values: Float32Array.from({ length: 24 }, (_, i) => i) };
    const { values, count } = toTiles(image, [2, 3]);
    expect(count).toBe(4);
    expect(Array.from(values.subarray(0, 6))).toEqual([0, 1, 2, 6, 7, 8]);
    expect(Array.from(values.subarray(6, 12))).toEqual([3, 4, 5, 9, 10, 11]);
    expect(fromTiles(values, 2, 2, [2, 3, 1]).values).toEqual(image.values);
    expect(() => toTiles(image, [3, 3])).toThrow(/a 4x6 image does not cut into 3x3 tiles/);
  });
});
