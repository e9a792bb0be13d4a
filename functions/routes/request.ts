/**
 * What every route reads from a request the same way: a JSON body (declared as JSON, within its size), the
 * Idempotency-Key header, query parameters against their schema, a cursor the store did not hand out, and
 * the store's TooManyRunsInFlight as a 429 (or, for more runs than the limit itself, a 400 naming the field).
 */
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { z } from 'zod';
import { MAX_SPEC_BYTES } from '../../shared/api/schemas.ts';
import { assertRunId } from '../../shared/keys.ts';
import { LIMIT_ENV } from '../../shared/limits.ts';
import type { ApiEnv } from '../auth.ts';
import { ApiProblem, invalidRequest, issuesOf, notFound } from '../errors.ts';

export const message = (err: unknown) => (err instanceof Error ? err.message : String(err));
export const isNamed = (err: unknown, name: string) => (err as { name?: unknown } | undefined)?.name === name;

/**
 * Retry-After of a 429 for runs in flight: runs take minutes to hours, so nothing frees a slot sooner on
 * average; a client polling each minute is not a load.
 */
export const IN_FLIGHT_RETRY_AFTER_SECONDS = 60;

/**
 * The store's TooManyRunsInFlight (shared/storage/run-slots.ts) as a 429 naming the limit and the numbers;
 * a group larger than the limit itself can never pass it, so that is a 400 naming `field`. Anything else
 * as it is.
 */
export function overLimit(err: unknown, field = ''): unknown {
  if (!isNamed(err, 'TooManyRunsInFlight')) return err;
  const { limit, inFlight, asked } = err as { limit: number; inFlight: number; asked: number };
  const env = LIMIT_ENV.maxRunsInFlight;
  if (asked > limit) {
    const why = `a group's members all count against the limit of runs in flight at submit: ${asked} members, and this deployment's limit per owner is ${limit} (${env}); ask for at most ${limit}`;
    return invalidRequest(why, [{ field, message: why }]);
  }
  const what =
    asked > 1
      ? `this group's ${asked} members would bring your runs in flight from ${inFlight} to ${inFlight + asked}, over this deployment's limit of ${limit} per owner (${env}); the group is refused whole: wait for runs to end, or cancel some`
      : `you have ${inFlight} runs in flight (queued, submitted, starting or running), and this deployment's limit of runs in flight per owner is ${limit} (${env}); wait for one to end, or cancel one`;
  return new ApiProblem('too-many-runs', what, {
    headers: { 'retry-after': String(IN_FLIGHT_RETRY_AFTER_SECONDS) },
    members: { limit: env, maxRunsInFlight: limit, inFlight, asked },
  });
}

export function parseQuery<S extends z.ZodType>(schema: S, c: Context): z.output<S> {
  const result = schema.safeParse(c.req.query());
  if (!result.success) {
    const issues = issuesOf(result.error);
    throw invalidRequest(`invalid query parameters: ${issues.map((i) => i.field).join(', ')}`, issues);
  }
  return result.data;
}

/** Store errors that mean "the client sent a cursor we did not hand out" become a 400 naming the field. */
export async function withCursor<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isNamed(err, 'BadCursor')) {
      throw invalidRequest(message(err), [{ field: 'cursor', message: message(err) }]);
    }
    throw err;
  }
}

/** The Idempotency-Key header: 1-255 visible ASCII characters, optionally a quoted structured string. */
export function idempotencyKey(c: Context): string | undefined {
  const raw = c.req.header('idempotency-key');
  if (raw === undefined) return undefined;
  const key = /^"(.*)"$/.exec(raw.trim())?.[1] ?? raw.trim();
  if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
    const why = 'must be 1 to 255 visible ASCII characters';
    throw invalidRequest(`Idempotency-Key ${why}`, [{ field: 'Idempotency-Key', message: why }]);
  }
  return key;
}

/** 415 unless the body is declared JSON: a form post or text/plain must not be guessed at. */
export async function requireJson(c: Context, next: () => Promise<void>) {
  const type = c.req.header('content-type')?.split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new ApiProblem(
      'unsupported-media-type',
      `send the body as application/json${type ? `, not ${type}` : ' (no Content-Type was given)'}`,
      { headers: { 'accept-post': 'application/json' } },
    );
  }
  await next();
}

/** Bodies of at most MAX_SPEC_BYTES: a spec, a group request or labels. */
export const bodySizeLimit = bodyLimit({
  maxSize: MAX_SPEC_BYTES,
  onError: () => {
    throw new ApiProblem('payload-too-large', `the body may be at most ${MAX_SPEC_BYTES} bytes`);
  },
});

/** The body parsed as JSON; 400 when it is empty or not JSON. `what` names it in the message. */
export async function readJson(c: Context, what: string): Promise<unknown> {
  const text = await c.req.text();
  if (!text.trim()) throw invalidRequest(`the body is empty; send ${what} as JSON`);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw invalidRequest(`the body is not valid JSON: ${message(err)}`);
  }
}

/**
 * The record the path's id names, if the caller owns it; 404 for a malformed id, a missing record and another
 * owner's alike, so ids cannot be probed. Runs and groups share the id format.
 */
export async function ownedById<T extends { owner: string }>(
  c: Context<ApiEnv>,
  read: (id: string) => Promise<T | undefined>,
  what: string,
): Promise<T> {
  const id = c.req.param('id') ?? '';
  let wellFormed = true;
  try {
    assertRunId(id);
  } catch {
    wellFormed = false;
  }
  const record = wellFormed ? await read(id) : undefined;
  if (!record || record.owner !== c.get('subject')) throw notFound(`no ${what} '${id}'`);
  return record;
}
