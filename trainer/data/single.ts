/**
 * Single-image sets (SinGAN's data): one photograph of the photos set, resized (shared/layers/resize.ts, antialiased)
 * to the catalog's shape once when opened. Every batch is that image, repeated batchSize times.
 */
import * as tf from '@tensorflow/tfjs';
import { type DatasetInfo, datasetInfo } from '../../shared/datasets.ts';
import { resizeImages } from '../../shared/layers/resize.ts';
import type { TrainingData } from './index.ts';
import { loadPhotos } from './photos.ts';

/** The photograph's file name, read from the set's source ("resized from {file} of the photos"). */
function photoFile(info: DatasetInfo): string {
  const source = info.sources[0];
  const file = source?.type === 'generated' ? /from (\S+\.png)/.exec(source.how)?.[1] : undefined;
  if (!file) throw new Error(`dataset '${info.id}' names no photograph to resize`);
  return file;
}

/** The set's one image, [H, W, 3] values in [-1, 1]. */
export function singleImage(info: DatasetInfo, dir?: string): Float32Array {
  const file = photoFile(info);
  // loadPhotos reads the photos in the order the catalog pins their files.
  const photo = loadPhotos(dir)[datasetInfo('photos').files.findIndex((f) => f.name === file)];
  if (!photo) throw new Error(`dataset '${info.id}': ${file} is not one of the photos`);
  const [h, w] = info.shape as [number, number, number];
  return tf.tidy(() => {
    const full = tf.tensor4d(photo.values, [1, photo.height, photo.width, 3]);
    return resizeImages(full, [h, w]).dataSync() as Float32Array;
  });
}

export function singleImageData(info: DatasetInfo, dir?: string): TrainingData {
  const image = singleImage(info, dir);
  const [h, w, c] = info.shape as [number, number, number];
  return {
    info,
    batch(_step, batchSize) {
      const x = new Float32Array(batchSize * image.length);
      for (let i = 0; i < batchSize; i++) x.set(image, i * image.length);
      return {
        x: tf.tensor4d(x, [batchSize, h, w, c]),
        labels: tf.tensor1d(new Int32Array(batchSize), 'int32'),
      };
    },
  };
}
