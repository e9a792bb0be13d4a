/**
 * edges2digits (paired): the input is an MNIST digit's edge map, the Sobel gradient magnitude of the digit
 * thresholded at EDGE_THRESHOLD; the target is the digit, both padded to 32 x 32.
 */
import { datasetInfo } from '../../../shared/datasets.ts';
import { digitPairs } from './digits.ts';
import type { DerivedGenerator } from './generator.ts';
import { sobel } from './raster.ts';

/** Of the gradient magnitude, whose largest value on a 0-1 stroke is 4 (a step edge under Sobel's kernel). */
export const EDGE_THRESHOLD = 1.2;

export const edges2digits: DerivedGenerator = {
  version: 1,
  generate(seed, count, split) {
    const [size] = datasetInfo('edges2digits').shape as [number, number, number];
    return digitPairs(
      seed,
      count,
      size,
      (digit) => {
        const edges = sobel(digit);
        for (let p = 0; p < edges.data.length; p++) edges.data[p] = edges.data[p]! >= EDGE_THRESHOLD ? 1 : 0;
        return [edges, digit];
      },
      split,
    );
  },
};
