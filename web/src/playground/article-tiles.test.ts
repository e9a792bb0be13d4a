import { describe, expect, it } from 'vitest';
import { previewItems } from './article-tiles.ts';

/** A preview of `rows` x 4 tiles of side `size` whose tile (r, c) is filled with grey 10 x (4r + c + 1). */
function preview(rows: number, size: number) {
  const width = 4 * size + 5 * 2;
  const height = rows * size + (rows + 1) * 2;
  const rgba = new Uint8ClampedArray(width * height * 4).fill(255);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < 4; c++)
      for (let y = 0; y < size; y++)
        for (let x = 0; x < size; x++) {
          const p = ((2 + r * (size + 2) + y) * width + 2 + c * (size + 2) + x) * 4;
          rgba.fill(10 * (4 * r + c + 1), p, p + 3);
        }
  return { rgba, width, height };
}

describe('people and articles cut from the preview', () => {
  it('gives each row its figure, worn article and new article, every pixel from its own tile', () => {
    const { rgba, width, height } = preview(2, 3);
    const items = previewItems(rgba, width, height, [3, 3, 3]);
    expect(items).toHaveLength(2);
    const grey = (v: number) => Math.fround((v / 255) * 2 - 1);
    const values = (i: number, view: 'person' | 'article' | 'newArticle') => [
      ...new Set(Array.from(items[i]![view].values)),
    ];
    expect(values(0, 'person')).toEqual([grey(10)]);
    expect(values(0, 'article')).toEqual([grey(20)]);
    expect(values(0, 'newArticle')).toEqual([grey(30)]);
    expect(values(1, 'person')).toEqual([grey(50)]);
    expect(items[1]!.person.values).toHaveLength(27);
  });

  it('refuses a picture that is not a grid of four-tile items of that size', () => {
    const { rgba, width, height } = preview(1, 3);
    expect(() => previewItems(rgba, width, height, [4, 4, 3])).toThrow(/4 tiles of 4x4/);
  });
});
