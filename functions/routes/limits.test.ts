/**
 * A deployment's limits through the API, over dynalite. Runs in flight per owner: a submit or resume past
 * the limit gets 429 with Retry-After and a problem naming the limit; every way the API ends a run (cancel,
 * a submit the runner refused) frees its slot (the trainer's, the local runner's and the Batch event
 * handler's ends are tested beside their code). Caps on a spec's timeout and retries: 400 naming the field
 * and the cap.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RunSlots } from '../../shared/storage/run-slots.ts';
import { type ApiHarness, QUICK, startApiHarness, TABLE, TINY_SPEC } from '../../test/api-harness.ts';
import { openApiDocument } from '../openapi.ts';
import { IN_FLIGHT_RETRY_AFTER_SECONDS } from './request.ts';

const LIMIT = 2;
let h: ApiHarness;
let slots: RunSlots;

beforeAll(async () => {
  h = await startApiHarness({ maxRunsInFlight: LIMIT, caps: { maxTimeoutMinutes: 180, maxRetries: 3 } });
  slots = new RunSlots(h.emulators.dynamoClient(), TABLE, QUICK);
});
afterAll(async () => {
  await h?.stop();
});
beforeEach(async () => {
  // Each test starts with caller one's runs all ended.
  const { runs } = await h.runStore.list({ owner: 'caller-one', limit: 100 });
  for (const run of runs) await h.request(`/experiments/${run.id}/cancel`, { method: 'POST' });
  h.runner.reset();
});

const held = () => slots.held('caller-one');
async function submitted(): Promise<string> {
  const res = await h.submit(TINY_SPEC);
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

describe('runs in flight per owner', () => {
  it('answers exactly one of two concurrent submits at the limit with 429, Retry-After and the limit', async () => {
    await submitted();
    const answers = await Promise.all([h.submit(TINY_SPEC), h.submit(TINY_SPEC)]);
    expect(answers.map((r) => r.status).sort()).toEqual([201, 429]);
    const refused = answers.find((r) => r.status === 429)!;
    expect(refused.headers.get('retry-after')).toBe(String(IN_FLIGHT_RETRY_AFTER_SECONDS));
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    const problem = (await refused.json()) as Record<string, unknown>;
    expect(problem).toMatchObject({
      type: 'urn:ganzoo:problem:too-many-runs',
      status: 429,
      limit: 'GANZOO_MAX_RUNS_IN_FLIGHT',
      maxRunsInFlight: LIMIT,
      inFlight: LIMIT,
    });
    expect(problem.detail).toMatch(/limit of runs in flight per owner is 2 \(GANZOO_MAX_RUNS_IN_FLIGHT\)/);
    // Nothing of the refused submit was stored or submitted; another owner is not limited by this one.
    expect((await h.runStore.list({ owner: 'caller-one', limit: 100 })).runs).toHaveLength(LIMIT);
    expect(h.runner.submits).toHaveLength(LIMIT);
    expect((await h.submit(TINY_SPEC, { as: 'two' })).status).toBe(201);
  });

  it('frees the slot of a cancelled run', async () => {
    const [a] = [await submitted(), await submitted()];
    expect((await h.submit(TINY_SPEC)).status).toBe(429);
    expect((await h.request(`/experiments/${a}/cancel`, { method: 'POST' })).status).toBe(200);
    expect(await held()).toHaveLength(1);
    await submitted();
  });

  it('frees the slot of a run whose submit the runner refused', async () => {
    h.runner.submitError = new Error('no queue');
    expect((await h.submit(TINY_SPEC)).status).toBe(502);
    expect((await h.submit(TINY_SPEC)).status).toBe(502);
    expect(await held()).toEqual([]);
    h.runner.submitError = undefined;
    await submitted();
    await submitted();
  });

  it('makes a resume take a slot again, and refuses it at the limit leaving the run as it was', async () => {
    const a = await submitted();
    await h.request(`/experiments/${a}/cancel`, { method: 'POST' });
    const [b] = [await submitted(), await submitted()];
    const refused = await h.request(`/experiments/${a}/resume`, { method: 'POST' });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe(String(IN_FLIGHT_RETRY_AFTER_SECONDS));
    expect((await h.runStore.get(a))?.status).toBe('CANCELLED');
    await h.request(`/experiments/${b}/cancel`, { method: 'POST' });
    expect((await h.request(`/experiments/${a}/resume`, { method: 'POST' })).status).toBe(200);
    expect(await held()).toContain(`${a}#2`);
    expect(await held()).toHaveLength(LIMIT);
    expect((await h.submit(TINY_SPEC)).status).toBe(429);
  });

  it('is declared in the OpenAPI document, with Retry-After', () => {
    const paths = openApiDocument().paths as Record<
      string,
      Record<string, { responses: Record<string, unknown> }>
    >;
    for (const [path, method] of [
      ['/experiments', 'post'],
      ['/experiments/{id}/resume', 'post'],
    ] as const) {
      expect(paths[path]![method]!.responses['429']).toMatchObject({
        description: 'Too many runs in flight',
        headers: { 'Retry-After': { schema: { type: 'integer' } } },
      });
    }
  });
});

describe('caps on resources', () => {
  it('refuses a spec over a cap with 400 naming the field and the cap, and stores nothing', async () => {
    const before = (await h.runStore.list({ owner: 'caller-two', limit: 100 })).runs.length;
    const res = await h.submit(
      { ...TINY_SPEC, resources: { timeoutMinutes: 181, retries: 4 } },
      { as: 'two' },
    );
    expect(res.status).toBe(400);
    const problem = (await res.json()) as { detail: string; errors: { field: string; message: string }[] };
    expect(problem.detail).toBe(
      "the spec is over this deployment's caps: resources.timeoutMinutes, resources.retries",
    );
    expect(problem.errors).toEqual([
      {
        field: 'resources.timeoutMinutes',
        message: "181 is over this deployment's cap of 180 minutes (GANZOO_MAX_TIMEOUT_MINUTES)",
      },
      {
        field: 'resources.retries',
        message: "4 is over this deployment's cap of 3 attempts (GANZOO_MAX_RETRIES)",
      },
    ]);
    expect((await h.runStore.list({ owner: 'caller-two', limit: 100 })).runs).toHaveLength(before);
  });

  it('takes a spec at the caps', async () => {
    const res = await h.submit(
      { ...TINY_SPEC, resources: { timeoutMinutes: 180, retries: 3 } },
      { as: 'two' },
    );
    expect(res.status).toBe(201);
  });
});
