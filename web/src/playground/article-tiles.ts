/**
 * People and articles for the analogy playground, cut from the articles set's preview picture: the
 * trainer's preview (trainer/data/preview.ts) draws each item as its views side by side (figure, its
 * article, a new article, mask) in a grid of `size` pixel tiles with 2-pixel gaps, so tile (row, column)
 * starts at (2 + column x (size + 2), 2 + row x (size + 2)).
 */
import { type InputImage, imageFromRgba } from './image-input.ts';

/** The grid's gap between tiles and around them, as trainer/render/grid.ts draws it. */
const GAP = 2;
/** An item's views in the preview, in order. */
const VIEWS = 4;

export interface PreviewItem {
  person: InputImage;
  /** The article the person wears. */
  article: InputImage;
  /** The item's other article (another item's). */
  newArticle: InputImage;
}

/** The items of a preview picture (RGBA, width x height) whose tiles are `shape` [size, size, channels]. */
export function previewItems(
  rgba: ArrayLike<number>,
  width: number,
  height: number,
  shape: number[],
): PreviewItem[] {
  const size = shape[0]!;
  const columns = Math.floor((width - GAP) / (size + GAP));
  const rows = Math.floor((height - GAP) / (size + GAP));
  if (columns < VIEWS || columns % VIEWS !== 0 || rows < 1)
    throw new Error(
      `a ${width}x${height} preview does not hold items of ${VIEWS} tiles of ${size}x${size} pixels`,
    );
  const tile = (row: number, column: number): InputImage => {
    const x0 = GAP + column * (size + GAP);
    const y0 = GAP + row * (size + GAP);
    const cut = new Uint8ClampedArray(size * size * 4);
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++)
        for (let k = 0; k < 4; k++) cut[(y * size + x) * 4 + k] = rgba[((y0 + y) * width + x0 + x) * 4 + k]!;
    return imageFromRgba(cut, shape);
  };
  const items: PreviewItem[] = [];
  for (let row = 0; row < rows; row++)
    for (let first = 0; first < columns; first += VIEWS)
      items.push({
        person: tile(row, first),
        article: tile(row, first + 1),
        newArticle: tile(row, first + 2),
      });
  return items;
}
