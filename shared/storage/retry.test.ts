import { describe, expect, it } from 'vitest';
import { isTransientAwsError, RetriesExhausted, retryTuningFromEnv, withRetry } from './retry.ts';

const fast = { attempts: 4, baseMs: 1, maxMs: 2, what: 'PutObject s3://b/runs/r/x', service: 'S3' };

function awsError(name: string, status?: number, extra: object = {}): Error {
  return Object.assign(new Error(`${name} happened`), {
    name,
    ...(status !== undefined ? { $metadata: { httpStatusCode: status } } : {}),
    ...extra,
  });
}

describe('isTransientAwsError', () => {
  it('retries network errors, 5xx and throttling', () => {
    expect(isTransientAwsError(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isTransientAwsError(awsError('InternalError', 500))).toBe(true);
    expect(isTransientAwsError(awsError('ServiceUnavailable', 503))).toBe(true);
    expect(isTransientAwsError(awsError('SlowDown', 503))).toBe(true);
    expect(isTransientAwsError(awsError('ThrottlingException', 400))).toBe(true);
    expect(isTransientAwsError(awsError('ProvisionedThroughputExceededException', 400))).toBe(true);
    expect(isTransientAwsError(awsError('TooManyRequests', 429))).toBe(true);
    expect(
      isTransientAwsError(new Error('x', { cause: Object.assign(new Error('y'), { code: 'ECONNRESET' }) })),
    ).toBe(true);
  });

  it('does not retry 4xx or bugs', () => {
    expect(isTransientAwsError(awsError('AccessDenied', 403))).toBe(false);
    expect(isTransientAwsError(awsError('NoSuchBucket', 404))).toBe(false);
    expect(isTransientAwsError(awsError('ConditionalCheckFailedException', 400))).toBe(false);
    expect(isTransientAwsError(new TypeError('undefined is not a function'))).toBe(false);
    expect(isTransientAwsError('a string')).toBe(false);
  });
});

describe('withRetry', () => {
  it('retries transient failures until one succeeds', async () => {
    const seen: number[] = [];
    const result = await withRetry(
      async (attempt) => {
        if (attempt < 3) throw awsError('InternalError', 500);
        return 'ok';
      },
      { ...fast, onRetry: ({ attempt }) => seen.push(attempt) },
    );
    expect(result).toBe('ok');
    expect(seen).toEqual([1, 2]);
  });

  it('throws a permanent error at once, unchanged', async () => {
    let calls = 0;
    const denied = awsError('AccessDenied', 403);
    await expect(
      withRetry(async () => {
        calls++;
        throw denied;
      }, fast),
    ).rejects.toBe(denied);
    expect(calls).toBe(1);
  });

  it('gives up with a message that says what, how often and for how long', async () => {
    const last = awsError('ServiceUnavailable', 503);
    const err = await withRetry(async () => {
      throw last;
    }, fast).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetriesExhausted);
    expect((err as RetriesExhausted).message).toMatch(
      /^S3 unavailable: PutObject s3:\/\/b\/runs\/r\/x failed 4 times over \d+\.\d s: ServiceUnavailable: ServiceUnavailable happened$/,
    );
    expect((err as RetriesExhausted).cause).toBe(last);
    expect((err as RetriesExhausted).attempts).toBe(4);
  });

  it('backs off exponentially with jitter, capped at maxMs', async () => {
    const delays: number[] = [];
    await withRetry(
      async () => {
        throw awsError('InternalError', 500);
      },
      { ...fast, attempts: 6, baseMs: 4, maxMs: 20, onRetry: ({ delayMs }) => delays.push(delayMs) },
    ).catch(() => undefined);
    const ceilings = [4, 8, 16, 20, 20];
    expect(delays).toHaveLength(5);
    delays.forEach((d, i) => {
      expect(d).toBeGreaterThanOrEqual(ceilings[i]! / 2);
      expect(d).toBeLessThanOrEqual(ceilings[i]!);
    });
  });
});

describe('retryTuningFromEnv', () => {
  it('defaults to riding out a ~30 s outage', () => {
    const t = retryTuningFromEnv({});
    let shortest = 0;
    for (let i = 0; i < t.attempts - 1; i++) shortest += Math.min(t.maxMs, t.baseMs * 2 ** i) / 2;
    expect(shortest).toBeGreaterThanOrEqual(30_000);
  });

  it('reads the environment and rejects nonsense', () => {
    expect(retryTuningFromEnv({ GANZOO_RETRY_ATTEMPTS: '2', GANZOO_RETRY_BASE_MS: '5' })).toMatchObject({
      attempts: 2,
      baseMs: 5,
    });
    expect(() => retryTuningFromEnv({ GANZOO_RETRY_ATTEMPTS: 'lots' })).toThrow(
      /GANZOO_RETRY_ATTEMPTS='lots'/,
    );
    expect(() => retryTuningFromEnv({ GANZOO_RETRY_ATTEMPTS: '0' })).toThrow(/>= 1/);
  });
});
