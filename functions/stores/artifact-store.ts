/**
 * Run artifacts in S3, under the key layout of shared/keys.ts (the layout the trainer's S3 sink writes).
 * Browsers never get bucket access: they get presigned GET URLs, signed for the endpoint they can reach.
 */

import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { runFiles, runKey, runPrefix, stepOfKey } from '../../shared/keys.ts';
import { type RetryTuning, withRetry } from '../../trainer/sinks/retry.ts';
import { s3ClientFromEnv } from '../../trainer/sinks/s3.ts';
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

function httpStatus(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

/** A missing object; a missing bucket is a configuration error and must not read as "no such key". */
function isMissing(err: unknown): boolean {
  const name = (err as { name?: string } | undefined)?.name;
  return name === 'NoSuchKey' || name === 'NotFound' || (httpStatus(err) === 404 && name !== 'NoSuchBucket');
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
  private readonly client: S3Client;
  private readonly presignClient: S3Client;
  private readonly expiresSeconds: number;
  private readonly retry: RetryTuning;

  constructor(options: S3ArtifactStoreOptions) {
    if (!options.bucket) throw new Error('S3ArtifactStore needs a bucket name');
    this.bucket = options.bucket;
    this.client = options.client ?? s3ClientFromEnv();
    this.presignClient =
      options.presignClient ??
      (options.presignEndpoint !== undefined
        ? s3ClientFromEnv({
            endpoint: options.presignEndpoint,
            forcePathStyle: true,
            // Sign as the API's client would: same region and identity, another host.
            region: this.client.config.region,
            credentials: this.client.config.credentials,
          })
        : this.client);
    this.expiresSeconds = checkExpires(options.expiresSeconds ?? 3600);
    this.retry = { ...API_RETRY, ...options.retry };
  }

  private key(runId: string, relative: string): string {
    // A run-relative key may not climb out of its run, as in the trainer's sinks.
    if (relative.startsWith('/') || relative.split('/').includes('..')) {
      throw new Error(`key '${relative}' escapes the run prefix`);
    }
    return runKey(runId, relative);
  }

  private send<T>(operation: string, key: string, fn: () => Promise<T>): Promise<T> {
    return withRetry(fn, { ...this.retry, what: `${operation} s3://${this.bucket}/${key}`, service: 'S3' });
  }

  async put(runId: string, key: string, body: Uint8Array | string, contentType: string): Promise<void> {
    const Key = this.key(runId, key);
    const Body = typeof body === 'string' ? new TextEncoder().encode(body) : body;
    await this.send('PutObject', Key, () =>
      this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key, Body, ContentType: contentType })),
    );
  }

  async get(runId: string, key: string): Promise<Uint8Array | undefined> {
    const Key = this.key(runId, key);
    try {
      return await this.send('GetObject', Key, async () => {
        const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key }));
        return out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
      });
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  async listSamples(
    runId: string,
    page: { limit: number; cursor?: string },
  ): Promise<{ samples: SampleRef[]; nextCursor?: string }> {
    if (!Number.isInteger(page.limit) || page.limit < 1 || page.limit > 1000) {
      throw new RangeError(`limit must be an integer from 1 to 1000, not ${page.limit}`);
    }
    const Prefix = runPrefix(runId) + runFiles.samplesDir;
    const ContinuationToken = page.cursor === undefined ? undefined : decodeCursor(runId, page.cursor);
    let out: ListObjectsV2CommandOutput;
    try {
      out = await this.send('ListObjectsV2', Prefix, () =>
        this.client.send(
          new ListObjectsV2Command({ Bucket: this.bucket, Prefix, MaxKeys: page.limit, ContinuationToken }),
        ),
      );
    } catch (err) {
      // S3 answers a token it did not issue with 400 InvalidArgument.
      if (ContinuationToken !== undefined && httpStatus(err) === 400) {
        throw new BadCursor('S3 did not accept the continuation token');
      }
      throw err;
    }
    const samples: SampleRef[] = [];
    // Zero-padded step keys list in step order; anything else under samples/ is not a sample.
    for (const { Key } of out.Contents ?? []) {
      const step = Key === undefined ? undefined : stepOfKey(Key);
      if (Key === undefined || step === undefined || Key !== runKey(runId, runFiles.sample(step))) continue;
      samples.push({ step, url: await this.sign(Key, this.expiresSeconds) });
    }
    const token = out.IsTruncated ? out.NextContinuationToken : undefined;
    return token ? { samples, nextCursor: encodeCursor(runId, token) } : { samples };
  }

  async latestCheckpoint(runId: string): Promise<number | undefined> {
    const Prefix = runPrefix(runId) + runFiles.checkpointsDir;
    let latest: number | undefined;
    let ContinuationToken: string | undefined;
    do {
      const out = await this.send('ListObjectsV2', Prefix, () =>
        this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix, ContinuationToken })),
      );
      for (const { Key } of out.Contents ?? []) {
        const step = Key === undefined ? undefined : stepOfKey(Key);
        // Complete checkpoints only: state.json is written last.
        if (step === undefined || Key !== runKey(runId, runFiles.checkpointState(step))) continue;
        if (latest === undefined || step > latest) latest = step;
      }
      ContinuationToken = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (ContinuationToken);
    return latest;
  }

  async presign(
    runId: string,
    key: string,
    expiresSeconds = this.expiresSeconds,
  ): Promise<string | undefined> {
    checkExpires(expiresSeconds);
    const Key = this.key(runId, key);
    try {
      await this.send('HeadObject', Key, () =>
        this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key })),
      );
    } catch (err) {
      // HEAD answers carry no error body, so a missing bucket also reads as a missing object here.
      if (isMissing(err)) return undefined;
      throw err;
    }
    return this.sign(Key, expiresSeconds);
  }

  /** Signing is computed locally: no request to S3. */
  private sign(Key: string, expiresIn: number): Promise<string> {
    return getSignedUrl(this.presignClient, new GetObjectCommand({ Bucket: this.bucket, Key }), {
      expiresIn,
    });
  }
}
