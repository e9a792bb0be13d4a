/**
 * Runs the trainer as an AWS Batch job: one job per run, on the queue of the spec's GPU type, Spot-first or
 * on-demand as the spec asks.
 * Batch retries an attempt only when the host went away (a Spot reclaim or an instance failure); the new
 * attempt resumes from the run's latest checkpoint. Anything else the trainer or Batch reports ends the job,
 * and the Batch state-change handler (functions/events/batch-state.ts) moves the run accordingly.
 */
import {
  BatchClient,
  type EvaluateOnExit,
  SubmitJobCommand,
  type SubmitJobCommandInput,
  TerminateJobCommand,
} from '@aws-sdk/client-batch';
import type { RunRecord } from '../../shared/run.ts';
import type { GpuType } from '../../shared/spec.ts';
import type { JobRunner } from '../ports.ts';

/** The two queues of one GPU type (infra/lib/constructs/gpu-compute.ts). */
export interface GpuQueues {
  /** Spot first, then on-demand capacity, for runs with resources.spot. */
  spot: string;
  /** On-demand only, for runs that asked not to be interrupted. */
  onDemand: string;
}

export interface BatchRunnerOptions {
  /** Defaults to a client from the environment (region, credentials, AWS_ENDPOINT_URL_BATCH). */
  client?: BatchClient;
  /**
   * Queues by GPU type. A deployment may offer only some types (infra config gpuInstanceTypes), so a type
   * can be missing; a run asking for one fails at submit.
   */
  queues: Partial<Record<GpuType, GpuQueues>>;
  /** Job definition name, name:revision or ARN of the trainer's container (trainer/job.ts). */
  jobDefinition: string;
  /** Artifacts bucket and runs table, passed to the trainer as GANZOO_BUCKET and GANZOO_TABLE. */
  bucket: string;
  table: string;
}

/** Tag keys on every job, so costs and jobs can be traced back to runs. */
export const JOB_TAGS = { runId: 'ganzoo:run-id', owner: 'ganzoo:owner', family: 'ganzoo:family' } as const;

/**
 * Batch matches these in order. The first keeps an attempt lost with its host (the status reason then
 * starts "Host EC2 (instance ...) terminated"); the rest end the job on any other failure, so a bad spec or
 * a crash in the trainer is not run again `retries` times. Batch retries when no rule matches, hence more
 * than one catch-all.
 */
export const EVALUATE_ON_EXIT: EvaluateOnExit[] = [
  { onStatusReason: 'Host EC2*', action: 'RETRY' },
  { onReason: '*', action: 'EXIT' },
  { onExitCode: '*', action: 'EXIT' },
];

/** The job's environment variable with the run's attempt at submit (shared/run.ts RunJob.firstAttempt). */
export const FIRST_ATTEMPT_ENV = 'GANZOO_FIRST_ATTEMPT';

export function jobNameFor(runId: string): string {
  return `ganzoo-${runId}`;
}

/** Batch tag values allow letters, digits, spaces and + - = . _ : / @ (up to 256). */
function tagValue(value: string): string {
  return value.replace(/[^\p{L}\p{N} +\-=._:/@]/gu, '_').slice(0, 256);
}

export class BatchRunner implements JobRunner {
  private readonly client: BatchClient;

  constructor(private readonly options: BatchRunnerOptions) {
    this.client = options.client ?? new BatchClient({});
  }

  /** The SubmitJob parameters for a run; exported for tests and for reading what a run asks of Batch. */
  submitInput(run: RunRecord): SubmitJobCommandInput {
    const { resources } = run.spec;
    const queues = this.options.queues[resources.gpu];
    if (!queues) {
      const configured = Object.keys(this.options.queues).join(', ') || 'none';
      throw new Error(
        `no Batch queue for GPU type ${resources.gpu} in this deployment; configured: ${configured}`,
      );
    }
    return {
      jobName: jobNameFor(run.id),
      jobQueue: resources.spot ? queues.spot : queues.onDemand,
      jobDefinition: this.options.jobDefinition,
      containerOverrides: {
        environment: [
          { name: 'GANZOO_RUN_ID', value: run.id },
          { name: 'GANZOO_BUCKET', value: this.options.bucket },
          { name: 'GANZOO_TABLE', value: this.options.table },
          // A resumed run is a new job: its Batch attempt 1 is the run's attempt now.
          { name: FIRST_ATTEMPT_ENV, value: String(run.attempt) },
        ],
      },
      retryStrategy: { attempts: resources.retries, evaluateOnExit: EVALUATE_ON_EXIT },
      timeout: { attemptDurationSeconds: resources.timeoutMinutes * 60 },
      tags: {
        [JOB_TAGS.runId]: run.id,
        [JOB_TAGS.owner]: tagValue(run.owner),
        [JOB_TAGS.family]: run.spec.family,
      },
      // The tags also land on the ECS tasks, where the cost of the instance hours is recorded.
      propagateTags: true,
    };
  }

  async submit(run: RunRecord): Promise<{ jobId: string }> {
    const out = await this.client.send(new SubmitJobCommand(this.submitInput(run)));
    if (!out.jobId) throw new Error(`Batch accepted run ${run.id} but returned no job id`);
    return { jobId: out.jobId };
  }

  /** TerminateJob stops a job in any state (CancelJob only reaches jobs that have not started). */
  async cancel(run: RunRecord, reason: string): Promise<void> {
    if (!run.jobId) return; // never submitted: there is no job to stop
    await this.client.send(new TerminateJobCommand({ jobId: run.jobId, reason: reason.slice(0, 1024) }));
  }
}
