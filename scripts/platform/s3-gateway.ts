/**
 * Presigned GETs on the platform's own port: the API hands out URLs under {origin}/s3/{bucket}/{key}, and
 * this route checks them and fetches the object from the S3 emulator. One origin for the API, the dashboard
 * and the artifacts means no CORS set-up for the dashboard's tfjs model loads, and one port to print.
 *
 * fauxqs checks neither signatures nor expiry, so the check is made here, as S3 would: the signature is
 * recomputed with the signing client for the same key, date and lifetime and compared in constant time, and
 * an expired URL is refused. Without it, anything on this machine could read every artifact without the
 * token. Only GET is let through, and HEAD on a GET URL (S3 would want a HEAD signature; the headers of
 * an object tell nothing its GET would not).
 */
import { timingSafeEqual } from 'node:crypto';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Context } from 'hono';

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

/** A Hono handler for GET/HEAD {prefix}/{bucket}/{key...}. */
export function s3Gateway(options: S3GatewayOptions) {
  const now = options.now ?? (() => new Date());
  return async (c: Context): Promise<Response> => {
    const method = c.req.method;
    if (method !== 'GET' && method !== 'HEAD') {
      return s3Error(405, 'MethodNotAllowed', 'only presigned GET requests are served here');
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
    const expected = new URL(
      await getSignedUrl(options.signer, new GetObjectCommand({ Bucket: bucket, Key: key }), {
        expiresIn: expires,
        signingDate: signedAt,
      }),
    ).searchParams.get('X-Amz-Signature');
    const given = Buffer.from(signature);
    const wanted = Buffer.from(expected ?? '');
    if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
      return s3Error(403, 'SignatureDoesNotMatch', 'the signature does not match');
    }
    const range = c.req.header('range');
    const upstream = await fetch(`${options.upstream}/${path}`, {
      headers: range ? { range } : {},
    });
    const headers = new Headers({
      // The URL is the credential, as with S3's own presigned URLs; any page may load it.
      'access-control-allow-origin': '*',
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
