/**
 * Runs the trainer as an AWS Batch job: one job per run, on the queue of the spec's GPU type, Spot-first or
 * on-demand as the spec asks.
 * Batch retries an attempt lost with its host, stopped by SIGTERM after a checkpoint, or whose container could
 * not start (shared/batch-job.ts); the new attempt resumes from the run's latest checkpoint. Anything else the
 * trainer or Batch reports ends the job, and the Batch state-change handler (functions/events/batch-state.ts)
 * moves the run accordingly.
 */
import {
  BatchClient,
  type EvaluateOnExit,
  SubmitJobCommand,
  type SubmitJobCommandInput,
  TerminateJobCommand,
} from '@aws-sdk/client-batch';
import { BATCH_RETRY_RULES, FIRST_ATTEMPT_ENV, GROUP_ID_ENV, jobResources } from '../../shared/batch-job.ts';
import type { GroupRecord } from '../../shared/group.ts';
import { lastAttempt, type RunRecord } from '../../shared/run.ts';
import { GPU_TYPES, type GpuType } from '../../shared/spec.ts';
import { type UploadedDataset, validationEnv } from '../../shared/uploads.ts';
import type { DatasetValidator, JobRunner } from '../ports.ts';

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

export interface SubmitOptions {
  /** The on-demand queue whatever the spec says: the run found no Spot capacity. */
  onDemand?: boolean;
}

/** Tag keys on every job, so costs and jobs can be traced back to runs. */
export const JOB_TAGS = {
  runId: 'ganzoo:run-id',
  groupId: 'ganzoo:group-id',
  owner: 'ganzoo:owner',
  family: 'ganzoo:family',
} as const;

/** Batch's retry rules, the job definition's own (shared/batch-job.ts), given again at SubmitJob. */
export const EVALUATE_ON_EXIT: EvaluateOnExit[] = BATCH_RETRY_RULES.map((rule) => ({ ...rule }));

export function jobNameFor(runId: string): string {
  return `ganzoo-${runId}`;
}

/** Batch tag values allow letters, digits, spaces and + - = . _ : / @ (up to 256). */
function tagValue(value: string): string {
  return value.replace(/[^\p{L}\p{N} +\-=._:/@]/gu, '_').slice(0, 256);
}

export class BatchRunner implements JobRunner, DatasetValidator {
  private readonly client: BatchClient;

  constructor(private readonly options: BatchRunnerOptions) {
    this.client = options.client ?? new BatchClient({});
  }

