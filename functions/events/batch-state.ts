/**
 * EventBridge "Batch Job State Change" events -> run status. The trainer reports its own progress and
 * outcome; these events cover what it cannot say (never started, killed, out of memory, host lost, timed
 * out). Every update goes through RunStore.update, i.e. shared/run.ts transition with a conditional write,
 * so events that arrive late, twice or out of order are refused or change nothing.
 * A job its Spot-first queue cancelled for want of capacity (shared/batch-job.ts CAPACITY_REASONS) does not
 * end its run: the run's next attempt is submitted to the on-demand queue, and resumes from its checkpoint.
 * Every event of a run's job, whether or not the job still holds the run, also puts the job's billed time
 * (its attempts' startedAt to stoppedAt) into the run's cost estimate (shared/cost.ts).
 * An uploaded dataset's validation job that ended without answering fails its version (still VALIDATING).
 */
import {
  ARRAY_INDEX_ENV,
  capacityCancelReason,
  FIRST_ATTEMPT_ENV,
  GROUP_ID_ENV,
  jobRunId,
  runAttempt,
} from '../../shared/batch-job.ts';
import {
  batchBilledSeconds,
  type Capacity,
  DEFAULT_GPU_PRICES,
  GPU_PRICES_ENV,
  type GpuPrices,
  type JobUsage,
  parseGpuPrices,
} from '../../shared/cost.ts';
import { assertRunId } from '../../shared/keys.ts';
import {
  isTerminal,
  jobOwnsRun,
  type RunRecord,
  type RunStatus,
  type StatusUpdate,
} from '../../shared/run.ts';
import { type DatasetStores, failValidation } from '../../shared/storage/dataset-failure.ts';
import { DatasetsTable } from '../../shared/storage/datasets-table.ts';
import { S3Objects } from '../../shared/storage/s3-objects.ts';
import { abandonedValidationReason, validationTarget } from '../../shared/uploads.ts';
import type { RunStore } from '../ports.ts';
import { BATCH_RUNNER_ENV, type BatchRunner, batchRunnerFromEnv, JOB_TAGS } from '../runners/batch-runner.ts';
import { API_RETRY, DynamoRunStore } from '../stores/run-store.ts';

/** The parts of a Batch job's description (the event's detail, as DescribeJobs returns it) read here. */
export interface BatchJobDetail {
  jobId: string;
  jobName?: string;
  /** The queue's ARN. */
  jobQueue?: string;
  status: string;
  statusReason?: string;
  /** Finished attempts; an attempt that is running or about to run is not in it yet. */
  attempts?: BatchAttempt[];
  container?: BatchContainer & { environment?: { name?: string; value?: string }[] };
  tags?: Record<string, string>;
  /** An array job's (a group's): `size` on the parent, `index` on each child (whose jobId is `{parent}:{index}`). */
  arrayProperties?: { size?: number; index?: number };
}

export interface BatchAttempt {
  container?: BatchContainer;
  statusReason?: string;
  /** Epoch milliseconds: when the attempt's container started and stopped. */
  startedAt?: number;
  stoppedAt?: number;
}

interface BatchContainer {
  exitCode?: number;
  reason?: string;
}

export interface BatchJobStateChangeEvent {
  source?: string;
  'detail-type'?: string;
  time?: string;
  detail: BatchJobDetail;
}

const RUN_STATUS_OF: Record<string, RunStatus> = {
  SUBMITTED: 'SUBMITTED',
  PENDING: 'SUBMITTED',
  RUNNABLE: 'SUBMITTED',
  STARTING: 'STARTING',
  RUNNING: 'RUNNING',
  SUCCEEDED: 'SUCCEEDED',
  FAILED: 'FAILED',
};

export type BatchStateMapping =
  | { ok: true; runId: string; update: StatusUpdate }
  | { ok: false; why: string };

const envOf = (detail: BatchJobDetail, name: string) =>
  detail.container?.environment?.find((e) => e.name === name)?.value;

