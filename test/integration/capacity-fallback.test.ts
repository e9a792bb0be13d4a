/**
 * A Spot-first job that finds no capacity is cancelled by its queue's jobStateTimeLimitActions, and the
 * Batch event handler moves the run to the on-demand queue as its next attempt, which resumes from the
 * run's checkpoint. Against moto (Batch, DynamoDB) and LocalStack (S3), every part the production code.
 *
 * The events have the shape of AWS's "Job state change events" example (AWS Batch User Guide,
 * https://docs.aws.amazon.com/batch/latest/userguide/batch_job_events.html): the EventBridge envelope, and a
 * detail that is the job as DescribeJobs returns it, here moto's description of the real job. The status
 * reason of a job cancelled for want of capacity is the one AWS documents under "Jobs stuck in RUNNABLE due
 * to capacity" (https://docs.aws.amazon.com/batch/latest/userguide/job_stuck_in_runnable_capacity.html).
 */
import { randomUUID } from 'node:crypto';
import { type JobDetail, ListJobsCommand } from '@aws-sdk/client-batch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BatchJobDetail,
  type BatchJobStateChangeEvent,
  createBatchStateHandler,
} from '../../functions/events/batch-state.ts';
import { BatchRunner } from '../../functions/runners/batch-runner.ts';
import { DynamoRunStore } from '../../functions/stores/run-store.ts';
import { FIRST_ATTEMPT_ENV } from '../../shared/batch-job.ts';
import { latestCheckpoint } from '../../trainer/checkpoint.ts';
import { TINY_SPEC } from '../api-harness.ts';
import { type Deployment, deploy, GPU, runArtifacts, storedRun, submitRun } from './aws.ts';
import { jobEnvironment, startTrainerJob, until } from './trainer-job.ts';

const CANCELLED_FOR_CAPACITY =
  'Canceled by JobStateTimeLimit action due to reason: CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY';
const SPEC = { ...TINY_SPEC, steps: 4000, sampleEvery: 1000, checkpointEvery: 100_000 };

let d: Deployment;
beforeAll(async () => {
  d = await deploy();
});
afterAll(() => d?.destroy());

/** A "Batch Job State Change" event as EventBridge delivers it, for the job as Batch describes it. */
function stateChange(job: JobDetail, detail: Partial<BatchJobDetail>): BatchJobStateChangeEvent {
  const region = process.env.AWS_REGION ?? 'us-east-1';
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Batch Job State Change',
    source: 'aws.batch',
    account: '123456789012',
    time: new Date().toISOString(),
    region,
    resources: [job.jobArn!],
    detail: { ...(job as BatchJobDetail), ...detail },
  } as BatchJobStateChangeEvent;
}

function handler(lines: string[] = [], withdrawn: string[] = []) {
  const { queues, jobDefinition, bucket, table } = d;
  const runner = new BatchRunner({ queues, jobDefinition, bucket, table });
  return createBatchStateHandler({
    runStore: new DynamoRunStore({ table }),
    // The real runner; its cancels are also noted, since moto has already run every job to SUCCEEDED and
    // a terminated job looks no different there.
    fallback: {
      submit: (run, options) => runner.submit(run, options),
      queuesFor: (gpu) => runner.queuesFor(gpu),
      cancel: async (run, reason) => {
        await runner.cancel(run, reason);
        if (run.jobId) withdrawn.push(run.jobId);
      },
    },
    log: (line) => lines.push(line),
  });
}

async function jobsOn(queue: string, runId: string): Promise<string[]> {
  const ids: string[] = [];
  for (const jobStatus of [
    'SUBMITTED',
    'PENDING',
    'RUNNABLE',
    'STARTING',
    'RUNNING',
    'SUCCEEDED',
    'FAILED',
  ]) {
    const out = await d.batch.send(new ListJobsCommand({ jobQueue: queue, jobStatus: jobStatus as never }));
    for (const j of out.jobSummaryList ?? []) if (j.jobName === `ganzoo-${runId}`) ids.push(j.jobId!);
  }
  return ids;
}

