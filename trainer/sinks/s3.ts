/** Artifacts under a run's S3 prefix, laid out exactly as in a local run folder. */
import type { S3Client } from '@aws-sdk/client-s3';
import { CHECKPOINT_TAG, runFiles } from '../../shared/keys.ts';
import { type RetryTuning, retryTuningFromEnv, warnRetry } from '../../shared/storage/retry.ts';
import { assertRelativeKey, S3Objects } from '../../shared/storage/s3-objects.ts';
import type { ArtifactSink } from './types.ts';

const CHECKPOINT_TAGGING = new URLSearchParams({ [CHECKPOINT_TAG.key]: CHECKPOINT_TAG.value }).toString();

export interface S3ArtifactSinkOptions {
  client?: S3Client;
  bucket: string;
  /** The run root, runPrefix(runId) from shared/keys.ts, e.g. "runs/abc/". */
  prefix: string;
  retry?: Partial<RetryTuning>;
  /** Keys per ListObjectsV2 page (S3's maximum is 1000); small values exercise pagination in tests. */
  pageSize?: number;
}

export class S3ArtifactSink implements ArtifactSink {
  readonly location: string;
  readonly bucket: string;
  readonly prefix: string;
  private readonly objects: S3Objects;
  private readonly pageSize: number | undefined;

  constructor(options: S3ArtifactSinkOptions) {
    if (!options.bucket) throw new Error('S3ArtifactSink needs a bucket name');
    this.bucket = options.bucket;
    this.prefix =
      options.prefix === '' || options.prefix.endsWith('/') ? options.prefix : `${options.prefix}/`;
    this.location = `s3://${this.bucket}/${this.prefix}`;
    this.objects = new S3Objects({
      bucket: this.bucket,
      ...(options.client ? { client: options.client } : {}),
      retry: { ...retryTuningFromEnv(), onRetry: warnRetry, ...options.retry },
    });
    this.pageSize = options.pageSize;
  }

  private key(relative: string): string {
    // Same rule as the local folder: a key may not climb out of the run root.
    assertRelativeKey(relative);
    return this.prefix + relative;
  }

  async put(key: string, body: Uint8Array | string, contentType?: string): Promise<void> {
    const tagging = key.startsWith(runFiles.checkpointsDir) ? CHECKPOINT_TAGGING : undefined;
    await this.objects.put(this.key(key), body, contentType, tagging);
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    return this.objects.get(this.key(key));
  }

  async list(prefix: string): Promise<string[]> {
    const keys = await this.objects.keys(this.key(prefix), this.pageSize);
    return keys.map((k) => k.slice(this.prefix.length));
  }
}