function jobEnvironment(detail: BatchJobDetail): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { name, value } of detail.container?.environment ?? [])
    if (name && value !== undefined) env[name] = value;
  return env;
}

/**
 * The run an event is about: the id the runner put in the container's environment, else its tag; for a
 * child of a group's array job, the group's member at the child's index (the trainer reads it the same way,
 * shared/batch-job.ts jobRunId). The array job itself is about no one run: undefined.
 */
export function runIdOf(detail: BatchJobDetail): string | undefined {
  const single = envOf(detail, 'GANZOO_RUN_ID') || detail.tags?.[JOB_TAGS.runId];
  if (single) return single;
  const group = envOf(detail, GROUP_ID_ENV) || detail.tags?.[JOB_TAGS.groupId];
  const index = detail.arrayProperties?.index ?? /:(\d+)$/.exec(detail.jobId)?.[1];
  if (!group || index === undefined) return undefined;
  try {
    return jobRunId({ [GROUP_ID_ENV]: group, [ARRAY_INDEX_ENV]: String(index) });
  } catch {
    return undefined;
  }
}

/** The run's attempt the job began with (jobs submitted before it was passed began with attempt 1). */
export function firstAttemptOf(detail: BatchJobDetail): number {
  const n = Number(envOf(detail, FIRST_ATTEMPT_ENV));
  return Number.isInteger(n) && n >= 1 ? n : 1;
}

/**
 * What Batch says of how a job ended: its status reason, the last attempt's container reason and exit
 * code, and whether that reads as a timeout or as running out of memory.
 */
export function batchJobEnd(detail: BatchJobDetail): {
  said: string;
  cause?: 'time' | 'memory';
  statusReason?: string;
  exitCode?: number;
} {
  const last = detail.attempts?.at(-1);
  const container = last?.container ?? detail.container;
  const statusReason = detail.statusReason ?? last?.statusReason;
  const parts = [statusReason, container?.reason].filter((s): s is string => !!s);
  if (container?.exitCode !== undefined) parts.push(`exit code ${container.exitCode}`);
  const said = parts.length ? parts.join('; ') : 'no reason given';
  const cause = /duration exceeded timeout/i.test(said)
    ? 'time'
    : /OutOfMemory|out of memory/i.test(said) || container?.exitCode === 137
      ? 'memory'
      : undefined;
  return {
    said,
    ...(cause ? { cause } : {}),
    ...(statusReason ? { statusReason } : {}),
    ...(container?.exitCode !== undefined ? { exitCode: container.exitCode } : {}),
  };
}

/** Words a person can act on, from Batch's status reason and the last attempt's container. */
export function failureReason(detail: BatchJobDetail): string {
  const { said, cause, statusReason, exitCode } = batchJobEnd(detail);
  let hint = '';
  if (cause === 'time') {
    hint = ': the attempt ran past resources.timeoutMinutes; raise it, or train fewer steps';
  } else if (cause === 'memory') {
    hint = ': out of memory; lower batchSize or choose a larger resources.gpu';
  } else if (capacityCancelReason(statusReason)) {
    hint = ': Batch found no capacity for the instance type; submit with another resources.gpu, or later';
  } else if (/^Host EC2/i.test(statusReason ?? '')) {
    hint = ': the instance was lost on every attempt; raise resources.retries or set resources.spot to false';
  } else if (exitCode === 2) {
    hint = ": the trainer could not use the run's stored spec or its environment; see the job's log";
  } else if (exitCode === 1) {
    hint = "; see the job's log";
  }
  return `Batch job ${detail.jobId} failed: ${said}${hint}`;
}

/**
 * Maps a Batch job state to a run update. The attempt counts Batch's finished attempts, plus the one on its
 * way while the job is not yet done, from the run's attempt the job began with (a resumed run's job begins
 * past 1), as the trainer counts them (AWS_BATCH_JOB_ATTEMPT). Pure, so it is tested without a store.
 */
