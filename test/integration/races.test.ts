/**
 * Two API replicas (two apps, each with its own SDK clients, as two Lambda containers) over one runs table
 * in moto and one Batch: racing on one idempotency key, exactly one run and one Batch job come out and both
 * callers see that run; racing on one run's status, one wins and the other sees the same outcome or a
 * clean 409, never a 5xx; two submits at the owner's limit of runs in flight, one gets in and one 429.
 */
import { ListJobsCommand } from '@aws-sdk/client-batch';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type BatchJobDetail, createBatchStateHandler } from '../../functions/events/batch-state.ts';
import { DynamoRunStore } from '../../functions/stores/run-store.ts';
import type { RunRecord } from '../../shared/run.ts';
import { TINY_SPEC } from '../api-harness.ts';
import { type Deployment, deploy, GPU, requestAs, storedRun, submitRun } from './aws.ts';

const ROUNDS = 5;

let d: Deployment;
beforeAll(async () => {
  d = await deploy();
});
afterAll(() => d?.destroy());

/** What the two replicas answered in each round, printed so a run shows how often they collided. */
let outcomes: string[] = [];
afterEach((ctx) => {
  console.log(`${ctx.task.name}: ${outcomes.join(', ')}`);
  outcomes = [];
});

function replicas() {
  return [requestAs(d.app()), requestAs(d.app())] as const;
}

async function jobNames(): Promise<string[]> {
  const names: string[] = [];
  for (const status of [
    'SUBMITTED',
    'PENDING',
    'RUNNABLE',
    'STARTING',
    'RUNNING',
    'SUCCEEDED',
    'FAILED',
  ] as const) {
    for (const queue of [d.queues[GPU]!.spot, d.queues[GPU]!.onDemand]) {
      const out = await d.batch.send(new ListJobsCommand({ jobQueue: queue, jobStatus: status }));
      for (const j of out.jobSummaryList ?? []) if (j.jobName) names.push(j.jobName);
    }
  }
  return names;
}

describe('two API replicas racing', () => {
  it('on one idempotency key: one run, one Batch job, and both callers get that run', async () => {
    const [a, b] = replicas();
    const post = (api: typeof a, key: string) =>
      api('/experiments', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify(TINY_SPEC),
      });
    const jobsBefore = await jobNames();
    for (let round = 0; round < ROUNDS; round++) {
      const key = `race-${round}-${Date.now()}`;
      const [ra, rb] = await Promise.all([post(a, key), post(b, key)]);
      const statuses = [ra.status, rb.status].sort();
      outcomes.push(statuses.join('+'));
      // The winner made it (201); the other found the claim and returns the same run (200), or, if it
      // gave up waiting for the winner's write, a clean 409.
      expect([
        [200, 201],
        [201, 409],
      ]).toContainEqual(statuses);
      const bodies = [ra, rb].map((r) => r.json() as Promise<Partial<RunRecord> & { runId?: string }>);
      const ids = new Set((await Promise.all(bodies)).map((r) => r.id ?? r.runId));
      expect([...ids]).toHaveLength(1);
      expect([...ids][0]).toBeTruthy();
    }
    const runs = (await d.items())
      .map((i) => unmarshall(i as never))
      .filter((i) => !String(i.id).startsWith('idem#'));
    expect(runs).toHaveLength(ROUNDS);
    const newJobs = (await jobNames()).filter((n) => !jobsBefore.includes(n));
    expect(newJobs.sort()).toEqual(runs.map((r) => `ganzoo-${r.id}`).sort());
  });

  it('on one run: cancels from both replicas and a Batch event end it once, without a 5xx', async () => {
    const [a, b] = replicas();
    const handle = createBatchStateHandler({
      runStore: new DynamoRunStore({ table: d.table }),
      log: () => {},
    });
    for (let round = 0; round < ROUNDS; round++) {
      const { run, job } = await submitRun(d, TINY_SPEC);
      const cancel = (api: typeof a) => api(`/experiments/${run.id}/cancel`, { method: 'POST' });
      // Odd rounds race a Batch RUNNING event as well: it must not resurrect a cancelled run.
      const [ra, rb] = await Promise.all([
        cancel(a),
        cancel(b),
        round % 2 ? handle({ detail: { ...(job as BatchJobDetail), status: 'RUNNING' } }) : undefined,
      ]);
      const statuses = [ra.status, rb.status];
      outcomes.push([...statuses].sort().join('+'));
      expect(
        statuses.every((s) => s === 200 || s === 409),
        String(statuses),
      ).toBe(true);
      expect(statuses).toContain(200);
      for (const res of [ra, rb].filter((r) => r.status === 409)) {
        const problem = (await res.json()) as { detail: string; status: string };
        expect(problem.detail).toMatch(/already ended as CANCELLED/);
      }
      const record = await storedRun(d, run.id);
      expect(record.status).toBe('CANCELLED');
      expect(record.reason).toBe('cancelled on request');
    }
  });
});

describe('two API replicas at the limit of runs in flight', () => {
  it('at the limit of runs in flight: exactly one of two submits gets in, the other 429', async () => {
    const limited = () => requestAs(d.app({ maxRunsInFlight: 1 }));
    const [a, b] = [limited(), limited()];
    const post = (api: typeof a) =>
      api('/experiments', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(TINY_SPEC),
      });
    // moto's UpdateItem reads, checks and writes without a lock (moto/dynamodb/models update_item), widest
    // when the update creates the item: once, in the first round on a new table, both submits got in. So the
    // owner's slots item is made first, by one run submitted and cancelled. DynamoDB applies each
    // conditional write to an item atomically, created or not.
    const first = (await (await post(a)).json()) as RunRecord;
    await a(`/experiments/${first.id}/cancel`, { method: 'POST' });
    for (let round = 0; round < ROUNDS; round++) {
      const answers = await Promise.all([post(a), post(b)]);
      outcomes.push(answers.map((r) => r.status).join('+'));
      expect(answers.map((r) => r.status).sort()).toEqual([201, 429]);
      const refused = answers.find((r) => r.status === 429)!;
      expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(await refused.json()).toMatchObject({ maxRunsInFlight: 1, inFlight: 1 });
      // Cancelling the one that got in frees its slot for the next round.
      const { id } = (await answers.find((r) => r.status === 201)!.json()) as RunRecord;
      expect((await a(`/experiments/${id}/cancel`, { method: 'POST' })).status).toBe(200);
    }
  });
});
