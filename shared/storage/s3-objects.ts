/**
 * Objects in one S3 bucket: the only S3 adapter, under both the trainer's artifact sink and the API's
 * artifact store. One rule for "missing", one retry policy, one way to name a failed object.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { RetriesExhausted, type RetryTuning, withRetry } from './retry.ts';

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

export function httpStatusOf(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

/**
 * A missing object: NoSuchKey (GetObject), NotFound (HeadObject) or a bare 404. A missing bucket is a
 * configuration error and must not read as "no such key".
 */
export function isMissingObject(err: unknown): boolean {
  const name = (err as { name?: string } | undefined)?.name;
  return (
    name === 'NoSuchKey' || name === 'NotFound' || (httpStatusOf(err) === 404 && name !== 'NoSuchBucket')
  );
}

/** A key inside the prefix it was given for: none may climb out with `..` or start over at `/`. */
export function assertRelativeKey(relative: string): void {
  if (relative.startsWith('/') || relative.split('/').includes('..')) {
    throw new Error(`key '${relative}' escapes the run prefix`);
  }
}

export interface S3ObjectsOptions {
  bucket: string;
  client?: S3Client;
  retry: RetryTuning;
}

export class S3Objects {
  readonly bucket: string;
  readonly client: S3Client;
  private readonly retry: RetryTuning;

  constructor(options: S3ObjectsOptions) {
    if (!options.bucket) throw new Error('S3 storage needs a bucket name');
    this.bucket = options.bucket;
    this.client = options.client ?? s3ClientFromEnv();
    this.retry = options.retry;
  }

  /**
   * One request with retries; a permanent refusal (AccessDenied, NoSuchBucket...) names the object and
   * keeps the SDK error as its cause. A missing object and exhausted retries pass through as they are.
   */
  private send<T>(operation: string, key: string, fn: () => Promise<T>): Promise<T> {
    const what = `${operation} s3://${this.bucket}/${key}`;
    return withRetry(fn, { ...this.retry, what, service: 'S3' }).catch((err: unknown) => {
      if (err instanceof RetriesExhausted || isMissingObject(err) || httpStatusOf(err) === 400) throw err;
      const detail = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      throw new Error(`${what} failed: ${detail}`, { cause: err });
    });
  }

  async put(
    key: string,
    body: Uint8Array | string,
    contentType = contentTypeOf(key),
    tagging?: string,
  ): Promise<void> {
    const Body = typeof body === 'string' ? new TextEncoder().encode(body) : body;
    await this.send('PutObject', key, () =>
      this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body,
          ContentType: contentType,
          ...(tagging ? { Tagging: tagging } : {}),
        }),
      ),
    );
  }

  /** The object's bytes, or undefined when it does not exist. */
  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      return await this.send('GetObject', key, async () => {
        const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
        // Reading the body inside the retry: a connection dropped mid-download is transient too.
        return out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
      });
    } catch (err) {
      if (isMissingObject(err)) return undefined;
      throw err;
    }
  }

  /** Whether the object exists (HEAD answers carry no error body: a missing bucket reads as missing too). */
  async exists(key: string): Promise<boolean> {
    try {
      await this.send('HeadObject', key, () =>
        this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key })),
      );
      return true;
    } catch (err) {
      if (isMissingObject(err)) return false;
      throw err;
    }
  }

  /** One ListObjectsV2 page under `prefix`. */
  page(
    prefix: string,
    options: { limit?: number; token?: string } = {},
  ): Promise<ListObjectsV2CommandOutput> {
    return this.send('ListObjectsV2', prefix, () =>
      this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: prefix,
          ContinuationToken: options.token,
          ...(options.limit !== undefined ? { MaxKeys: options.limit } : {}),
        }),
      ),
    );
  }

  /** Every key under `prefix`, sorted, page by page (`pageSize` keys a request, S3's default 1,000). */
  async keys(prefix: string, pageSize?: number): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const out = await this.page(prefix, {
        ...(pageSize !== undefined ? { limit: pageSize } : {}),
        ...(token ? { token } : {}),
      });
      for (const o of out.Contents ?? []) if (o.Key?.startsWith(prefix)) keys.push(o.Key);
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
    return keys.sort();
  }

  /** A presigned GET URL, signed by `signer` (a client for the endpoint browsers reach) or this client. */
  presignGet(key: string, expiresSeconds: number, signer: S3Client = this.client): Promise<string> {
    return getSignedUrl(signer, new GetObjectCommand({ Bucket: this.bucket, Key: key }), {
      expiresIn: expiresSeconds,
    });
  }

  /** A presigned PUT URL for exactly `bytes` bytes (S3 refuses a body of another length). */
  presignPut(
    key: string,
    bytes: number,
    expiresSeconds: number,
    signer: S3Client = this.client,
  ): Promise<string> {
    return getSignedUrl(
      signer,
      new PutObjectCommand({ Bucket: this.bucket, Key: key, ContentLength: bytes }),
      {
        expiresIn: expiresSeconds,
      },
    );
  }

  /** Starts a multipart upload; its id. */
  async createMultipart(key: string, contentType = contentTypeOf(key)): Promise<string> {
    const out = await this.send('CreateMultipartUpload', key, () =>
      this.client.send(
        new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key, ContentType: contentType }),
      ),
    );
    if (!out.UploadId)
      throw new Error(`CreateMultipartUpload s3://${this.bucket}/${key} answered no UploadId`);
    return out.UploadId;
  }

  /** A presigned URL for one part (numbered from 1) of a multipart upload. */
  presignPart(
    key: string,
    uploadId: string,
    partNumber: number,
    expiresSeconds: number,
    signer: S3Client = this.client,
  ): Promise<string> {
    return getSignedUrl(
      signer,
      new UploadPartCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId, PartNumber: partNumber }),
      { expiresIn: expiresSeconds },
    );
  }

  /** Joins the parts, each named by the ETag its PUT answered. */
  async completeMultipart(
    key: string,
    uploadId: string,
    parts: readonly { partNumber: number; etag: string }[],
  ): Promise<void> {
    await this.send('CompleteMultipartUpload', key, () =>
      this.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })) },
        }),
      ),
    );
  }

  async abortMultipart(key: string, uploadId: string): Promise<void> {
    await this.send('AbortMultipartUpload', key, () =>
      this.client.send(
        new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId }),
      ),
    );
  }

  /** The object's size in bytes, or undefined when it does not exist. */
  async size(key: string): Promise<number | undefined> {
    try {
      const out = await this.send('HeadObject', key, () =>
        this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key })),
      );
      return out.ContentLength ?? 0;
    } catch (err) {
      if (isMissingObject(err)) return undefined;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await this.send('DeleteObject', key, () =>
      this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })),
    );
  }

  /** Deletes every object under `prefix`, a few at a time; how many. */
  async deletePrefix(prefix: string, concurrency = 16): Promise<number> {
    const keys = await this.keys(prefix);
    let next = 0;
    const worker = async () => {
      while (next < keys.length) await this.delete(keys[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, keys.length) }, worker));
    return keys.length;
  }
}