export function mapBatchState(detail: BatchJobDetail): BatchStateMapping {
  const status = RUN_STATUS_OF[detail.status];
  if (!status) return { ok: false, why: `unknown Batch job status '${detail.status}'` };
  const runId = runIdOf(detail);
  if (!runId) {
    const parent = detail.arrayProperties?.size !== undefined && detail.arrayProperties.index === undefined;
    return {
      ok: false,
      why: parent
        ? `Batch job ${detail.jobId} is a group's array job; its children's events move the member runs`
        : `Batch job ${detail.jobId} carries no run id`,
    };
  }
  try {
    assertRunId(runId);
  } catch (err) {
    return { ok: false, why: (err as Error).message };
  }
  const finished = detail.attempts?.length ?? 0;
  const done = status === 'SUCCEEDED' || status === 'FAILED';
  // A job that failed before any attempt began (e.g. terminated while RUNNABLE) still ends its first.
  const jobAttempt = done ? Math.max(1, finished) : finished + 1;
  let attempt: number;
  try {
    attempt = runAttempt(jobAttempt, envOf(detail, FIRST_ATTEMPT_ENV));
  } catch (err) {
    return { ok: false, why: `Batch job ${detail.jobId}: ${(err as Error).message}` };
  }
  const update: StatusUpdate = { status, attempt };
  if (status === 'FAILED') update.reason = failureReason(detail);
  return { ok: true, runId, update };
}

export type BatchStateOutcome =
  | { outcome: 'applied' | 'unchanged'; runId: string; status: RunStatus; attempt: number }
  | { outcome: 'moved to on-demand'; runId: string; jobId: string; attempt: number }
  | { outcome: 'refused'; runId: string; why: string }
  | { outcome: 'dataset failed'; datasetId: string; version: number; reason: string }
  | { outcome: 'ignored'; why: string };

/** What moving a run to on-demand capacity needs of the Batch runner. */
export type OnDemandFallback = Pick<BatchRunner, 'submit' | 'cancel' | 'queuesFor'>;

export interface BatchStateHandlerOptions {
  runStore: RunStore;
  /** Submits a run that found no Spot capacity to on-demand; without it such a run fails with the reason. */
  fallback?: OnDemandFallback;
  /** Where a refused or ignored event is noted (one line); CloudWatch Logs on Lambda. */
  log?: (line: string) => void;
  /** Prices of the cost estimate; default shared/cost.ts DEFAULT_GPU_PRICES. */
  prices?: GpuPrices;
  /**
   * Uploaded datasets: a validation job that ended without moving its version (killed, out of memory,
   * timed out) fails the version here. Without it such events are ignored.
   */
  datasets?: DatasetStores;
}

/**
 * A job's billed usage from its event: the attempts that have stopped, priced at Spot when the job was on
 * its type's Spot-first queue and the run asked for Spot (Batch may place such a job on the queue's
 * on-demand environment when Spot is at its ceiling: the estimate does not see that), else on-demand.
 */
export function jobUsage(
  run: RunRecord,
  detail: BatchJobDetail,
  prices: GpuPrices,
  onDemandQueue?: string,
): JobUsage | undefined {
  const seconds = batchBilledSeconds(detail.attempts?.filter((a) => a.stoppedAt !== undefined) ?? []);
  if (seconds === 0) return undefined;
  const { gpu, spot } = run.spec.resources;
  const onSpot = spot && (onDemandQueue === undefined || detail.jobQueue !== onDemandQueue);
  const capacity: Capacity = onSpot ? 'spot' : 'on-demand';
  return { capacity, instanceType: gpu, seconds, usdPerHour: prices[gpu][onSpot ? 'spot' : 'onDemand'] };
}

/**
 * The handler. Refused and ignored events resolve (a retry could not change the answer); store errors
 * reject, so EventBridge or Lambda delivers the event again.
 */
