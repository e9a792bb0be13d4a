/**
 * Training batches for a dataset id. A batch is a pure function of (seed, step), so a resumed run sees the
 * same data it would have seen without the interruption and no data-loader state needs checkpointing.
 */
import * as tf from '@tensorflow/tfjs';
import { type DatasetId, type DatasetInfo, datasetInfo } from '../../shared/datasets.ts';
import { loadCifar10 } from './cifar10.ts';
import { openDerived } from './derived/index.ts';
import { loadFashionMnist } from './fashion-mnist.ts';
import { type ImageSet, loadMnist, padImages } from './mnist.ts';
import { epochOrder } from './order.ts';
import { loadPhotos, photoCrops } from './photos.ts';
import { Rng, Stream } from './rng.ts';
import { singleImageData } from './single.ts';
import { MIXTURES, sampleMixture } from './toy2d.ts';
import { uploadedImageSet } from './uploaded.ts';

/**
 * A batch as named tensors. Every dataset gives `x` and `labels`; the other kinds add what their items hold
 * (images in [-1, 1], NHWC, unless said).
 */
export interface Batch {
  /** [B, H, W, C] images in [-1, 1] (a paired set's targets, an unpaired set's domain A), or [B, 2] points. */
  x: tf.Tensor;
  /** [B] int32 class labels (the mixture component for 2D data). */
  labels: tf.Tensor1D;
  /** paired: the input images x is the target of. */
  input?: tf.Tensor4D;
  /** unpaired: domain B's images, drawn independently of x, and their [B] int32 labels. */
  domainB?: tf.Tensor4D;
  labelsB?: tf.Tensor1D;
  /** labelmap: the one-hot label maps x is painted from, [B, H, W, classes]. */
  map?: tf.Tensor4D;
  /** captioned: [B, words] int32 indices into the catalog's vocabulary, 0 padding. */
  caption?: tf.Tensor2D;
  /** posed: [B, 2] azimuth and elevation in degrees. */
  pose?: tf.Tensor2D;
  /** articles: the flat image of the article x wears, another article, and the worn one's region on x (0-1). */
  article?: tf.Tensor4D;
  newArticle?: tf.Tensor4D;
  mask?: tf.Tensor4D;
  /** articles: [B, attributes] int32, the new article's attributes (as `attributes` are x's). */
  newAttributes?: tf.Tensor2D;
  /** [B, attributes] int32 value indices of the catalog's attributes, in its order. */
  attributes?: tf.Tensor2D;
}

/** Every tensor a batch holds, for disposing it whole. */
export function batchTensors(batch: Partial<Batch>): tf.Tensor[] {
  return Object.values(batch).filter((t): t is tf.Tensor => t instanceof tf.Tensor);
}

export interface TrainingData {
  info: DatasetInfo;
  batch(step: number, batchSize: number): Batch;
}

function imageData(info: DatasetInfo, set: ImageSet, seed: number): TrainingData {
  const pixels = set.shape[0] * set.shape[1] * set.shape[2];
  const indices = epochOrder(info.id, set.count, seed);
  return {
    info,
    batch(step, batchSize) {
      const x = new Float32Array(batchSize * pixels);
      const labels = new Int32Array(batchSize);
      indices(step, batchSize).forEach((idx, i) => {
        x.set(set.images.subarray(idx * pixels, (idx + 1) * pixels), i * pixels);
        labels[i] = set.labels[idx]!;
      });
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
  if (info.kind === 'single') return singleImageData(info);
  // Derived sets, and uploaded pair sets served as they are (input and target, or a second domain).
  const derived = openDerived(info, seed);
  if (derived) return derived;
  const load = IMAGE_SETS[id as DatasetId];
  if (load) return imageData(info, load(), seed);
  throw new Error(`dataset '${id}' has no loader`);
}
