/**
 * edges2digits (paired): the input is an MNIST digit's edge map, the Sobel gradient magnitude of the digit
 * thresholded at EDGE_THRESHOLD; the target is the digit, both padded to 32 x 32.
 */
import { datasetInfo } from '../../../shared/datasets.ts';
import { drawDigit, mnistDigits } from './digits.ts';
import { type DerivedGenerator, forEachItem } from './generator.ts';
import { sobel, toBytes } from './raster.ts';
import { imagePlane, valueColumn } from './store.ts';

/** Of the gradient magnitude, whose largest value on a 0-1 stroke is 4 (a step edge under Sobel's kernel). */
export const EDGE_THRESHOLD = 1.2;

export const edges2digits: DerivedGenerator = {
  version: 1,
  generate(seed, count) {
    const [size] = datasetInfo('edges2digits').shape as [number, number, number];
    const digits = mnistDigits();
    const input = imagePlane(count, [size, size, 1]);
    const x = imagePlane(count, [size, size, 1]);
    const labels = valueColumn(count, 1);
    forEachItem(seed, count, (i, rng) => {
      const d = drawDigit(digits, rng);
      const digit = digits.picture(d, size);
      const edges = sobel(digit);
      for (let p = 0; p < edges.data.length; p++) edges.data[p] = edges.data[p]! >= EDGE_THRESHOLD ? 1 : 0;
      toBytes(edges, input.data, i * size * size);
      toBytes(digit, x.data, i * size * size);
      labels.data[i] = digits.label(d);
    });
    return { count, images: { input, x }, values: { labels } };
  },
};
