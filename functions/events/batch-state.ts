/**
 * EventBridge "Batch Job State Change" events -> run status. The trainer reports its own progress and
 * outcome; these events cover what it cannot say (never started, killed, out of memory, host lost, timed
 * out). Every update goes through RunStore.update, i.e. shared/run.ts transition with a conditional write,
 * so events that arrive late, twice or out of order are refused or change nothing.
 */
import { assertRunId } from '../../shared/keys.ts';
import { jobOwnsRun, type RunStatus, type StatusUpdate } from '../../shared/run.ts';
import type { RunStore } from '../ports.ts';
import { FIRST_ATTEMPT_ENV, JOB_TAGS } from '../runners/batch-runner.ts';
import { DynamoRunStore } from '../stores/run-store.ts';

/** The parts of a Batch job's description (the event's detail, as DescribeJobs returns it) read here. */
export interface BatchJobDetail {
  jobId: string;
  jobName?: string;
  status: string;
  statusReason?: string;
  /** Finished attempts; an attempt that is running or about to run is not in it yet. */
  attempts?: BatchAttempt[];
  container?: BatchContainer & { environment?: { name?: string; value?: string }[] };
  tags?: Record<string, string>;
}

export interface BatchAttempt {
  container?: BatchContainer;
  statusReason?: string;
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

/** The run an event is about: the id the runner put in the container's environment, else its tag. */
export function runIdOf(detail: BatchJobDetail): string | undefined {
  const fromEnv = detail.container?.environment?.find((e) => e.name === 'GANZOO_RUN_ID')?.value;
  return fromEnv || detail.tags?.[JOB_TAGS.runId] || undefined;
}

/** The run's attempt the job began with (jobs submitted before it was passed began with attempt 1). */
export function firstAttemptOf(detail: BatchJobDetail): number {
  const value = detail.container?.environment?.find((e) => e.name === FIRST_ATTEMPT_ENV)?.value;
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 ? n : 1;
}

/** Words a person can act on, from Batch's status reason and the last attempt's container. */
export function failureReason(detail: BatchJobDetail): string {
  const last = detail.attempts?.at(-1);
  const container = last?.container ?? detail.container;
  const statusReason = detail.statusReason ?? last?.statusReason;
  const parts = [statusReason, container?.reason].filter((s): s is string => !!s);
  if (container?.exitCode !== undefined) parts.push(`exit code ${container.exitCode}`);
  const said = parts.length ? parts.join('; ') : 'no reason given';
  const text = `${said} ${container?.reason ?? ''}`;
  let hint = '';
  if (/duration exceeded timeout/i.test(text)) {
    hint = ': the attempt ran past resources.timeoutMinutes; raise it, or train fewer steps';
  } else if (/OutOfMemory|out of memory/i.test(text) || container?.exitCode === 137) {
    hint = ': out of memory; lower batchSize or choose a larger resources.gpu';
  } else if (/^Host EC2/i.test(statusReason ?? '')) {
    hint = ': the instance was lost on every attempt; raise resources.retries or set resources.spot to false';
  } else if (container?.exitCode === 2) {
    hint = ": the trainer could not use the run's stored spec or its environment; see the job's log";
  } else if (container?.exitCode === 1) {
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
  if (!runId) return { ok: false, why: `Batch job ${detail.jobId} carries no run id` };
  try {
    assertRunId(runId);
  } catch (err) {
    return { ok: false, why: (err as Error).message };
  }
  const finished = detail.attempts?.length ?? 0;
  const done = status === 'SUCCEEDED' || status === 'FAILED';
  // A job that failed before any attempt began (e.g. terminated while RUNNABLE) still ends attempt 1.
  const attempt = firstAttemptOf(detail) - 1 + (done ? Math.max(1, finished) : finished + 1);
  const update: StatusUpdate = { status, attempt };
  if (status === 'FAILED') update.reason = failureReason(detail);
  return { ok: true, runId, update };
}

export type BatchStateOutcome =
  | { outcome: 'applied' | 'unchanged'; runId: string; status: RunStatus; attempt: number }
  | { outcome: 'refused'; runId: string; why: string }
  | { outcome: 'ignored'; why: string };

export interface BatchStateHandlerOptions {
  runStore: RunStore;
  /** Where a refused or ignored event is noted (one line); CloudWatch Logs on Lambda. */
  log?: (line: string) => void;
}

/**
 * The handler. Refused and ignored events resolve (a retry could not change the answer); store errors
 * reject, so EventBridge or Lambda delivers the event again.
 */
export function createBatchStateHandler(options: BatchStateHandlerOptions) {
  const { runStore } = options;
  const log = options.log ?? ((line: string) => console.log(line));
  return async function handleBatchStateChange(event: BatchJobStateChangeEvent): Promise<BatchStateOutcome> {
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
    // A run points at one job; a job it was moved away from (a resume) must not steer it.
    if (!jobOwnsRun(current, { id: event.detail.jobId, firstAttempt: firstAttemptOf(event.detail) })) {
      const why = `run ${runId} belongs to ${current.jobId ? `Batch job ${current.jobId}` : `attempt ${current.attempt}`}, not Batch job ${event.detail.jobId}`;
      log(`batch-state: ignored: ${why}`);
      return { outcome: 'ignored', why };
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
}

let fromEnvironment: ((event: BatchJobStateChangeEvent) => Promise<BatchStateOutcome>) | undefined;

/** The Lambda entry point, on the runs table named by GANZOO_TABLE (as the trainer's job has it). */
export async function handler(event: BatchJobStateChangeEvent): Promise<BatchStateOutcome> {
  if (!fromEnvironment) {
    const table = process.env.GANZOO_TABLE;
    if (!table) throw new Error('GANZOO_TABLE is not set: the Batch state handler needs the runs table');
    fromEnvironment = createBatchStateHandler({ runStore: new DynamoRunStore({ table }) });
  }
  return fromEnvironment(event);
}
