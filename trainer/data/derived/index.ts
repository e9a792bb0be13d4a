/**
 * The derived datasets: each generated from the catalog's seed by its generator (one file each), cached, and
 * served as batches of named tensors. Images are stored as bytes and scaled to [-1, 1] per batch; a label map
 * becomes one-hot, an article's mask 0-1. A batch is a pure function of (seed, step): items are shuffled per
 * epoch as every image set is, and what an item pairs with at random (an unpaired set's domain B, an
 * articles set's new article) follows a second, independent order.
 */
import * as tf from '@tensorflow/tfjs';
import type { DatasetInfo } from '../../../shared/datasets.ts';
import type { Batch, TrainingData } from '../index.ts';
import { epochOrder } from '../order.ts';
import { uploadedPairs } from '../uploaded.ts';
import { captionedDigits } from './captioned-digits.ts';
import { digits2mnistm } from './digits2mnistm.ts';
import { edges2digits } from './edges2digits.ts';
import { figuresArticles } from './figures-articles.ts';
import type { DerivedGenerator } from './generator.ts';
import { photosX4 } from './photos-x4.ts';
import { posedObjects } from './posed-objects.ts';
import { scenes } from './scenes.ts';
import { type CachedSetOptions, cachedSet, type DerivedSet, derivedDir, planeItems } from './store.ts';
import { thickDigits } from './thick-digits.ts';

export const GENERATORS: Record<string, DerivedGenerator> = {
  edges2digits,
  'thick-digits': thickDigits,
  digits2mnistm,
  scenes,
  'captioned-digits': captionedDigits,
  'posed-objects': posedObjects,
  'figures-articles': figuresArticles,
  'photos-x4': photosX4,
};

/** The generated source of a derived dataset (its seed and what it reads), or undefined for other sets. */
export function derivedSource(info: DatasetInfo) {
  const source = info.sources[0];
  if (source?.type !== 'generated' || source.seed === undefined || !GENERATORS[info.id]) return undefined;
  return { ...source, seed: source.seed, from: source.from ?? [] };
}

/**
 * The set, from the cache or generated into it. `count` (the catalog's unless said) draws the generator
 * further at the catalog's seed: item i depends only on (seed, i), so the catalog's set is the first items of
 * a larger one, and a judge that needs more training items than the set holds (the attribute reader) gets
 * them this way. Never the held-out items: a generator keeps those apart by its 'test' split.
 */
export function loadDerived(
  info: DatasetInfo,
  options: Pick<CachedSetOptions, 'dir' | 'log'> & { count?: number } = {},
): DerivedSet {
  const source = derivedSource(info);
  const generator = GENERATORS[info.id];
  if (!source || !generator) throw new Error(`dataset '${info.id}' is not a derived set`);
  const { count = info.count, ...cache } = options;
  if (!(Number.isInteger(count) && count > 0))
    throw new Error(`dataset '${info.id}': ${count} items asked for; a positive integer`);
  return cachedSet({
    id: info.id,
    seed: source.seed,
    count,
    version: generator.version,
    generate: () => generator.generate(source.seed, count),
    ...cache,
  });
}

/** Items of a set's held-out copy: what an image-to-image run is sampled and scored on. */
export const HELD_OUT_COUNT = 1_000;

/**
 * A derived set's held-out copy: generated from the catalog's seed by the same generator, its digits drawn
 * from MNIST's test split (photos-x4: its crops from the photographs' bottom quarter), so no held-out item
 * shows a digit or pixel the training set holds. Cached beside the set.
 */
export function loadHeldOut(
  info: DatasetInfo,
  options: Pick<CachedSetOptions, 'dir' | 'log'> = {},
): DerivedSet {
  const source = derivedSource(info);
  const generator = GENERATORS[info.id];
  if (!source || !generator) throw new Error(`dataset '${info.id}' is not a derived set`);
  return cachedSet({
    id: `${info.id}-test`,
    seed: source.seed,
    count: HELD_OUT_COUNT,
    version: generator.version,
    generate: () => generator.generate(source.seed, HELD_OUT_COUNT, 'test'),
    dir: options.dir ?? derivedDir(info.id),
    ...(options.log ? { log: options.log } : {}),
  });
}

/**
 * The first `count` held-out items as one batch, in order (item i with item i of the second domain; in an
 * articles set with item i + 1's article as the new one, so every swap puts on another item's article), the
 * same for every run on the set.
 */