export function createBatchStateHandler(options: BatchStateHandlerOptions) {
  const { runStore } = options;
  const log = options.log ?? ((line: string) => console.log(line));
  return async function handleBatchStateChange(event: BatchJobStateChangeEvent): Promise<BatchStateOutcome> {
    const validation = validationTarget(jobEnvironment(event.detail));
    if (validation) return validationEnded(validation, event.detail);
    const mapped = mapBatchState(event.detail);
    if (!mapped.ok) {
      log(`batch-state: ignored: ${mapped.why}`);
      return { outcome: 'ignored', why: mapped.why };
    }
    const { runId, update } = mapped;
    const current = await runStore.get(runId);
    if (!current) {
      const why = `run ${runId} (Batch job ${event.detail.jobId}) is not in the store`;
      log(`batch-state: ignored: ${why}`);
      return { outcome: 'ignored', why };
    }
    await recordUsage(current, event.detail);
    // A run points at one job; a job it was moved away from (a resume) must not steer it.
    if (!jobOwnsRun(current, { id: event.detail.jobId, firstAttempt: firstAttemptOf(event.detail) })) {
      const why = `run ${runId} belongs to ${current.jobId ? `Batch job ${current.jobId}` : `attempt ${current.attempt}`}, not Batch job ${event.detail.jobId}`;
      log(`batch-state: ignored: ${why}`);
      return { outcome: 'ignored', why };
    }
    if (options.fallback && update.status === 'FAILED') {
      const moved = await moveToOnDemand(options.fallback, current, event.detail);
      if (moved) return moved;
    }
    // Records the job id when the event gets there before the API's own write of it.
    const result = await runStore.update(runId, {
      ...update,
      ...(current.jobId === undefined ? { jobId: event.detail.jobId } : {}),
    });
    if (!result.ok) {
      log(`batch-state: run ${runId}: Batch ${event.detail.status} not applied: ${result.reason}`);
      return { outcome: 'refused', runId, why: result.reason };
    }
    return {
      outcome: result.changed ? 'applied' : 'unchanged',
      runId,
      status: result.record.status,
      attempt: result.record.attempt,
    };
  };

  /**
   * A dataset's validation job (trainer/validate-job.ts) moves its version to READY or FAILED itself; one that
   * ended without doing so (FAILED: killed, out of memory, timed out, never started; or SUCCEEDED with no
   * answer) leaves it VALIDATING, which is failed here with what Batch said. Batch retries an attempt lost
   * with its host, so only the job's end counts.
   */
  async function validationEnded(
    target: { id: string; version: number },
    detail: BatchJobDetail,
  ): Promise<BatchStateOutcome> {
    const ignored = (why: string): BatchStateOutcome => {
      log(`batch-state: ignored: ${why}`);
      return { outcome: 'ignored', why };
    };
    const of = `Batch job ${detail.jobId} (validation of dataset ${target.id} version ${target.version})`;
    if (detail.status !== 'FAILED' && detail.status !== 'SUCCEEDED')
      return ignored(`${of} is ${detail.status}; only its end is followed`);
    if (!options.datasets) return ignored(`${of}: this handler has no dataset stores`);
    const end = batchJobEnd(detail);
    const reason =
      detail.status === 'FAILED'
        ? abandonedValidationReason(`(Batch job ${detail.jobId}) failed: ${end.said}`, end.cause)
        : abandonedValidationReason(`(Batch job ${detail.jobId}) ended without a result`);
    const out = await failValidation(options.datasets, target.id, target.version, reason);
    if (out.outcome === 'missing') return ignored(`${of}: the dataset or version is not in the store`);
    if (out.outcome === 'unchanged') return ignored(`${of}: the version is ${out.status}; it stands`);
    log(`batch-state: dataset ${target.id} version ${target.version}: FAILED: ${reason}`);
    return { outcome: 'dataset failed', datasetId: target.id, version: target.version, reason };
  }

  /** The job's billed time into the run's cost; a failure is logged, never the event's (its status still applies). */
  async function recordUsage(run: RunRecord, detail: BatchJobDetail): Promise<void> {
    try {
      const onDemandQueue = options.fallback?.queuesFor(run.spec.resources.gpu).onDemand;
      const usage = jobUsage(run, detail, options.prices ?? DEFAULT_GPU_PRICES, onDemandQueue);
      if (usage) await runStore.recordUsage(run.id, detail.jobId, usage);
    } catch (err) {
      log(
        `batch-state: run ${run.id}: usage of Batch job ${detail.jobId} not recorded: ${(err as Error).message}`,
      );
    }
  }

  /**
   * A Spot-first job cancelled for want of capacity: its run's next attempt goes to the on-demand queue of
   * its GPU type. Undefined when the event is anything else, or the run cannot move (it ended, asked for
   * on-demand already, or the job was on the on-demand queue: there is nowhere further to go).
   */
  async function moveToOnDemand(
    fallback: OnDemandFallback,
    current: RunRecord,
    detail: BatchJobDetail,
  ): Promise<BatchStateOutcome | undefined> {
    const capacity = capacityCancelReason(detail.statusReason);
    if (!capacity || !current.spec.resources.spot || isTerminal(current.status)) return undefined;
    const onDemandQueue = fallback.queuesFor(current.spec.resources.gpu).onDemand;
    if (detail.jobQueue === onDemandQueue) return undefined;
    const attempt = current.attempt + 1;
    const next: RunRecord = { ...current, attempt };
    const { jobId } = await fallback.submit(next, { onDemand: true });
    const note = `no Spot capacity for ${current.spec.resources.gpu} (${capacity}): moved to on-demand`;
    const result = await runStore.update(current.id, { status: 'SUBMITTED', attempt, jobId, note });
    if (!result.ok || !result.changed) {
      // Another delivery of this event moved the run first: the job just submitted must not train too.
      await fallback.cancel({ ...next, jobId }, `run ${current.id} already moved to another job`);
      const why = result.ok ? 'the run did not change' : result.reason;
      log(`batch-state: run ${current.id}: on-demand job ${jobId} withdrawn: ${why}`);
      return { outcome: 'refused', runId: current.id, why };
    }
    log(`batch-state: run ${current.id}: ${note}, attempt ${attempt} as Batch job ${jobId}`);
    return { outcome: 'moved to on-demand', runId: current.id, jobId, attempt };
  }
}

