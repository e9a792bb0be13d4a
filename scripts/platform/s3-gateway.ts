/**
 * Presigned GETs and PUTs on the platform's own port: the API hands out URLs under {origin}/s3/{bucket}/{key}, and
 * this route checks them and fetches the object from the S3 emulator. One origin for the API, the dashboard
 * and the artifacts means no CORS set-up for the dashboard's tfjs model loads, and one port to print.
 *
 * fauxqs checks neither signatures nor expiry, so the check is made here, as S3 would: the signature is
 * recomputed with the signing client for the same key, date and lifetime and compared in constant time, and
 * an expired URL is refused. Without it, anything on this machine could read every artifact without the
 * token. GET is let through, HEAD on a GET URL (S3 would want a HEAD signature; the headers of an object
 * tell nothing its GET would not), and PUT of an upload's file or part as POST /datasets signed it; a
 * preflight gets the bucket's CORS rule (shared/uploads.ts BUCKET_CORS), ETag exposed as in the cloud.
 */
import { timingSafeEqual } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand, type S3Client, UploadPartCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Context } from 'hono';
import { BUCKET_CORS } from '../../shared/uploads.ts';

export const S3_PATH_PREFIX = '/s3';

const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

function parseAmzDate(value: string | null): Date | undefined {
  const m = AMZ_DATE.exec(value ?? '');
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as number[];
  return new Date(Date.UTC(y!, mo! - 1, d!, h!, mi!, s!));
}

function s3Error(status: number, code: string, message: string): Response {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
  return new Response(body, { status, headers: { 'content-type': 'application/xml' } });
}

const FORWARDED_HEADERS = [
  'content-type',
  'content-length',
  'content-range',
  'etag',
  'last-modified',
  'accept-ranges',
];

export interface S3GatewayOptions {
  /** The client the artifact store signs with (endpoint {origin}/s3, path-style). */
  signer: S3Client;
  /** The S3 emulator the objects are read from. */
  upstream: string;
  now?: () => Date;
}

/** A Hono handler for GET/HEAD/PUT (and the CORS preflight) of {prefix}/{bucket}/{key...}. */
export function s3Gateway(options: S3GatewayOptions) {
  const now = options.now ?? (() => new Date());
  return async (c: Context): Promise<Response> => {
    const method = c.req.method;
    if (method === 'OPTIONS') {
      // The bucket's CORS rule, as S3 answers a preflight with it.
      return new Response(null, {
        status: 204,
        headers: {
          'access-control-allow-origin': '*',
          'access-control-allow-methods': BUCKET_CORS.allowedMethods.join(', '),
          'access-control-allow-headers': c.req.header('access-control-request-headers') ?? '*',
          'access-control-expose-headers': BUCKET_CORS.exposedHeaders.join(', '),
          'access-control-max-age': String(BUCKET_CORS.maxAgeSeconds),
        },
      });
    }
    if (method !== 'GET' && method !== 'HEAD' && method !== 'PUT') {
      return s3Error(405, 'MethodNotAllowed', 'only presigned GET and PUT requests are served here');
    }
    const url = new URL(c.req.url);
    const path = url.pathname.slice(S3_PATH_PREFIX.length + 1);
    const slash = path.indexOf('/');
    if (slash <= 0 || slash === path.length - 1) return s3Error(404, 'NoSuchKey', 'no such object');
    let bucket: string;
    let key: string;
    try {
      bucket = decodeURIComponent(path.slice(0, slash));
      key = path
        .slice(slash + 1)
        .split('/')
        .map(decodeURIComponent)
        .join('/');
    } catch {
      return s3Error(400, 'InvalidURI', 'the object path is not valid URL encoding');
    }
    const q = url.searchParams;
    const signature = q.get('X-Amz-Signature');
    const signedAt = parseAmzDate(q.get('X-Amz-Date'));
    const expires = Number(q.get('X-Amz-Expires'));
    if (!signature || !signedAt || !Number.isInteger(expires) || expires < 1) {
      return s3Error(403, 'AccessDenied', 'this URL is not a presigned URL from this platform');
    }
    if (now().getTime() > signedAt.getTime() + expires * 1000) {
      return s3Error(403, 'AccessDenied', 'Request has expired');
    }
    const uploadId = q.get('uploadId');
    const partNumber = Number(q.get('partNumber'));
    // A PUT is signed for its length (a whole file) or its part: a body of another length, or a URL for
    // another part, fails the signature as on S3.
    const at = { expiresIn: expires, signingDate: signedAt };
    const signed =
      method !== 'PUT'
        ? getSignedUrl(options.signer, new GetObjectCommand({ Bucket: bucket, Key: key }), at)
        : uploadId
          ? getSignedUrl(
              options.signer,
              new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: partNumber }),
              at,
            )
          : getSignedUrl(
              options.signer,
              new PutObjectCommand({
                Bucket: bucket,
                Key: key,
                ContentLength: Number(c.req.header('content-length')),
              }),
              at,
            );
    const expected = new URL(await signed).searchParams.get('X-Amz-Signature');
    const given = Buffer.from(signature);
    const wanted = Buffer.from(expected ?? '');
    if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
      return s3Error(403, 'SignatureDoesNotMatch', 'the signature does not match');
    }
    if (method === 'PUT') {
      const body = new Uint8Array(await c.req.arrayBuffer());
      const target = uploadId
        ? `${options.upstream}/${path}?partNumber=${partNumber}&uploadId=${encodeURIComponent(uploadId)}`
        : `${options.upstream}/${path}`;
      const put = await fetch(target, {
        method: 'PUT',
        body,
        headers: { 'content-length': String(body.length) },
      });
      const headers = new Headers({
        'access-control-allow-origin': '*',
        'access-control-expose-headers': BUCKET_CORS.exposedHeaders.join(', '),
      });
      const etag = put.headers.get('etag');
      if (etag) headers.set('etag', etag);
      return new Response(put.ok ? null : await put.text(), { status: put.status, headers });
    }
    const range = c.req.header('range');
    const upstream = await fetch(`${options.upstream}/${path}`, {
      headers: range ? { range } : {},
    });
    const headers = new Headers({
      // The URL is the credential, as with S3's own presigned URLs; any page may load it.
      'access-control-allow-origin': '*',
      'access-control-expose-headers': BUCKET_CORS.exposedHeaders.join(', '),
    });
    for (const name of FORWARDED_HEADERS) {
      const value = upstream.headers.get(name);
      if (value !== null) headers.set(name, value);
    }
    if (method === 'HEAD') {
      await upstream.body?.cancel();
      return new Response(null, { status: upstream.status, headers });
    }
    return new Response(upstream.body, { status: upstream.status, headers });
  };
}