  /**
   * The SubmitJob parameters for a run; exported for tests and for reading what a run asks of Batch. The
   * job's first attempt is the run's `attempt`: a run submitted again keeps counting. Its job gets the
   * attempts the run has left (shared/run.ts lastAttempt, at least one): all of resources.retries for a
   * first submit or a resume, what is left of them for a move to on-demand capacity.
   */
  submitInput(run: RunRecord, options: SubmitOptions = {}): SubmitJobCommandInput {
    const { resources } = run.spec;
    const queues = this.queuesFor(resources.gpu);
    const environment = [
      { name: 'GANZOO_RUN_ID', value: run.id },
      { name: 'GANZOO_BUCKET', value: this.options.bucket },
      { name: 'GANZOO_TABLE', value: this.options.table },
    ];
    // A job submitted again (a resume, a move to on-demand) is a new job: its Batch attempt 1 is the run's attempt now.
    environment.push({ name: FIRST_ATTEMPT_ENV, value: String(run.attempt) });
    // The job definition asks for the smallest type's share; each type gets all of its own instance.
    const size = jobResources(resources.gpu);
    return {
      jobName: jobNameFor(run.id),
      jobQueue: resources.spot && !options.onDemand ? queues.spot : queues.onDemand,
      jobDefinition: this.options.jobDefinition,
      containerOverrides: {
        environment,
        resourceRequirements: [
          { type: 'VCPU', value: String(size.vcpus) },
          { type: 'MEMORY', value: String(size.memoryMiB) },
        ],
      },
      retryStrategy: {
        attempts: Math.max(1, lastAttempt(run) - run.attempt + 1),
        evaluateOnExit: EVALUATE_ON_EXIT,
      },
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

  /** The queues of a GPU type, or an error naming the types this deployment has. */
  queuesFor(gpu: GpuType): GpuQueues {
    const queues = this.options.queues[gpu];
    if (!queues) {
      const configured = Object.keys(this.options.queues).join(', ') || 'none';
      throw new Error(`no Batch queue for GPU type ${gpu} in this deployment; configured: ${configured}`);
    }
    return queues;
  }

  /**
   * The SubmitJob parameters of a group: one array job of the members' size whose children each train the
   * member at their AWS_BATCH_JOB_ARRAY_INDEX (trainer/job.ts reads GANZOO_GROUP_ID and that index; a
   * member's run id is the group's id and its index, shared/group.ts memberRunId). The members share a
   * spec but for their seed or swept hyperparameters, so the first member's resources stand for all.
   */
  submitGroupInput(group: GroupRecord, members: readonly RunRecord[]): SubmitJobCommandInput {
    const first = members[0];
    if (!first || members.length < 2)
      throw new Error(`group ${group.id}: an array job needs at least 2 members, not ${members.length}`);
    const input = this.submitInput(first);
    const environment = (input.containerOverrides?.environment ?? []).filter(
      (e) => e.name !== 'GANZOO_RUN_ID',
    );
    environment.unshift({ name: GROUP_ID_ENV, value: group.id });
    const { [JOB_TAGS.runId]: _run, ...tags } = input.tags ?? {};
    return {
      ...input,
      jobName: jobNameFor(group.id),
      arrayProperties: { size: members.length },
      containerOverrides: { ...input.containerOverrides, environment },
      tags: { ...tags, [JOB_TAGS.groupId]: group.id },
    };
  }

  async submitGroup(
    group: GroupRecord,
    members: readonly RunRecord[],
  ): Promise<{ jobId: string; memberJobIds: string[] }> {
    const out = await this.client.send(new SubmitJobCommand(this.submitGroupInput(group, members)));
    if (!out.jobId) throw new Error(`Batch accepted group ${group.id} but returned no job id`);
    // Batch names an array job's children `{parent}:{index}`.
    return { jobId: out.jobId, memberJobIds: members.map((_, i) => `${out.jobId}:${i}`) };
  }

  /** Terminating the array job terminates every child still in it. */
  async cancelGroup(group: GroupRecord, reason: string): Promise<void> {
    if (!group.jobId) return;
    await this.client.send(new TerminateJobCommand({ jobId: group.jobId, reason: reason.slice(0, 1024) }));
  }

  async submit(run: RunRecord, options: SubmitOptions = {}): Promise<{ jobId: string }> {
    const out = await this.client.send(new SubmitJobCommand(this.submitInput(run, options)));
    if (!out.jobId) throw new Error(`Batch accepted run ${run.id} but returned no job id`);
    return { jobId: out.jobId };
  }

  /**
   * The validation job of an uploaded dataset's version: the trainer's image and job definition with
   * GANZOO_TASK=validate-dataset, on the Spot-first queue of the first GPU type configured (the only compute
   * the deployment has; a reclaimed validation is simply run again), at the job definition's size.
   */
  validationInput(dataset: UploadedDataset, version: number): SubmitJobCommandInput {
    const first = Object.values(this.options.queues)[0];
    if (!first) throw new Error('no Batch queue is configured');
    const env = {
      ...validationEnv(dataset.id, version),
      GANZOO_BUCKET: this.options.bucket,
      GANZOO_TABLE: this.options.table,
    };
    return {
      jobName: `validate-${dataset.id}-v${version}`,
      jobQueue: first.spot,
      jobDefinition: this.options.jobDefinition,
      containerOverrides: { environment: Object.entries(env).map(([name, value]) => ({ name, value })) },
      retryStrategy: { attempts: 3, evaluateOnExit: EVALUATE_ON_EXIT },
      timeout: { attemptDurationSeconds: 60 * 60 },
      tags: { [JOB_TAGS.owner]: tagValue(dataset.owner), 'ganzoo:dataset': dataset.id },
      propagateTags: true,
    };
  }

  async validate(dataset: UploadedDataset, version: number): Promise<{ jobId: string }> {
    const out = await this.client.send(new SubmitJobCommand(this.validationInput(dataset, version)));
    if (!out.jobId) throw new Error(`Batch accepted the validation of ${dataset.id} but returned no job id`);
    return { jobId: out.jobId };
  }

  /** TerminateJob stops a job in any state (CancelJob only reaches jobs that have not started). */
  async cancel(run: RunRecord, reason: string): Promise<void> {
    if (!run.jobId) return; // never submitted: there is no job to stop
    await this.client.send(new TerminateJobCommand({ jobId: run.jobId, reason: reason.slice(0, 1024) }));
  }
}

function queuesError(why: string): never {
  throw new Error(`GANZOO_JOB_QUEUES ${why}`);
}

const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v !== '';

/**
 * GANZOO_JOB_QUEUES, JSON: {"g4dn.xlarge": {"spot": arn, "onDemand": arn}}. Checked at cold start, so a bad
 * deployment fails plainly rather than at some submits.
 */
export function parseJobQueues(text: string): Partial<Record<GpuType, GpuQueues>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    queuesError('is not valid JSON');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    queuesError('must be a JSON object of queues by GPU type');
  }
  const entries = Object.entries(parsed);
  if (entries.length === 0) queuesError('names no GPU type');
  const known: readonly string[] = GPU_TYPES;
  const queues: Partial<Record<GpuType, GpuQueues>> = {};
  for (const [type, value] of entries) {
    if (!known.includes(type)) queuesError(`names unknown GPU type ${type}; known: ${GPU_TYPES.join(', ')}`);
    const { spot, onDemand } = (value ?? {}) as Record<string, unknown>;
    if (!nonEmpty(spot) || !nonEmpty(onDemand)) {
      queuesError(`needs non-empty "spot" and "onDemand" queues for ${type}`);
    }
    queues[type as GpuType] = { spot, onDemand };
  }
  return queues;
}

/** The environment a Lambda that submits jobs reads (functions/lambda.ts, functions/events/batch-state.ts). */
export const BATCH_RUNNER_ENV = [
  'GANZOO_TABLE',
  'GANZOO_BUCKET',
  'GANZOO_JOB_QUEUES',
  'GANZOO_JOB_DEFINITION',
] as const;

/** A runner from BATCH_RUNNER_ENV; the caller has checked the variables are set. */
export function batchRunnerFromEnv(env: Record<(typeof BATCH_RUNNER_ENV)[number], string>): BatchRunner {
  return new BatchRunner({
    queues: parseJobQueues(env.GANZOO_JOB_QUEUES),
    jobDefinition: env.GANZOO_JOB_DEFINITION,
    bucket: env.GANZOO_BUCKET,
    table: env.GANZOO_TABLE,
  });
}
