/**
 * An experiment group in the cloud: one Batch array job against moto's Batch, the member runs in moto's
 * DynamoDB, their specs in S3, and the children's state-change events mapped to the member runs by the
 * Batch event handler. moto accepts `arrayProperties` and describes the parent; whether it describes the
 * children (`{parent}:{index}`) is printed, and the children's events are built from the parent's
 * description with the child's job id and index, as AWS sends them ("Job state change events", AWS Batch
 * User Guide: a child's detail carries arrayProperties.index).
 */
import { DescribeJobsCommand, type JobDetail } from '@aws-sdk/client-batch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BatchJobDetail,
  type BatchJobStateChangeEvent,
  createBatchStateHandler,
} from '../../functions/events/batch-state.ts';
import { DynamoRunStore } from '../../functions/stores/run-store.ts';
import type { Group } from '../../shared/api/schemas.ts';
import { runFiles } from '../../shared/keys.ts';
import { TINY_SPEC } from '../api-harness.ts';
import { type Deployment, deploy, requestAs, runArtifacts, storedRun } from './aws.ts';
import { jobEnvironment, startTrainerJob, until } from './trainer-job.ts';

let d: Deployment;
beforeAll(async () => {
  d = await deploy();
});
afterAll(() => d?.destroy());

function childEvent(parent: JobDetail, index: number, status: string): BatchJobStateChangeEvent {
  const { arrayProperties: _a, ...rest } = parent;
  return {
    source: 'aws.batch',
    'detail-type': 'Batch Job State Change',
    detail: {
      ...(rest as unknown as BatchJobDetail),
      jobId: `${parent.jobId}:${index}`,
      status,
      arrayProperties: { index },
    },
  };
}

describe('a group on Batch', () => {
  it('is one array job of its members; child events move the member runs; cancel stops the array job', async () => {
    const request = requestAs(d.app({ maxRunsInFlight: 10 }));
    const res = await request('/experiment-groups', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ spec: TINY_SPEC, seeds: [1, 2, 3] }),
    });
    const group = (await res.json()) as Group & { jobId: string };
    expect(res.status, JSON.stringify(group)).toBe(201);
    expect(group.jobId).toBeDefined();

    const parent = await d.job(group.jobId);
    console.log(
      `moto describes the array job: arrayProperties ${JSON.stringify(parent.arrayProperties)}, status ${parent.status}`,
    );
    expect(parent.arrayProperties?.size).toBe(3);
    expect(parent.jobName).toBe(`ganzoo-${group.id}`);
    const env = jobEnvironment(parent);
    expect(env.GANZOO_GROUP_ID).toBe(group.id);
    expect(env).not.toHaveProperty('GANZOO_RUN_ID');
    const children = await d.batch.send(new DescribeJobsCommand({ jobs: [`${group.jobId}:0`] }));
    console.log(`moto describes child ${group.jobId}:0: ${children.jobs?.length ? 'yes' : 'no'}`);

    for (const [index, m] of group.members.entries()) {
      const run = await storedRun(d, m.runId);
      expect(run).toMatchObject({
        status: 'SUBMITTED',
        jobId: `${group.jobId}:${index}`,
        group: { id: group.id, index },
      });
      expect(
        JSON.parse(new TextDecoder().decode(await runArtifacts(d, m.runId).get(runFiles.spec))).seed,
      ).toBe(index + 1);
    }

    const handler = createBatchStateHandler({
      runStore: new DynamoRunStore({ table: d.table }),
      log: () => {},
    });
    expect(
      await handler({ detail: { ...(parent as unknown as BatchJobDetail), status: 'RUNNING' } }),
    ).toMatchObject({
      outcome: 'ignored',
    });
    expect(await handler(childEvent(parent, 1, 'RUNNING'))).toMatchObject({
      outcome: 'applied',
      runId: group.members[1]!.runId,
      status: 'RUNNING',
    });
    expect((await storedRun(d, group.members[0]!.runId)).status).toBe('SUBMITTED');

    const cancelled = await request(`/experiment-groups/${group.id}/cancel`, { method: 'POST' });
    const after = (await cancelled.json()) as Group;
    expect(cancelled.status).toBe(200);
    expect(after.members.map((m) => m.status)).toEqual(['CANCELLED', 'CANCELLED', 'CANCELLED']);
    const stopped = await d.job(group.jobId);
    console.log(
      `after the group's cancel moto says the array job is ${stopped.status} (${stopped.statusReason})`,
    );
    // A late child event for a cancelled member changes nothing.
    expect(await handler(childEvent(parent, 2, 'SUCCEEDED'))).toMatchObject({ outcome: 'refused' });
  });

  it('an array child trains the member its AWS_BATCH_JOB_ARRAY_INDEX picks, and only that one', async () => {
    const request = requestAs(d.app({ maxRunsInFlight: 10 }));
    const res = await request('/experiment-groups', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ spec: { ...TINY_SPEC, steps: 6, checkpointEvery: 3 }, seeds: [4, 5] }),
    });
    const group = (await res.json()) as Group & { jobId: string };
    expect(res.status, JSON.stringify(group)).toBe(201);
    const parent = await d.job(group.jobId);
    const [first, second] = group.members;

    // What Batch sets in child 1's container beside the parent's environment: its index and child job id.
    const child = startTrainerJob(
      { ...parent, jobId: `${group.jobId}:1` },
      { env: { AWS_BATCH_JOB_ARRAY_INDEX: '1' } },
    );
    const { code, stderr } = await child.exited;
    expect(code, stderr).toBe(0);
    await until(
      async () => (await storedRun(d, second!.runId)).status === 'SUCCEEDED',
      'member 1 to succeed',
    );
    const trained = await storedRun(d, second!.runId);
    expect(trained.progress?.step).toBe(6);
    const spec = JSON.parse(
      new TextDecoder().decode(await runArtifacts(d, second!.runId).get(runFiles.spec)),
    );
    expect(spec.seed).toBe(5);
    expect(await runArtifacts(d, second!.runId).get(runFiles.generatorModel)).toBeDefined();
    // Member 0 is its own child's to train: untouched, no artifacts beyond its spec.
    expect((await storedRun(d, first!.runId)).status).toBe('SUBMITTED');
    expect(await runArtifacts(d, first!.runId).get(runFiles.generatorModel)).toBeUndefined();
  });
});
