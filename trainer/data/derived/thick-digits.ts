/**
 * thick-digits (paired): the input is an MNIST digit padded to 32 x 32, the target the same digit after a
 * greyscale dilation with a disc of radius THICKEN_RADIUS (every pixel takes the brightest value within it).
 */
import { datasetInfo } from '../../../shared/datasets.ts';
import { drawDigit, mnistDigits } from './digits.ts';
import { type DerivedGenerator, forEachItem } from './generator.ts';
import { dilate, toBytes } from './raster.ts';
import { imagePlane, valueColumn } from './store.ts';

export const THICKEN_RADIUS = 1.5;

export const thickDigits: DerivedGenerator = {
  version: 1,
  generate(seed, count) {
    const [size] = datasetInfo('thick-digits').shape as [number, number, number];
    const digits = mnistDigits();
    const input = imagePlane(count, [size, size, 1]);
    const x = imagePlane(count, [size, size, 1]);
    const labels = valueColumn(count, 1);
    forEachItem(seed, count, (i, rng) => {
      const d = drawDigit(digits, rng);
      const digit = digits.picture(d, size);
      toBytes(digit, input.data, i * size * size);
      toBytes(dilate(digit, THICKEN_RADIUS), x.data, i * size * size);
      labels.data[i] = digits.label(d);
    });
    return { count, images: { input, x }, values: { labels } };
  },
};
