/**
 * photos-x4 (paired): the target is a crop of one of the photos, the input the same crop shrunk SR_FACTOR
 * times by the project's antialiased bicubic (shared/layers/bicubic.ts), as super-resolution sets are made. The split is
 * by place: training crops lie in the top three quarters of each photograph, held-out crops in its bottom
 * quarter, so no held-out pixel is ever trained on.
 */
import { datasetInfo } from '../../../shared/datasets.ts';
import { resizeBicubic } from '../../../shared/layers/bicubic.ts';
import { loadPhotos } from '../photos.ts';
import { type DerivedGenerator, forEachItem } from './generator.ts';
import { clamp01, toBytes } from './raster.ts';
import { imagePlane, valueColumn } from './store.ts';

/** The share of each photograph's rows (from the top) training crops come from. */
export const TRAINING_ROWS = 0.75;

export const photosX4: DerivedGenerator = {
  version: 1,
  generate(seed, count, split = 'train') {
    const info = datasetInfo('photos-x4');
    const [size, , c] = info.shape as [number, number, number];
    const small = info.inputShape!;
    const photos = loadPhotos();
    const x = imagePlane(count, [size, size, c]);
    const input = imagePlane(count, small);
    const labels = valueColumn(count, 1);
    const crop = new Float32Array(size * size * c);
    forEachItem(seed, count, (i, rng) => {
      const p = rng.int(photos.length);
      const photo = photos[p]!;
      const cut = Math.floor(photo.height * TRAINING_ROWS);
      const [from, to] = split === 'train' ? [0, cut] : [cut, photo.height];
      const top = from + rng.int(to - from - size + 1);
      const left = rng.int(photo.width - size + 1);
      for (let y = 0; y < size; y++)
        for (let k = 0; k < size * c; k++)
          crop[y * size * c + k] = (photo.values[((top + y) * photo.width + left) * c + k]! + 1) / 2;
      toBytes({ h: size, w: size, c, data: crop }, x.data, i * crop.length);
      const shrunk = resizeBicubic(crop, [size, size, c], [small[0], small[1]]).map(clamp01);
      toBytes({ h: small[0], w: small[1], c, data: shrunk }, input.data, i * shrunk.length);
      labels.data[i] = p;
    });
    return { count, images: { x, input }, values: { labels } };
  },
};
