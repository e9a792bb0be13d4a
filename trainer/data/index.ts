/**
 * Training batches for a dataset id. A batch is a pure function of (seed, step), so a resumed run sees the
 * same data it would have seen without the interruption and no data-loader state needs checkpointing.
 */
import * as tf from '@tensorflow/tfjs';
import { type DatasetId, type DatasetInfo, datasetInfo } from '../../shared/datasets.ts';
import { loadCifar10 } from './cifar10.ts';
import { loadFashionMnist } from './fashion-mnist.ts';
import { type ImageSet, loadMnist, padImages } from './mnist.ts';
import { loadPhotos, photoCrops } from './photos.ts';
import { Rng, Stream } from './rng.ts';
import { MIXTURES, sampleMixture } from './toy2d.ts';
import { uploadedImageSet } from './uploaded.ts';

export interface Batch {
  /** [B, H, W, C] images in [-1, 1], or [B, 2] points. */
  x: tf.Tensor;
  /** [B] int32 class labels (the mixture component for 2D data). */
  labels: tf.Tensor1D;
}

export interface TrainingData {
  info: DatasetInfo;
  batch(step: number, batchSize: number): Batch;
}

function imageData(info: DatasetInfo, set: ImageSet, seed: number): TrainingData {
  const pixels = set.shape[0] * set.shape[1] * set.shape[2];
  let epochCached = -1;
  let order: Uint32Array = new Uint32Array(0);
  return {
    info,
    batch(step, batchSize) {
      if (batchSize > set.count)
        throw new Error(`batchSize ${batchSize} exceeds the ${set.count} images of ${info.id}`);
      const perEpoch = Math.floor(set.count / batchSize);
      const epoch = Math.floor(step / perEpoch);
      if (epoch !== epochCached) {
        order = new Rng(seed, Stream.shuffle, epoch).permutation(set.count);
        epochCached = epoch;
      }
      const start = (step % perEpoch) * batchSize;
      const x = new Float32Array(batchSize * pixels);
      const labels = new Int32Array(batchSize);
      for (let i = 0; i < batchSize; i++) {
        const idx = order[start + i]!;
        x.set(set.images.subarray(idx * pixels, (idx + 1) * pixels), i * pixels);
        labels[i] = set.labels[idx]!;
      }
      return { x: tf.tensor4d(x, [batchSize, ...set.shape]), labels: tf.tensor1d(labels, 'int32') };
    },
  };
}

function mixtureData(info: DatasetInfo, seed: number): TrainingData {
  const mixture = MIXTURES[info.id]!;
  return {
    info,
    batch(step, batchSize) {
      const { points, modes } = sampleMixture(mixture, batchSize, new Rng(seed, Stream.data, step));
      return { x: tf.tensor2d(points, [batchSize, 2]), labels: tf.tensor1d(Int32Array.from(modes), 'int32') };
    },
  };
}

/** The training split of each image dataset, loaded on first use (prepareDataset fetches the files first). */
const IMAGE_SETS: Partial<Record<DatasetId, () => ImageSet>> = {
  mnist: () => loadMnist('train'),
  mnist32: () => padImages(loadMnist('train'), 32),
  'fashion-mnist': () => loadFashionMnist('train'),
  cifar10: () => loadCifar10('train'),
};

export function openDataset(id: DatasetId | `upload:${string}`, seed: number): TrainingData {
  const info = datasetInfo(id);
  const uploaded = uploadedImageSet(id);
  if (uploaded) return imageData(info, uploaded, seed);
  if (info.kind === 'points2d') return mixtureData(info, seed);
  if (id === 'photos') return photoCrops(info, loadPhotos(), seed);
  const load = IMAGE_SETS[id as DatasetId];
  if (load) return imageData(info, load(), seed);
  throw new Error(`dataset '${id}' has no loader`);
}
