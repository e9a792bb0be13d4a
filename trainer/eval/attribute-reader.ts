/**
 * The attribute reader of the captioned digits: image [32, 32, 3] -> one softmax per attribute (digit,
 * colour, size, position, in the catalog's order). It judges captioned generators (caption-match.ts) and
 * never trains one; train-attribute-reader.ts trains it on real captioned images only, half of each batch
 * seen through a 16 px version shown in 2 x 2 blocks, so it reads a half-size stage's images (upsampled) as
 * well.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { datasetInfo } from '../../shared/datasets.ts';
import { LocalArtifactSink } from '../sinks/local.ts';
import { sinkLoader } from '../sinks/model-io.ts';
import { WEIGHTS_DIR } from './classifier.ts';
import type { JudgeRecord } from './judge-training.ts';

export const READER_DATASET = 'captioned-digits';
export const READER_DIR = join(WEIGHTS_DIR, READER_DATASET);

/** The attributes read, in the catalog's order, with their value counts. */
export function readerAttributes(): { name: string; values: string[] }[] {
  const attributes = datasetInfo(READER_DATASET).attributes;
  if (!attributes) throw new Error(`dataset '${READER_DATASET}' declares no attributes`);
  return attributes;
}

/** What train-attribute-reader.ts writes beside the weights (judge-training.ts's record). */
export interface ReaderRecord extends JudgeRecord {
  /** Held-out accuracy per attribute on real images at full size and through the 16 px version. */
  heldOutAccuracy: { full: Record<string, number>; half: Record<string, number> };
}

/**
 * 3x3 convolutions [filters, stride]: a stride-1 layer before each halving, so a small digit (12 px, or 6 px
 * through the 16 px version) is seen at full resolution by two layers before it is subsampled. (Max pooling
 * in place of the strides trained several times slower on wasm.)
 */
const CONVOLUTIONS: [number, number][] = [
  [32, 1],
  [32, 2],
  [64, 1],
  [64, 2],
  [128, 2],
];

export function buildAttributeReader(seed = 1): tf.LayersModel {
  const [side, , channels] = datasetInfo(READER_DATASET).shape as [number, number, number];
  const x = tf.input({ shape: [side, side, channels], name: 'image' });
  let h: tf.SymbolicTensor = x;
  CONVOLUTIONS.forEach(([filters, strides], i) => {
    h = tf.layers
      .conv2d({
        name: `conv${i + 1}`,
        filters,
        kernelSize: 3,
        strides,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: tf.initializers.heNormal({ seed: seed * 100 + i }),
      })
      .apply(h) as tf.SymbolicTensor;
  });
  const features = tf.layers
    .dense({
      name: 'features',
      units: 128,
      activation: 'relu',
      kernelInitializer: tf.initializers.heNormal({ seed: seed * 100 + 10 }),
    })
    .apply(tf.layers.flatten().apply(h)) as tf.SymbolicTensor;
  const heads = readerAttributes().map(
    (a, k) =>
      tf.layers
        .dense({
          name: a.name,
          units: a.values.length,
          activation: 'softmax',
          kernelInitializer: tf.initializers.glorotUniform({ seed: seed * 100 + 20 + k }),
        })
        .apply(features) as tf.SymbolicTensor,
  );
  return tf.model({ inputs: x, outputs: heads, name: 'attribute_reader' });
}

export async function loadAttributeReader(dir = READER_DIR): Promise<tf.LayersModel> {
  if (!existsSync(join(dir, 'model.json')))
    throw new Error(`no attribute reader in ${dir}: run 'npm run train:attribute-reader' first`);
  return tf.loadLayersModel(sinkLoader(new LocalArtifactSink(dir), ''));
}

export function readReaderRecord(dir = READER_DIR): ReaderRecord | undefined {
  const path = join(dir, 'training.json');
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as ReaderRecord) : undefined;
}

/** Images as a half-size stage's are read: a 2 x 2 mean, shown in 2 x 2 blocks at the same size. */
export function halved(x: tf.Tensor4D): tf.Tensor4D {
  const [, h, w] = x.shape;
  return tf.tidy(() => tf.image.resizeNearestNeighbor(tf.avgPool(x, 2, 2, 'valid'), [h, w]));
}

/**
 * The training loss of a batch of real images and their attributes [N, attributes] (int32): the sum over
 * attributes of the softmax cross-entropy, the second half of the batch seen through its 16 px version.
 */
export function readerLoss(reader: tf.LayersModel, images: tf.Tensor4D, attributes: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const n = images.shape[0];
    const keep = Math.ceil(n / 2);
    const shown = keep === n ? images : tf.concat([images.slice(0, keep), halved(images.slice(keep))]);
    const probs = reader.apply(shown, { training: true }) as tf.Tensor[];
    const names = readerAttributes();
    return tf.addN(
      probs.map((p, k) => {
        const target = tf.oneHot(
          attributes.slice([0, k], [n, 1]).reshape([n]) as tf.Tensor1D,
          names[k]!.values.length,
        );
        return tf.neg(tf.mean(tf.sum(tf.mul(target, tf.log(tf.clipByValue(p, 1e-7, 1))), -1)));
      }),
    ) as tf.Scalar;
  });
}

/**
 * Images [N, H, W, C] in [-1, 1] at the reader's size, or at a whole fraction of it (a low-resolution
 * stage's output), which is brought to the reader's size in blocks, as the gallery shows it.
 */
export function toReaderSize(images: tf.Tensor4D): tf.Tensor4D {
  const [side] = datasetInfo(READER_DATASET).shape as [number];
  const [, h, w] = images.shape;
  if (h === side && w === side) return images;
  if (side % h !== 0 || h !== w) throw new Error(`the attribute reader cannot read ${h}x${w} images`);
  return tf.image.resizeNearestNeighbor(images, [side, side]);
}

/** Each image's value index per attribute: [attributes][N]. */
export function readAttributes(reader: tf.LayersModel, images: tf.Tensor4D, batchSize = 250): Int32Array[] {
  const n = images.shape[0];
  const out = readerAttributes().map(() => new Int32Array(n));
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    const ids = tf.tidy(() => {
      const batch = toReaderSize(images.slice(start, size));
      return (reader.predict(batch) as tf.Tensor[]).map((p) => p.argMax(-1));
    });
    ids.forEach((t, k) => {
      out[k]!.set(t.dataSync(), start);
    });
    tf.dispose(ids);
  }
  return out;
}

/** Share of images whose read value equals the asked one, per attribute name. */
export function attributeAccuracy(read: Int32Array[], asked: Int32Array[]): Record<string, number> {
  return Object.fromEntries(
    readerAttributes().map((a, k) => {
      const r = read[k]!;
      let right = 0;
      for (let i = 0; i < r.length; i++) if (r[i] === asked[k]![i]) right++;
      return [a.name, r.length === 0 ? 0 : right / r.length];
    }),
  );
}

/** A batch's attributes [N, attributes] (int32) as one column per attribute: [attributes][N]. */
export function attributeColumns(attributes: tf.Tensor2D): Int32Array[] {
  const [n, width] = attributes.shape;
  const data = attributes.dataSync();
  return Array.from({ length: width }, (_, k) =>
    Int32Array.from({ length: n }, (_, i) => data[i * width + k]!),
  );
}
