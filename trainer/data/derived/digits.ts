/**
 * The MNIST digits the derived sets start from: the training split, one digit at a time as a 0-1 picture.
 * A generator picks digits by index from its own seeded stream, so its items depend only on (seed, item).
 */
import { loadMnist } from '../mnist.ts';
import type { Rng } from '../rng.ts';
import { type DigitSplit, forEachItem } from './generator.ts';
import { type Picture, picture, toBytes } from './raster.ts';
import { type DerivedSet, imagePlane, valueColumn } from './store.ts';

export interface Digits {
  count: number;
  label(i: number): number;
  /** Digit i as a 28 x 28 (or, padded, size x size) one-channel picture in [0, 1], white on black. */
  picture(i: number, size?: number): Picture;
}

export function mnistDigits(split: DigitSplit = 'train'): Digits {
  const set = loadMnist(split);
  const [h, w] = set.shape;
  return {
    count: set.count,
    label: (i) => set.labels[i]!,
    picture(i, size = h) {
      const pad = Math.floor((size - h) / 2);
      const out = picture(size, size, 1);
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++)
          out.data[(y + pad) * size + x + pad] = (set.images[(i * h + y) * w + x]! + 1) / 2;
      return out;
    },
  };
}

/** A digit drawn uniformly from the set. */
export function drawDigit(digits: Digits, rng: Rng): number {
  return rng.int(digits.count);
}

/**
 * A paired set made from MNIST digits: for each item a digit drawn from its stream, padded to size x size,
 * and the pair `pair` makes of it ([input, target], one-channel pictures of that size); the label is the digit.
 */
export function digitPairs(
  seed: number,
  count: number,
  size: number,
  pair: (digit: Picture) => [Picture, Picture],
  split: DigitSplit = 'train',
): DerivedSet {
  const digits = mnistDigits(split);
  const input = imagePlane(count, [size, size, 1]);
  const x = imagePlane(count, [size, size, 1]);
  const labels = valueColumn(count, 1);
  forEachItem(seed, count, (i, rng) => {
    const d = drawDigit(digits, rng);
    const [from, to] = pair(digits.picture(d, size));
    toBytes(from, input.data, i * size * size);
    toBytes(to, x.data, i * size * size);
    labels.data[i] = digits.label(d);
  });
  return { count, images: { input, x }, values: { labels } };
}
