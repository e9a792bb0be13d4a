/**
 * The attribute reader of the captioned digits: image [32, 32, 3] -> one softmax per attribute (digit,
 * colour, size, position, in the catalog's order). It judges captioned generators (caption-match.ts) and
 * never trains one; train-attribute-reader.ts trains it on real captioned images only, half of them seen
 * through a 16 px version shown in 2 x 2 blocks, so it reads a half-size stage's images (upsampled) as well.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { datasetInfo } from '../../shared/datasets.ts';
import { LocalArtifactSink } from '../sinks/local.ts';
import { sinkLoader } from '../sinks/model-io.ts';
import { WEIGHTS_DIR } from './classifier.ts';

export const READER_DATASET = 'captioned-digits';
export const READER_DIR = join(WEIGHTS_DIR, READER_DATASET);

/** The attributes read, in the catalog's order, with their value counts. */
export function readerAttributes(): { name: string; values: string[] }[] {
  const attributes = datasetInfo(READER_DATASET).attributes;
  if (!attributes) throw new Error(`dataset '${READER_DATASET}' declares no attributes`);
  return attributes;
}

/** What train-attribute-reader.ts writes beside the weights. */
export interface ReaderRecord {
  /** Held-out accuracy per attribute on real images at full size and through the 16 px version. */
  heldOutAccuracy: { full: Record<string, number>; half: Record<string, number> };
  heldOut: string;
  trainImages: number;
  epochs: number;
  seed: number;
  seconds: number;
  params: number;
  command: string;
  createdAt: string;
}

export function buildAttributeReader(seed = 1): tf.LayersModel {
  const [side, , channels] = datasetInfo(READER_DATASET).shape as [number, number, number];
  const x = tf.input({ shape: [side, side, channels], name: 'image' });
  let h: tf.SymbolicTensor = x;
  [24, 48, 96].forEach((filters, i) => {
    h = tf.layers
      .conv2d({
        name: `conv${i + 1}`,
        filters,
        kernelSize: 3,
        strides: 2,
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

/** Real images of a derived captioned set as a tensor in [-1, 1], and their attributes [attributes][N]. */
export function realItems(
  set: {
    images: Record<string, { data: Uint8Array; shape: number[] }>;
    values: Record<string, { data: Float32Array }>;
  },
  from: number,
  count: number,
): { images: tf.Tensor4D; attributes: Int32Array[] } {
  const plane = set.images.x!;
  const [h, w, c] = plane.shape as [number, number, number];
  const pixels = h * w * c;
  const data = new Float32Array(count * pixels);
  for (let i = 0; i < data.length; i++) data[i] = plane.data[from * pixels + i]! / 127.5 - 1;
  const names = readerAttributes();
  const attributes = names.map((_, k) =>
    Int32Array.from({ length: count }, (_, i) => set.values.attributes!.data[(from + i) * names.length + k]!),
  );
  return { images: tf.tensor4d(data, [count, h, w, c]), attributes };
}
