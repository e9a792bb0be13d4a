/**
 * Retries for the AWS sinks. Only transient failures are retried (network errors, 5xx, throttling); a 4xx
 * such as AccessDenied is thrown at once, since waiting will not fix it. When retries run out, the error
 * says what was being written and for how long it was tried, so a person reading the run's failure reason
 * knows it was the storage, not the model.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface RetryOptions {
  /** Tries in all, the first included. */
  attempts: number;
  /** Delay before the second try; doubles each time up to maxMs, then jittered to 50-100%. */
  baseMs: number;
  maxMs: number;
  /** What is being done, e.g. "PutObject s3://bucket/runs/x/samples/00000100.png". */
  what: string;
  /** The service, for the message ("S3 unavailable: ..."). */
  service?: string;
  isTransient?: (err: unknown) => boolean;
  onRetry?: (info: { err: unknown; attempt: number; delayMs: number; what: string }) => void;
}

/**
 * Defaults ride out an outage of about 30 s even with the shortest jitter: delays of 1, 2, 4, 8, 15, 15 and
 * 15 s, each scaled by 0.5-1, add up to 30-60 s.
 */
export const DEFAULT_RETRY = { attempts: 8, baseMs: 1000, maxMs: 15_000 } as const;

export type RetryTuning = Pick<RetryOptions, 'attempts' | 'baseMs' | 'maxMs' | 'onRetry'>;

/** Defaults overridden by GANZOO_RETRY_ATTEMPTS / GANZOO_RETRY_BASE_MS / GANZOO_RETRY_MAX_MS. */
export function retryTuningFromEnv(env: NodeJS.ProcessEnv = process.env): RetryTuning {
  const int = (name: string, fallback: number, min: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new Error(`${name}='${raw}': expected an integer >= ${min}`);
    return n;
  };
  return {
    attempts: int('GANZOO_RETRY_ATTEMPTS', DEFAULT_RETRY.attempts, 1),
    baseMs: int('GANZOO_RETRY_BASE_MS', DEFAULT_RETRY.baseMs, 0),
    maxMs: int('GANZOO_RETRY_MAX_MS', DEFAULT_RETRY.maxMs, 0),
  };
}

/** Thrown when every try failed with a transient error; `cause` is the last one. */
export class RetriesExhausted extends Error {
  override readonly name = 'RetriesExhausted';
  constructor(
    message: string,
    readonly attempts: number,
    readonly elapsedMs: number,
    options: { cause: unknown },
  ) {
    super(message, options);
  }
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

const TRANSIENT_NAMES = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ProvisionedThroughputExceededException',
  'InternalError',
  'InternalServerError',
  'ServiceUnavailable',
]);

interface AwsLikeError {
  name?: string;
  code?: string;
  $fault?: string;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number };
  cause?: unknown;
}

/** Network errors, 5xx, 429 and throttling; everything else (4xx, bugs) is permanent. */
export function isTransientAwsError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as AwsLikeError;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined && (status >= 500 || status === 429)) return true;
  if (e.$retryable) return true;
  if (e.name !== undefined && TRANSIENT_NAMES.has(e.name)) return true;
  if (e.code !== undefined && NETWORK_CODES.has(e.code)) return true;
  // Some handlers wrap the socket error; look one level down.
  if (e.cause !== undefined && e.cause !== err) {
    const c = e.cause as AwsLikeError;
    if (c?.code !== undefined && NETWORK_CODES.has(c.code)) return true;
  }
  return false;
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as AwsLikeError).code;
    const label = code && !err.message.includes(code) ? `${err.name} ${code}` : err.name;
    return err.message ? `${label}: ${err.message}` : label;
  }
  return String(err);
}

export async function withRetry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const isTransient = options.isTransient ?? isTransientAwsError;
  const attempts = Math.max(1, Math.floor(options.attempts));
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (!isTransient(err)) throw err;
      if (attempt >= attempts) {
        const elapsedMs = Date.now() - started;
        const seconds = elapsedMs >= 10_000 ? Math.round(elapsedMs / 1000) : (elapsedMs / 1000).toFixed(1);
        const times = attempts === 1 ? 'once' : `${attempts} times over ${seconds} s`;
        throw new RetriesExhausted(
          `${options.service ?? 'storage'} unavailable: ${options.what} failed ${times}: ${describe(err)}`,
          attempts,
          elapsedMs,
          { cause: err },
        );
      }
      const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** (attempt - 1));
      // Jitter so that many writers recovering from the same outage do not retry in lockstep.
      const delayMs = Math.round(ceiling * (0.5 + Math.random() * 0.5));
      options.onRetry?.({ err, attempt, delayMs, what: options.what });
      await sleep(delayMs);
    }
  }
}

/** The default retry notice: one line on stderr, so a stalled trainer says why it is waiting. */
export function warnRetry(info: { err: unknown; attempt: number; delayMs: number; what: string }): void {
  console.warn(
    `${info.what} failed (try ${info.attempt}): ${describe(info.err)}; retrying in ${info.delayMs} ms`,
  );
}