export function heldOutBatch(info: DatasetInfo, count: number): Batch {
  const available = heldOutCount(info);
  if (count > available)
    throw new Error(`'${info.id}' holds ${available} held-out items, asked for ${count}`);
  const set = uploadedPairs(info.id)?.heldOut ?? loadHeldOut(info);
  const items = Int32Array.from({ length: count }, (_, i) => i);
  // An uploaded unpaired set's second domain may hold fewer items than the first.
  const second = items.map((i) => (info.kind === 'articles' ? i + 1 : i) % secondItems(set, count));
  return assembleBatch(info, set, items, second);
}

/** Items of the plane drawn in the second order (an unpaired set's domain B), else `count`. */
function secondItems(set: DerivedSet, count: number): number {
  return set.images.domainB ? planeItems(set.images.domainB) : count;
}

/** Held-out items a set has: a derived set's HELD_OUT_COUNT, an uploaded pair set's tenth. */
export function heldOutCount(info: DatasetInfo): number {
  return uploadedPairs(info.id)?.heldOut.count ?? HELD_OUT_COUNT;
}

/** Images drawn from an independent order (the name in the batch, the plane in the set). */
const FROM_SECOND_ORDER: Record<string, string> = {
  domainB: 'domainB',
  labelsB: 'labelsB',
  newArticle: 'article',
  newAttributes: 'attributes',
};

/** A batch's tensors for the given items. */
export function assembleBatch(
  info: DatasetInfo,
  set: DerivedSet,
  items: ArrayLike<number>,
  second: ArrayLike<number>,
): Batch {
  const n = items.length;
  const out: Record<string, tf.Tensor> = {};
  const planes: [string, string][] = Object.keys(set.images).map((k) => [k, k]);
  const columns: [string, string][] = Object.keys(set.values).map((k) => [k, k]);
  for (const [name, from] of Object.entries(FROM_SECOND_ORDER)) {
    if (set.images[from] && name !== from) planes.push([name, from]);
    // The new article's attributes go with it; other sets' attributes have no second item to describe.
    if (set.values[from] && name !== from && set.images.article) columns.push([name, from]);
  }
  for (const [name, from] of planes) {
    const plane = set.images[from]!;
    const [h, w, c] = plane.shape;
    const px = h * w * c;
    const pick = FROM_SECOND_ORDER[name] ? second : items;
    if (name === 'map') {
      const k = info.classes;
      const onehot = new Float32Array(n * h * w * k);
      for (let i = 0; i < n; i++)
        for (let p = 0; p < h * w; p++) onehot[(i * h * w + p) * k + plane.data[pick[i]! * px + p]!] = 1;
      out[name] = tf.tensor4d(onehot, [n, h, w, k]);
      continue;
    }
    const values = new Float32Array(n * px);
    // A mask is a coverage in [0, 1]; images are scaled to [-1, 1].
    const [mul, add] = name === 'mask' ? [1 / 255, 0] : [2 / 255, -1];
    for (let i = 0; i < n; i++) {
      const src = pick[i]! * px;
      for (let p = 0; p < px; p++) values[i * px + p] = plane.data[src + p]! * mul + add;
    }
    out[name] = tf.tensor4d(values, [n, h, w, c]);
  }
  for (const [name, from] of columns) {
    const col = set.values[from]!;
    const pick = FROM_SECOND_ORDER[name] ? second : items;
    const data = new Float32Array(n * col.width);
    for (let i = 0; i < n; i++)
      data.set(col.data.subarray(pick[i]! * col.width, (pick[i]! + 1) * col.width), i * col.width);
    if (name === 'pose') out[name] = tf.tensor2d(data, [n, col.width]);
    else if (col.width === 1 && (name === 'labels' || name === 'labelsB'))
      out[name] = tf.tensor1d(Int32Array.from(data), 'int32');
    else out[name] = tf.tensor2d(Int32Array.from(data), [n, col.width], 'int32');
  }
  const { x, labels, ...rest } = out;
  if (!x || !labels) throw new Error(`derived set '${info.id}' holds no x or labels`);
  return { x, labels: labels as tf.Tensor1D, ...rest } as Batch;
}

/**
 * The dataset's batches, or undefined when it is neither a derived set nor an uploaded pair set; a derived
 * set over `count` items (loadDerived) when said, else the catalog's.
 */
export function openDerived(info: DatasetInfo, seed: number, count?: number): TrainingData | undefined {
  const pairs = uploadedPairs(info.id);
  if (!pairs && !derivedSource(info)) return undefined;
  const set = pairs?.train ?? loadDerived(info, count === undefined ? {} : { count });
  const items = epochOrder(info.id, set.count, seed);
  const second = epochOrder(info.id, secondItems(set, set.count), seed, 1);
  return {
    info,
    batch: (step, batchSize) => assembleBatch(info, set, items(step, batchSize), second(step, batchSize)),
  };
}
