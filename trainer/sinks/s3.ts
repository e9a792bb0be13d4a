/** Artifacts under a run's S3 prefix, laid out exactly as in a local run folder. */
import {
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { CHECKPOINT_TAG, runFiles } from '../../shared/keys.ts';
import { RetriesExhausted, type RetryTuning, retryTuningFromEnv, warnRetry, withRetry } from './retry.ts';
import type { ArtifactSink } from './types.ts';

const CHECKPOINT_TAGGING = new URLSearchParams({ [CHECKPOINT_TAG.key]: CHECKPOINT_TAG.value }).toString();

/** True when the environment points the SDK at an emulator or other non-AWS endpoint. */
export function endpointOverridden(
  service: 'S3' | 'DYNAMODB',
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  return Boolean(env[`AWS_ENDPOINT_URL_${service}`] || env.AWS_ENDPOINT_URL);
}

/**
 * An S3 client from the default provider chain; the SDK reads AWS_ENDPOINT_URL_S3 itself. Emulators serve
 * buckets by path, not by host name, hence forcePathStyle when the endpoint is overridden. The SDK's own
 * retries are off because withRetry owns retrying and reports how long it tried.
 */
export function s3ClientFromEnv(config: S3ClientConfig = {}): S3Client {
  return new S3Client({
    forcePathStyle: endpointOverridden('S3') || config.endpoint !== undefined,
    maxAttempts: 1,
    // Without a connection timeout a blackholed endpoint would hang a write forever instead of retrying.
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 120_000 },
    ...config,
  });
}

const CONTENT_TYPES: Record<string, string> = {
  png: 'image/png',
  json: 'application/json',
  jsonl: 'application/x-ndjson',
  bin: 'application/octet-stream',
  txt: 'text/plain; charset=utf-8',
  html: 'text/html; charset=utf-8',
};

/** The content type a browser needs for a key, from its extension. */
export function contentTypeOf(key: string): string {
  const ext = /\.([a-z0-9]+)$/i.exec(key)?.[1]?.toLowerCase();
  return (ext && CONTENT_TYPES[ext]) || 'application/octet-stream';
}

export interface S3ArtifactSinkOptions {
  client?: S3Client;
  bucket: string;
  /** The run root, runPrefix(runId) from shared/keys.ts, e.g. "runs/abc/". */
  prefix: string;
  retry?: Partial<RetryTuning>;
  /** Keys per ListObjectsV2 page (S3's maximum is 1000); small values exercise pagination in tests. */
  pageSize?: number;
}

/** A missing object; a missing bucket is a configuration error and must not read as "no such key". */
function isNoSuchKey(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  if (e?.name === 'NoSuchKey') return true;
  return e?.$metadata?.httpStatusCode === 404 && e.name !== 'NoSuchBucket';
}

export class S3ArtifactSink implements ArtifactSink {
  readonly location: string;
  readonly bucket: string;
  readonly prefix: string;
  private readonly client: S3Client;
  private readonly retry: RetryTuning;
  private readonly pageSize: number | undefined;

  constructor(options: S3ArtifactSinkOptions) {
    if (!options.bucket) throw new Error('S3ArtifactSink needs a bucket name');
    this.bucket = options.bucket;
    this.prefix =
      options.prefix === '' || options.prefix.endsWith('/') ? options.prefix : `${options.prefix}/`;
    this.location = `s3://${this.bucket}/${this.prefix}`;
    this.client = options.client ?? s3ClientFromEnv();
    this.retry = { ...retryTuningFromEnv(), onRetry: warnRetry, ...options.retry };
    this.pageSize = options.pageSize;
  }

  private key(relative: string): string {
    // Same rule as the local folder: a key may not climb out of the run root.
    if (relative.startsWith('/') || relative.split('/').includes('..')) {
      throw new Error(`key '${relative}' escapes the run prefix`);
    }
    return this.prefix + relative;
  }

  private run<T>(operation: string, key: string, fn: () => Promise<T>): Promise<T> {
    const what = `${operation} s3://${this.bucket}/${key}`;
    return withRetry(fn, { ...this.retry, what, service: 'S3' }).catch((err: unknown) => {
      if (err instanceof RetriesExhausted || (operation === 'GetObject' && isNoSuchKey(err))) throw err;
      // A permanent refusal (AccessDenied, NoSuchBucket...): say which object, keep the SDK error as cause.
      const detail = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      throw new Error(`${what} failed: ${detail}`, { cause: err });
    });
  }

  async put(key: string, body: Uint8Array | string, contentType?: string): Promise<void> {
    const Key = this.key(key);
    const Body = typeof body === 'string' ? new TextEncoder().encode(body) : body;
    const ContentType = contentType ?? contentTypeOf(key);
    await this.run('PutObject', Key, () =>
      this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key,
          Body,
          ContentType,
          ...(key.startsWith(runFiles.checkpointsDir) ? { Tagging: CHECKPOINT_TAGGING } : {}),
        }),
      ),
    );
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const Key = this.key(key);
    try {
      return await this.run('GetObject', Key, async () => {
        const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key }));
        // Reading the body inside the retry: a connection dropped mid-download is transient too.
        return out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
      });
    } catch (err) {
      if (isNoSuchKey(err)) return undefined;
      throw err;
    }
  }

  async list(prefix: string): Promise<string[]> {
    const Prefix = this.key(prefix);
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const ContinuationToken = token;
      const page = await this.run('ListObjectsV2', Prefix, () =>
        this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix,
            ContinuationToken,
            ...(this.pageSize !== undefined ? { MaxKeys: this.pageSize } : {}),
          }),
        ),
      );
      for (const o of page.Contents ?? []) {
        if (o.Key?.startsWith(this.prefix)) keys.push(o.Key.slice(this.prefix.length));
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys.sort();
  }
}
