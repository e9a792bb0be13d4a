import { describe, expect, it } from 'vitest';
import { cssColour, noiseMaps, paletteOf } from './pyramid-input.ts';

describe('the SinGAN playground inputs', () => {
  it('gives each scale its own noise of its size, the same for a seed and other for another', () => {
    const sizes: [number, number][] = [
      [3, 4],
      [5, 6],
    ];
    const a = noiseMaps(sizes, 3, 7);
    expect(a.map((m) => m.length)).toEqual([36, 90]);
    expect(noiseMaps(sizes, 3, 7)).toEqual(a);
    expect(noiseMaps(sizes, 3, 8)[1]).not.toEqual(a[1]);
    // The two scales' maps are not the same values.
    expect(Array.from(a[1]!.subarray(0, 36))).not.toEqual(Array.from(a[0]!));
  });

  it("finds an image's most frequent colours, rounded to five levels a channel", () => {
    // 3 pixels near red, 1 near blue (RGB in [-1, 1]).
    const image = Float32Array.from([0.98, -1, -0.97, 1, -0.99, -1, 0.96, -1, -1, -1, -1, 0.99]);
    expect(paletteOf(image, 3, 5)).toEqual([
      [1, -1, -1],
      [-1, -1, 1],
    ]);
    expect(paletteOf(image, 3, 1)).toEqual([[1, -1, -1]]);
    expect(cssColour([1, -1, 0])).toBe('rgb(255, 0, 128)');
  });
});
