/**
 * CIFAR-10 from its canonical binary archive, through the catalog's one download path (download.ts): the
 * archive is checked (sha256 and the published MD5), cached in the run bucket under datasets/cifar10/,
 * unpacked once into a folder (the six batch files, each 10,000 records of a label byte and 3,072 pixel
 * bytes, red plane then green then blue), and read from there.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { FilePin } from '../../shared/datasets.ts';
import {
  type DownloadPlan,
  downloadPlan,
  type EnsureFilesOptions,
  ensureFiles,
  writeAtomically,
} from './download.ts';
import { userCacheDir } from './fetch-tools.ts';
import type { ImageSet, Split } from './mnist.ts';
import { readTar } from './tar.ts';

const MEMBERS = {
  train: ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'],
  test: ['test_batch.bin'],
} as const;
const FOLDER = 'cifar-10-batches-bin';
const RECORD = 1 + 32 * 32 * 3;
/** Written last into the folder, naming the archive it was unpacked from. */
const MARKER = 'unpacked-from.sha256';

/** The catalog's plan, with the archive unpacked on install; `pin` replaces the archive's pin (tests). */
export function cifar10Plan(pin?: FilePin): DownloadPlan {
  const plan = downloadPlan('cifar10', 'CIFAR-10');
  return {
    ...plan,
    ...(pin ? { files: [pin] } : {}),
    async install(dir, file, archive) {
      const members = readTar(gunzipSync(archive), file.name);
      await mkdir(dir, { recursive: true });
      for (const name of [...MEMBERS.train, ...MEMBERS.test]) {
        const data = members.get(`${FOLDER}/${name}`);
        if (!data) throw new Error(`${file.name} holds no ${FOLDER}/${name}`);
        if (data.length === 0 || data.length % RECORD !== 0)
          throw new Error(`${file.name}: ${name} is ${data.length} bytes, not whole ${RECORD}-byte records`);
        await writeAtomically(join(dir, name), data);
      }
      await writeAtomically(join(dir, MARKER), new TextEncoder().encode(`${file.sha256}\n`));
    },
    async installed(dir, file) {
      const marker = join(dir, MARKER);
      return existsSync(marker) && readFileSync(marker, 'utf8').trim() === file.sha256;
    },
  };
}

/** Makes `dir` hold the unpacked batches of a verified archive (S3 cache, then the canonical source). */
export function ensureCifar10(
  dir: string,
  options: EnsureFilesOptions & { pin?: FilePin } = {},
): Promise<string> {
  const { pin, ...rest } = options;
  return ensureFiles(cifar10Plan(pin), dir, rest);
}

/** Where the batches are unpacked: GANZOO_CIFAR10_DIR, else the user cache. */
export function cifar10Dir(env: NodeJS.ProcessEnv = process.env): string {
  return env.GANZOO_CIFAR10_DIR || userCacheDir('datasets', 'cifar10');
}

const loaded = new Map<string, ImageSet>();

export function loadCifar10(split: Split, dir = cifar10Dir()): ImageSet {
  const key = `${dir}:${split}`;
  const hit = loaded.get(key);
  if (hit) return hit;
  if (!existsSync(join(dir, MARKER)))
    throw new Error(
      `CIFAR-10 is not unpacked in ${dir}; the trainer downloads it before a run (ensureCifar10)`,
    );
  const parts = MEMBERS[split].map((name) => readFileSync(join(dir, name)));
  const count = parts.reduce((n, p) => n + p.length / RECORD, 0);
  const images = new Float32Array(count * 32 * 32 * 3);
  const labels = new Uint8Array(count);
  let i = 0;
  for (const part of parts) {
    for (let r = 0; r < part.length; r += RECORD, i++) {
      labels[i] = part[r]!;
      // Planes (R, G, B) of 1,024 bytes each become interleaved HWC values in [-1, 1].
      for (let p = 0; p < 1024; p++)
        for (let c = 0; c < 3; c++) images[(i * 1024 + p) * 3 + c] = part[r + 1 + c * 1024 + p]! / 127.5 - 1;
    }
  }
  const set: ImageSet = { images, labels, count, shape: [32, 32, 3] };
  loaded.set(key, set);
  return set;
}
