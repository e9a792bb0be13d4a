/**
 * digits2mnistm (unpaired): domain A is MNIST digits as grey RGB; domain B is other MNIST digits blended over
 * random crops of the photos as MNIST-M blends them, |crop - digit| per channel: where the digit is, the crop's
 * colours are inverted, so B's digit has no one colour and no per-pixel colour map takes A to B. Each item
 * holds one A digit and one B digit drawn independently; a batch draws A and B by separate orders.
 */
import { datasetInfo } from '../../../shared/datasets.ts';
import { loadPhotos } from '../photos.ts';
import { drawDigit, mnistDigits } from './digits.ts';
import { type DerivedGenerator, forEachItem } from './generator.ts';
import { type Picture, picture, resample, toBytes } from './raster.ts';
import { imagePlane, valueColumn } from './store.ts';

/** The side of the square of a photograph that a crop takes, before it is scaled to the item's size. */
const CROP_SIDES: [number, number] = [32, 128];

export const digits2mnistm: DerivedGenerator = {
  version: 1,
  generate(seed, count, split) {
    const [size, , channels] = datasetInfo('digits2mnistm').shape as [number, number, number];
    const digits = mnistDigits(split);
    const photos: Picture[] = loadPhotos().map((p) => ({
      h: p.height,
      w: p.width,
      c: 3,
      data: p.values.map((v) => (v + 1) / 2),
    }));
    const x = imagePlane(count, [size, size, channels]);
    const domainB = imagePlane(count, [size, size, channels]);
    const labels = valueColumn(count, 1);
    const labelsB = valueColumn(count, 1);
    const pixels = size * size * channels;
    forEachItem(seed, count, (i, rng) => {
      const a = drawDigit(digits, rng);
      const grey = digits.picture(a, size);
      const rgb = picture(size, size, channels);
      for (let p = 0; p < size * size; p++) rgb.data.fill(grey.data[p]!, p * channels, (p + 1) * channels);
      toBytes(rgb, x.data, i * pixels);
      labels.data[i] = digits.label(a);

      const b = drawDigit(digits, rng);
      const digit = digits.picture(b, size);
      const photo = photos[rng.int(photos.length)]!;
      const side = CROP_SIDES[0] + rng.int(CROP_SIDES[1] - CROP_SIDES[0] + 1);
      const crop = resample(
        photo,
        { x0: rng.int(photo.w - side + 1), y0: rng.int(photo.h - side + 1), w: side, h: side },
        size,
        size,
      );
      for (let p = 0; p < size * size; p++)
        for (let k = 0; k < channels; k++)
          crop.data[p * channels + k] = Math.abs(crop.data[p * channels + k]! - digit.data[p]!);
      toBytes(crop, domainB.data, i * pixels);
      labelsB.data[i] = digits.label(b);
    });
    return { count, images: { x, domainB }, values: { labels, labelsB } };
  },
};
