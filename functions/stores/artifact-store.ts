/**
 * Run artifacts in S3, under the key layout of shared/keys.ts (the layout the trainer's S3 sink writes).
 * Browsers never get bucket access: they get presigned GET URLs, signed for the endpoint they can reach.
 */

import type { S3Client } from '@aws-sdk/client-s3';
import { runFiles, runKey, runPrefix, stepOfKey } from '../../shared/keys.ts';
import type { RetryTuning } from '../../shared/storage/retry.ts';
import {
  assertRelativeKey,
  httpStatusOf,
  S3Objects,
  s3ClientFromEnv,
} from '../../shared/storage/s3-objects.ts';
import type { ArtifactStore, SampleRef } from '../ports.ts';
import { API_RETRY, BadCursor } from './run-store.ts';

export { BadCursor };

/** S3 refuses presigned URLs valid for longer than a week. */
const MAX_EXPIRES_SECONDS = 7 * 24 * 3600;

export interface S3ArtifactStoreOptions {
  client?: S3Client;
  bucket: string;
  /** Signs the URLs handed to browsers; by default one for presignEndpoint, else `client`. */
  presignClient?: S3Client;
  /**
   * The S3 endpoint as browsers reach it, when that differs from the API's (e.g. the API reaches the
   * emulator as 127.0.0.1 and browsers as localhost, or through a proxy). URLs are path-style there.
   */
  presignEndpoint?: string;
  /** Lifetime of presigned URLs unless a call says otherwise; 1 hour by default. */
  expiresSeconds?: number;
  retry?: Partial<RetryTuning>;
}

function checkExpires(seconds: number): number {
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_EXPIRES_SECONDS) {
    throw new RangeError(`presigned URL lifetime must be 1-${MAX_EXPIRES_SECONDS} s, not ${seconds}`);
  }
  return seconds;
}

/** S3's continuation token wrapped with its run, so a cursor is checked here before S3 sees it. */
function encodeCursor(runId: string, token: string): string {
  return Buffer.from(JSON.stringify({ run: runId, token })).toString('base64url');
}

function decodeCursor(runId: string, cursor: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new BadCursor('not a cursor from this listing');
  }
  const { run, token } = (parsed ?? {}) as { run?: unknown; token?: unknown };
  if (typeof token !== 'string' || token === '') throw new BadCursor('not a cursor from this listing');
  if (run !== runId) throw new BadCursor('the cursor belongs to another run');
  return token;
}

export class S3ArtifactStore implements ArtifactStore {
  readonly bucket: string;
  private readonly objects: S3Objects;
  private readonly presignClient: S3Client;
  private readonly expiresSeconds: number;

  constructor(options: S3ArtifactStoreOptions) {
    if (!options.bucket) throw new Error('S3ArtifactStore needs a bucket name');
    this.bucket = options.bucket;
    const client = options.client ?? s3ClientFromEnv();
    this.objects = new S3Objects({ bucket: this.bucket, client, retry: { ...API_RETRY, ...options.retry } });
    this.presignClient =
      options.presignClient ??
      (options.presignEndpoint !== undefined
        ? s3ClientFromEnv({
            endpoint: options.presignEndpoint,
            forcePathStyle: true,
            // Sign as the API's client would: same region and identity, another host.
            region: client.config.region,
            credentials: client.config.credentials,
          })
        : client);
    this.expiresSeconds = checkExpires(options.expiresSeconds ?? 3600);
  }

  private key(runId: string, relative: string): string {
    // A run-relative key may not climb out of its run, as in the trainer's sinks.
    assertRelativeKey(relative);
    return runKey(runId, relative);
  }

  async put(runId: string, key: string, body: Uint8Array | string, contentType: string): Promise<void> {
    return this.objects.put(this.key(runId, key), body, contentType);
  }

  async get(runId: string, key: string): Promise<Uint8Array | undefined> {
    return this.objects.get(this.key(runId, key));
  }

  async listSamples(
    runId: string,
    page: { limit: number; cursor?: string },
  ): Promise<{ samples: SampleRef[]; nextCursor?: string }> {
    if (!Number.isInteger(page.limit) || page.limit < 1 || page.limit > 1000) {
      throw new RangeError(`limit must be an integer from 1 to 1000, not ${page.limit}`);
    }
    const prefix = runPrefix(runId) + runFiles.samplesDir;
    const token = page.cursor === undefined ? undefined : decodeCursor(runId, page.cursor);
    let out: Awaited<ReturnType<S3Objects['page']>>;
    try {
      out = await this.objects.page(prefix, { limit: page.limit, ...(token ? { token } : {}) });
    } catch (err) {
      // S3 answers a token it did not issue with 400 InvalidArgument.
      if (token !== undefined && httpStatusOf(err) === 400) {
        throw new BadCursor('S3 did not accept the continuation token');
      }
      throw err;
    }
    const samples: SampleRef[] = [];
    // Zero-padded step keys list in step order; anything else under samples/ is not a sample.
    for (const { Key } of out.Contents ?? []) {
      const step = Key === undefined ? undefined : stepOfKey(Key);
      if (Key === undefined || step === undefined || Key !== runKey(runId, runFiles.sample(step))) continue;
      samples.push({
        step,
        url: await this.objects.presignGet(Key, this.expiresSeconds, this.presignClient),
      });
    }
    const next = out.IsTruncated ? out.NextContinuationToken : undefined;
    return next ? { samples, nextCursor: encodeCursor(runId, next) } : { samples };
  }

  async latestCheckpoint(runId: string): Promise<number | undefined> {
    let latest: number | undefined;
    for (const key of await this.objects.keys(runPrefix(runId) + runFiles.checkpointsDir)) {
      const step = stepOfKey(key);
      // Complete checkpoints only: state.json is written last.
      if (step === undefined || key !== runKey(runId, runFiles.checkpointState(step))) continue;
      if (latest === undefined || step > latest) latest = step;
    }
    return latest;
  }

  async presign(
    runId: string,
    key: string,
    expiresSeconds = this.expiresSeconds,
  ): Promise<string | undefined> {
    checkExpires(expiresSeconds);
    const Key = this.key(runId, key);
    if (!(await this.objects.exists(Key))) return undefined;
    // Signing is computed locally: no request to S3.
    return this.objects.presignGet(Key, expiresSeconds, this.presignClient);
  }
}
