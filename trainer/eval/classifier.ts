/**
 * The project's MNIST classifier: the feature extractor behind cFID and the judge behind class accuracy.
 * Strided convs only (no pooling: wasm's MaxPoolGrad is wrong for negative maxima), small enough to train
 * in minutes on one wasm thread and to commit (~1.4 MB of float32 weights).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { loadFashionMnist } from '../data/fashion-mnist.ts';
import { type ImageSet, loadMnist, type Split } from '../data/mnist.ts';
import { LocalArtifactSink } from '../sinks/local.ts';
import { sinkLoader } from '../sinks/model-io.ts';
import type { FeatureMatrix } from './frechet.ts';

export const WEIGHTS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'weights');
export const TRAINING_RECORD = join(WEIGHTS_DIR, 'training.json');

/** The datasets with a classifier of their own (all 28 x 28 greyscale, ten classes). */
export const CLASSIFIED_DATASETS = ['mnist', 'fashion-mnist'] as const;
export type ClassifiedDataset = (typeof CLASSIFIED_DATASETS)[number];

/** A classified dataset's images by split: what its classifier trains on and what cFID compares against. */
export const CLASSIFIED_IMAGES: Record<ClassifiedDataset, (split: Split) => ImageSet> = {
  mnist: loadMnist,
  'fashion-mnist': loadFashionMnist,
};

/** Where a dataset's classifier is kept: MNIST's where it always was, another's in a folder of its own. */
export function classifierDir(dataset: ClassifiedDataset): string {
  return dataset === 'mnist' ? WEIGHTS_DIR : join(WEIGHTS_DIR, dataset);
}
export const FEATURE_LAYER = 'features';
export const NUM_CLASSES = 10;
export const FEATURE_DIM = 128;
export const IMAGE_SHAPE = [28, 28, 1] as const;
const PIXELS = 28 * 28;

/** What train-classifier.ts writes beside the weights. */
export interface TrainingRecord {
  /** Absent in records written before other datasets had classifiers: MNIST. */
  dataset?: ClassifiedDataset;
  testAccuracy: number;
  testImages: number;
  epochs: number;
  seed: number;
  batchSize: number;
  seconds: number;
  backend: string;
  command: string;
  params: number;
  perEpoch: { epoch: number; loss: number; testAccuracy: number; seconds: number }[];
  createdAt: string;
}

export function buildClassifier(seed = 1): tf.Sequential {
  const init = (i: number) => tf.initializers.heNormal({ seed: seed * 100 + i });
  const conv = (
    i: number,
    name: string,
    filters: number,
    kernelSize: number,
    strides: number,
    padding: 'same' | 'valid',
  ) =>
    tf.layers.conv2d({
      name,
      ...(i === 1 ? { inputShape: [...IMAGE_SHAPE] } : {}),
      filters,
      kernelSize,
      strides,
      padding,
      activation: 'relu',
      kernelInitializer: init(i),
    });
  const model = tf.sequential({ name: 'mnist_classifier' });
  model.add(conv(1, 'conv1', 32, 3, 2, 'same')); // 14x14x32
  model.add(conv(2, 'conv2', 64, 3, 2, 'same')); // 7x7x64
  model.add(conv(3, 'conv3', 128, 3, 2, 'same')); // 4x4x128
  // The 2048 -> 128 fully connected layer written as a 4x4 'valid' conv: same function, but on wasm a dense
  // layer's backward pass uses transposed BatchMatMul, which is several times slower than conv2d there.
  model.add(conv(4, 'fc', 128, 4, 1, 'valid')); // 1x1x128
  model.add(tf.layers.flatten({ name: FEATURE_LAYER })); // 128, the feature vector
  model.add(
    tf.layers.dense({
      name: 'probs',
      units: NUM_CLASSES,
      activation: 'softmax',
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed * 100 + 5 }),
    }),
  );
  return model;
}

/** The committed classifier, from trainer/eval/weights/ (or another folder holding model.json + weights.bin). */
export async function loadClassifier(dir = WEIGHTS_DIR): Promise<tf.LayersModel> {
  if (!existsSync(join(dir, 'model.json'))) {
    throw new Error(`no classifier weights in ${dir}: run 'npm run train:classifier' first`);
  }
  return tf.loadLayersModel(sinkLoader(new LocalArtifactSink(dir), ''));
}

export function readTrainingRecord(dir = WEIGHTS_DIR): TrainingRecord | undefined {
  const path = join(dir, 'training.json');
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, 'utf8')) as TrainingRecord;
}

/** Images as a flat NHWC Float32Array (values in [-1, 1]) or a [N, 28, 28, 1] tensor. */
export type Images = Float32Array | tf.Tensor;

function imageCount(images: Images): number {
  if (images instanceof Float32Array) {
    if (images.length % PIXELS !== 0)
      throw new Error(`image data of ${images.length} values is not N x 28 x 28`);
    return images.length / PIXELS;
  }
  return images.shape[0] ?? 0;
}

function batchOf(images: Images, start: number, end: number): tf.Tensor4D {
  if (images instanceof Float32Array) {
    return tf.tensor4d(images.subarray(start * PIXELS, end * PIXELS), [end - start, 28, 28, 1]);
  }
  return images.slice(start, end - start).reshape([end - start, 28, 28, 1]);
}

// One two-headed view per classifier, so features and class ids come from a single forward pass.
const heads = new WeakMap<tf.LayersModel, tf.LayersModel>();

function twoHeaded(model: tf.LayersModel): tf.LayersModel {
  let m = heads.get(model);
  if (!m) {
    const input = model.inputs[0]!;
    m = tf.model({
      inputs: input,
      outputs: [model.getLayer(FEATURE_LAYER).output as tf.SymbolicTensor, model.outputs[0]!],
    });
    heads.set(model, m);
  }
  return m;
}

export interface Analysis {
  features: FeatureMatrix;
  /** Arg-max class of each image. */
  classes: Uint8Array;
}

/** Features (penultimate layer) and predicted classes, in batches so 10,000 images stay within memory. */
export function analyze(model: tf.LayersModel, images: Images, batchSize = 500): Analysis {
  const n = imageCount(images);
  const head = twoHeaded(model);
  const d = (head.outputs[0]!.shape[1] as number) ?? 0;
  const features = new Float32Array(n * d);
  const classes = new Uint8Array(n);
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize);
    const [f, c] = tf.tidy(() => {
      const [feat, probs] = head.predict(batchOf(images, start, end)) as tf.Tensor[];
      return [feat!, probs!.argMax(-1)];
    });
    // Read outside tidy: reading inside it makes tidy walk the returned array.
    features.set(f!.dataSync() as Float32Array, start * d);
    classes.set(c!.dataSync(), start);
    f!.dispose();
    c!.dispose();
  }
  return { features: { data: features, n, d }, classes };
}

export function features(model: tf.LayersModel, images: Images, batchSize = 500): FeatureMatrix {
  return analyze(model, images, batchSize).features;
}

export function predict(model: tf.LayersModel, images: Images, batchSize = 500): Uint8Array {
  const n = imageCount(images);
  const classes = new Uint8Array(n);
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize);
    const c = tf.tidy(() => (model.predict(batchOf(images, start, end)) as tf.Tensor).argMax(-1));
    classes.set(c.dataSync(), start);
    c.dispose();
  }
  return classes;
}

/** Fraction of images whose predicted class equals the label. */
export function accuracy(model: tf.LayersModel, images: Images, labels: ArrayLike<number>): number {
  const classes = predict(model, images);
  let right = 0;
  for (let i = 0; i < classes.length; i++) if (classes[i] === labels[i]) right++;
  return right / classes.length;
}