let fromEnvironment: ((event: BatchJobStateChangeEvent) => Promise<BatchStateOutcome>) | undefined;

/**
 * The Lambda entry point: the runs table named by GANZOO_TABLE (also the uploaded datasets' records, whose
 * files are in GANZOO_BUCKET), and the Batch runner's environment (BATCH_RUNNER_ENV: table, bucket, queues,
 * job definition) to move runs to on-demand capacity;
 * GANZOO_GPU_PRICES (optional) overrides the prices of the cost estimate.
 */
export async function handler(event: BatchJobStateChangeEvent): Promise<BatchStateOutcome> {
  if (!fromEnvironment) {
    const env = process.env;
    const missing = BATCH_RUNNER_ENV.filter((name) => !env[name]);
    if (missing.length > 0) {
      throw new Error(`the Batch state handler needs ${missing.join(', ')} in its environment`);
    }
    const e = env as Record<(typeof BATCH_RUNNER_ENV)[number], string>;
    fromEnvironment = createBatchStateHandler({
      runStore: new DynamoRunStore({ table: e.GANZOO_TABLE }),
      datasets: {
        table: new DatasetsTable({ table: e.GANZOO_TABLE, retry: API_RETRY }),
        objects: new S3Objects({ bucket: e.GANZOO_BUCKET, retry: API_RETRY }),
      },
      fallback: batchRunnerFromEnv(e),
      prices: parseGpuPrices(env[GPU_PRICES_ENV]),
    });
  }
  return fromEnvironment(event);
}
