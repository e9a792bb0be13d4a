/**
 * thick-digits (paired): the input is an MNIST digit padded to 32 x 32, the target the same digit after a
 * greyscale dilation with a disc of radius THICKEN_RADIUS (every pixel takes the brightest value within it).
 */
import { datasetInfo } from '../../../shared/datasets.ts';
import { digitPairs } from './digits.ts';
import type { DerivedGenerator } from './generator.ts';
import { dilate } from './raster.ts';

export const THICKEN_RADIUS = 1.5;

export const thickDigits: DerivedGenerator = {
  version: 1,
  generate(seed, count, split) {
    const [size] = datasetInfo('thick-digits').shape as [number, number, number];
    return digitPairs(seed, count, size, (digit) => [digit, dilate(digit, THICKEN_RADIUS)], split);
  },
};