describe('a Spot-first job cancelled for want of capacity', () => {
  it('moves its run to on-demand as the next attempt, which resumes from the checkpoint', async () => {
    const { run, job } = await submitRun(d, { ...SPEC, resources: { spot: true, retries: 3 } });
    const queues = d.queues[GPU]!;
    expect(job.jobQueue).toBe(queues.spot);
    const sink = runArtifacts(d, run.id);

    // Attempt 1 trains until a sample, then Spot's interruption notice (SIGTERM): checkpoint, exit 143.
    const first = startTrainerJob(job, { attempt: 1 });
    await until(async () => (await storedRun(d, run.id)).progress?.step !== undefined, 'attempt 1 to train');
    first.child.kill('SIGTERM');
    const stopped = await first.exited;
    expect(stopped.code, stopped.stderr).toBe(143);
    const checkpoint = await latestCheckpoint(sink);
    expect(checkpoint).toBeGreaterThan(0);

    // Batch retried (exit 143), and the retry waited in RUNNABLE until the queue cancelled it.
    const lines: string[] = [];
    const handle = handler(lines);
    const attempt1 = { container: { exitCode: 143 }, statusReason: 'Essential container in task exited' };
    const cancelled = stateChange(job, {
      status: 'FAILED',
      statusReason: CANCELLED_FOR_CAPACITY,
      attempts: [attempt1],
      jobQueue: queues.spot,
    });
    const outcome = await handle(cancelled);
    expect(outcome).toMatchObject({ outcome: 'moved to on-demand', runId: run.id, attempt: 2 });
    const movedTo = (outcome as { jobId: string }).jobId;

    // The run's next attempt is a job on the on-demand queue; the history says why.
    const moved = await storedRun(d, run.id);
    expect(moved).toMatchObject({ status: 'SUBMITTED', attempt: 2, jobId: movedTo });
    expect(moved.history?.at(-1)).toMatchObject({
      status: 'SUBMITTED',
      attempt: 2,
      note: `no Spot capacity for ${GPU} (CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY): moved to on-demand`,
    });
    const onDemandJob = await d.job(movedTo);
    expect(onDemandJob.jobQueue).toBe(queues.onDemand);
    expect(jobEnvironment(onDemandJob)).toMatchObject({ GANZOO_RUN_ID: run.id, [FIRST_ATTEMPT_ENV]: '2' });

    // The same event again (EventBridge delivers at least once): the old job no longer steers the run.
    expect((await handle(cancelled)).outcome).toBe('ignored');
    expect(await jobsOn(queues.onDemand, run.id)).toEqual([movedTo]);

    // The new job's events count from the run's attempt 2, not from Batch's 1.
    const next = (status: string) =>
      handle(stateChange(onDemandJob, { status, attempts: [], jobQueue: queues.onDemand }));
    expect(await next('RUNNABLE')).toMatchObject({ outcome: 'unchanged', attempt: 2 });
    expect(await next('STARTING')).toMatchObject({ outcome: 'applied', status: 'STARTING', attempt: 2 });

    // Its trainer (Batch's attempt 1 of the new job) is the run's attempt 2 and resumes from the checkpoint.
    const second = startTrainerJob(onDemandJob, { attempt: 1 });
    await until(async () => (await storedRun(d, run.id)).status === 'RUNNING', 'attempt 2 to run');
    expect((await storedRun(d, run.id)).attempt).toBe(2);
    second.child.kill('SIGTERM');
    const resumed = await second.exited;
    expect(resumed.stderr).toMatch(new RegExp(`resuming from checkpoint at step ${checkpoint}`));
    expect(resumed.code, resumed.stderr).toBe(143);
  });

  it('withdraws the job of a second delivery that lost the race, so one job trains', async () => {
    const { run, job } = await submitRun(d, { ...SPEC, resources: { spot: true } });
    const queues = d.queues[GPU]!;
    const cancelled = stateChange(job, {
      status: 'FAILED',
      statusReason: CANCELLED_FOR_CAPACITY,
      attempts: [],
    });
    // Two Lambda instances get the same event at once.
    const withdrawn: string[] = [];
    const outcomes = await Promise.all([
      handler([], withdrawn)(cancelled),
      handler([], withdrawn)(cancelled),
    ]);
    const won = outcomes.filter((o) => o.outcome === 'moved to on-demand');
    expect(won).toHaveLength(1);
    // The other read the run after the move (ignored), or before it and lost the conditional write (refused).
    const lost = outcomes.find((o) => o !== won[0])!;
    expect(['ignored', 'refused']).toContain(lost.outcome);
    console.log(`two deliveries at once: ${outcomes.map((o) => o.outcome).join(' + ')}`);
    const kept = (won[0] as { jobId: string }).jobId;
    expect(await storedRun(d, run.id)).toMatchObject({ status: 'SUBMITTED', attempt: 2, jobId: kept });
    // Every job made for the run on the on-demand queue but the kept one was terminated.
    const made = await jobsOn(queues.onDemand, run.id);
    expect(made).toContain(kept);
    expect(made.filter((id) => id !== kept).sort()).toEqual([...withdrawn].sort());
    expect(made).toHaveLength(lost.outcome === 'refused' ? 2 : 1);
  });

  it('fails a run that asked for on-demand, saying what to change, and leaves a cancelled run alone', async () => {
    const queues = d.queues[GPU]!;
    const onDemand = await submitRun(d, { ...SPEC, resources: { spot: false } });
    expect(onDemand.job.jobQueue).toBe(queues.onDemand);
    const handle = handler();
    const failed = await handle(
      stateChange(onDemand.job, { status: 'FAILED', statusReason: CANCELLED_FOR_CAPACITY, attempts: [] }),
    );
    expect(failed).toMatchObject({ outcome: 'applied', status: 'FAILED' });
    expect((await storedRun(d, onDemand.run.id)).reason).toMatch(
      /Batch found no capacity for the instance type; submit with another resources\.gpu, or later$/,
    );

    const spot = await submitRun(d, { ...SPEC, resources: { spot: true } });
    await new DynamoRunStore({ table: d.table }).update(spot.run.id, {
      status: 'CANCELLED',
      reason: 'cancelled by its owner',
    });
    const late = await handle(
      stateChange(spot.job, { status: 'FAILED', statusReason: CANCELLED_FOR_CAPACITY, attempts: [] }),
    );
    expect(late.outcome).toBe('refused');
    expect(await jobsOn(queues.onDemand, spot.run.id)).toEqual([]);
    expect(await storedRun(d, spot.run.id)).toMatchObject({ status: 'CANCELLED', attempt: 1 });
  });
});
