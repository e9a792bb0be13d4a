/**
 * The trainer's AWS Batch job as the parts that meet it see it: the retry rules the job definition
 * (infra/) and SubmitJob (functions/runners/batch-runner.ts) both give Batch, the capacity reasons for which
 * the Spot-first queues cancel a job that waits too long and the Batch event handler moves the run to
 * on-demand capacity, how a job's attempts number the run's, and what a job asks of its instance type.
 * Plain data: no AWS SDK, no CDK.
 */
import { memberRunId } from './group.ts';
import type { GpuType } from './spec.ts';

/** One `evaluateOnExit` rule, spelled as Batch's API spells it (the CDK and CloudFormation capitalise). */
export interface BatchRetryRule {
  onStatusReason?: string;
  onReason?: string;
  onExitCode?: string;
  action: 'RETRY' | 'EXIT';
}

/**
 * Batch matches these in order, at most five, and retries (up to resources.retries attempts) when none
 * matches, hence the two catch-alls at the end. Retried, each resuming from the run's latest checkpoint:
 * - the host went away (a Spot reclaim or an instance failure: "Host EC2 (instance ...) terminated.");
 * - exit code 143, the trainer stopped by SIGTERM after writing a checkpoint (a Spot interruption notice,
 *   a compute environment update); a run cancelled through the API also exits 143, and its next attempt
 *   reads CANCELLED and exits 0 without a step;
 * - the container could not start ("CannotPullContainerError", "CannotStartContainerError", ...).
 * Anything else ends the job: a bad spec or a crash in the trainer fails the same way each time.
 */
export const BATCH_RETRY_RULES: readonly BatchRetryRule[] = [
  { onStatusReason: 'Host EC2*', action: 'RETRY' },
  { onExitCode: '143', action: 'RETRY' },
  { onReason: 'Cannot*', action: 'RETRY' },
  { onReason: '*', action: 'EXIT' },
  { onExitCode: '*', action: 'EXIT' },
];

/**
 * The capacity reasons Batch documents for a job stuck in RUNNABLE on an EC2 (ECS) queue that a
 * `jobStateTimeLimitActions` entry may act on ("Jobs stuck in RUNNABLE due to capacity", AWS Batch User
 * Guide). The other two it documents for such queues, MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE and
 * MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT, are a job no environment can ever run; on-demand would not
 * help, so those runs fail.
 */
export const CAPACITY_REASONS = ['CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY'] as const;
export type CapacityReason = (typeof CAPACITY_REASONS)[number];

/**
 * The capacity reason a job was cancelled for by its queue's time limit, read from the job's status reason
 * ("Canceled by JobStateTimeLimit action due to reason: CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY"), or
 * undefined for any other end.
 */
export function capacityCancelReason(statusReason: string | undefined): CapacityReason | undefined {
  const said = /JobStateTimeLimit action due to reason:\s*(\S+)/i.exec(statusReason ?? '')?.[1];
  return CAPACITY_REASONS.find((r) => r === said);
}

/**
 * The run's attempt that a job's first attempt is. A run's first job starts at attempt 1; a job submitted
 * again for the same run (moved to on-demand capacity) starts at the attempt after the last one, so the
 * run's history keeps counting while Batch counts each job's attempts from 1. Passed in the job's
 * environment, where the trainer and the job's state-change events both find it.
 */
export const FIRST_ATTEMPT_ENV = 'GANZOO_FIRST_ATTEMPT';

/**
 * An experiment group's array job carries the group's id instead of a run id: each child trains the member
 * at its AWS_BATCH_JOB_ARRAY_INDEX (shared/group.ts memberRunId), and its events are mapped the same way.
 */
export const GROUP_ID_ENV = 'GANZOO_GROUP_ID';
export const ARRAY_INDEX_ENV = 'AWS_BATCH_JOB_ARRAY_INDEX';

/**
 * The run a job (or an array job's child) trains: GANZOO_RUN_ID, or the member of GANZOO_GROUP_ID at the
 * array index. Throws naming what is missing or malformed.
 */
export function jobRunId(env: Record<string, string | undefined>): string {
  if (env.GANZOO_RUN_ID) return env.GANZOO_RUN_ID;
  const group = env[GROUP_ID_ENV];
  if (!group) throw new Error(`neither GANZOO_RUN_ID nor ${GROUP_ID_ENV} is set`);
  const raw = env[ARRAY_INDEX_ENV];
  const index = Number(raw);
  if (raw === undefined || raw === '' || !Number.isInteger(index) || index < 0)
    throw new Error(
      `${GROUP_ID_ENV} is set but ${ARRAY_INDEX_ENV} is ${JSON.stringify(raw)}, not an array index`,
    );
  return memberRunId(group, index);
}

/** The run's attempt number of a job's attempt `jobAttempt` (1-based, as AWS_BATCH_JOB_ATTEMPT). */
export function runAttempt(jobAttempt: number, firstAttempt: number | string | undefined): number {
  const first = Number(firstAttempt ?? 1);
  if (!Number.isInteger(first) || first < 1) {
    throw new Error(
      `${FIRST_ATTEMPT_ENV} must be a whole number from 1, not ${JSON.stringify(firstAttempt)}`,
    );
  }
  return jobAttempt + first - 1;
}

/**
 * What each GPU instance type offers (one GPU each), from EC2's instance type list, and its price: the
 * us-east-1 on-demand Linux list price in US dollars per hour, an assumption to check (prices differ by
 * region and change; docs/DEPLOY.md says how). shared/cost.ts prices runs from these unless configured.
 */
export const GPU_INSTANCES = {
  'g4dn.xlarge': { gpu: 'NVIDIA T4', vcpus: 4, memoryGiB: 16, onDemandUsdPerHour: 0.526 },
  'g4dn.2xlarge': { gpu: 'NVIDIA T4', vcpus: 8, memoryGiB: 32, onDemandUsdPerHour: 0.752 },
  'g5.xlarge': { gpu: 'NVIDIA A10G', vcpus: 4, memoryGiB: 16, onDemandUsdPerHour: 1.006 },
  'g5.2xlarge': { gpu: 'NVIDIA A10G', vcpus: 8, memoryGiB: 32, onDemandUsdPerHour: 1.212 },
} as const satisfies Record<
  GpuType,
  { gpu: string; vcpus: number; memoryGiB: number; onDemandUsdPerHour: number }
>;

/**
 * The Spot price assumed when none is configured: 40% of the on-demand price (Spot prices move by zone
 * and hour; for G instances in us-east-1 they have often been 30-50% of on-demand). An assumption.
 */
export const ASSUMED_SPOT_SHARE = 0.4;

/** Memory left to the ECS agent and the operating system on every instance. */
const RESERVED_MEMORY_GIB = 2;

/**
 * A job's request on its instance type: all of its vCPUs and its memory but what the agent and the OS keep,
 * so one run takes one whole instance and gets everything it is billed for.
 */
export function jobResources(gpu: GpuType): { vcpus: number; memoryMiB: number } {
  const { vcpus, memoryGiB } = GPU_INSTANCES[gpu];
  return { vcpus, memoryMiB: (memoryGiB - RESERVED_MEMORY_GIB) * 1024 };
}
