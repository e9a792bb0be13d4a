/**
 * The run record and its status machine. `transition` is pure: every store applies it (and writes
 * conditionally on the status and attempt it read), so late, duplicated or reordered updates never move a
 * run backwards.
 *
 *   QUEUED -> SUBMITTED -> STARTING -> RUNNING -> SUCCEEDED | FAILED | CANCELLED
 *   RUNNING -> STARTING only for a retry, with a higher attempt.
 *   -> SUBMITTED with a higher attempt only with a new job (the run moved to other capacity).
 *   FAILED | CANCELLED -> QUEUED only for a resume asked for by the owner, as the next attempt.
 */
import type { RunCost } from './cost.ts';
import type { ExperimentSpec } from './spec.ts';

export const RUN_STATUSES = [
  'QUEUED',
  'SUBMITTED',
  'STARTING',
  'RUNNING',
  'SUCCEEDED',
  'FAILED',
  'CANCELLED',
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const TERMINAL_STATUSES: readonly RunStatus[] = ['SUCCEEDED', 'FAILED', 'CANCELLED'];

export function isTerminal(status: RunStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/** Live progress, written by the trainer's heartbeats. */
export interface RunProgress {
  step: number;
  totalSteps: number;
  imagesPerSecond?: number;
  etaSeconds?: number;
  backend?: string;
  lastSampleStep?: number;
  losses?: Record<string, number>;
  /** Set while the trainer scores the exported generator, after the last step. */
  phase?: 'evaluating';
}

/** A status the run entered (or a retry's new attempt), with when: the run page's timeline. */
export interface StatusEvent {
  status: RunStatus;
  attempt: number;
  at: string;
  /** Why the run entered it, when not the trainer's own doing (e.g. moved to on-demand capacity). */
  note?: string;
}

export interface RunRecord {
  id: string;
  owner: string;
  spec: ExperimentSpec;
  status: RunStatus;
  /** 1-based attempt number; a retry after a host or Spot failure increments it. */
  attempt: number;
  jobId?: string;
  progress?: RunProgress;
  /** Why the run failed or was cancelled, in words a person can act on. */
  reason?: string;
  createdAt: string;
  updatedAt: string;
  /** Every status entered, oldest first (absent on records written before it was kept). */
  history?: StatusEvent[];
  /** What the run has cost so far, an estimate (shared/cost.ts); written apart from its status. */
  cost?: RunCost;
}

/** Every field of a RunRecord, in the order the API shows them. */
export const RUN_FIELDS = [
  'id',
  'owner',
  'spec',
  'status',
  'attempt',
  'jobId',
  'progress',
  'reason',
  'createdAt',
  'updatedAt',
  'history',
  'cost',
] as const satisfies readonly (keyof RunRecord)[];

/** What a listing of runs carries: all but the history, which only a run's own page shows. */
export const RUN_LIST_FIELDS = RUN_FIELDS.filter((f) => f !== 'history');

export interface StatusUpdate {
  status: RunStatus;
  /**
   * The owner asked to continue a FAILED or CANCELLED run from its last checkpoint: the run moves to QUEUED
   * as the next attempt, and the ended attempt's job id and reason are dropped.
   */
  resume?: boolean;
  /** Defaults to the record's current attempt. */
  attempt?: number;
  jobId?: string;
  reason?: string;
  progress?: RunProgress;
  at?: string;
  /** Kept on the history entry this update adds. */
  note?: string;
}

export type TransitionResult =
  | { ok: true; changed: boolean; record: RunRecord }
  | { ok: false; reason: string };

const ORDER: Record<RunStatus, number> = {
  QUEUED: 0,
  SUBMITTED: 1,
  STARTING: 2,
  RUNNING: 3,
  SUCCEEDED: 4,
  FAILED: 4,
  CANCELLED: 4,
};

/**
 * Applies an update to a record. Returns the new record, the same record unchanged (a duplicate update,
 * `changed: false`), or a refusal that says why (a move backwards, or out of a terminal state).
 */
export function transition(current: RunRecord, update: StatusUpdate): TransitionResult {
  const attempt = update.attempt ?? current.attempt;
  const from = current.status;
  const to = update.status;
  if (attempt < current.attempt) {
    return {
      ok: false,
      reason: `update for attempt ${attempt} arrived after attempt ${current.attempt} began`,
    };
  }
  if (update.resume) return resume(current, update, attempt);
  if (isTerminal(from)) {
    if (from === to && attempt === current.attempt) return { ok: true, changed: false, record: current };
    return { ok: false, reason: `run ${current.id} already ended as ${from}` };
  }
  const retry = attempt > current.attempt;
  const resubmitted =
    retry && to === 'SUBMITTED' && update.jobId !== undefined && update.jobId !== current.jobId;
  if (retry && to !== 'STARTING' && !isTerminal(to) && to !== 'RUNNING' && !resubmitted) {
    return { ok: false, reason: `attempt ${attempt} cannot begin in ${to}` };
  }
  // One job holds an attempt: a second job for it (a duplicate resubmission) must not take the run over.
  if (!retry && update.jobId !== undefined && current.jobId !== undefined && update.jobId !== current.jobId) {
    return { ok: false, reason: `attempt ${attempt} belongs to job ${current.jobId}, not ${update.jobId}` };
  }
  if (!retry && ORDER[to] < ORDER[from]) {
    return { ok: false, reason: `cannot move from ${from} back to ${to}` };
  }
  const progressOnly = !retry && to === from;
  if (progressOnly && update.progress === undefined && update.jobId === undefined) {
    return { ok: true, changed: false, record: current };
  }
  if (progressOnly && update.progress && current.progress && update.progress.step < current.progress.step) {
    // A late heartbeat: keep the newer progress.
    return { ok: true, changed: false, record: current };
  }
  const at = update.at ?? new Date().toISOString();
  const record: RunRecord = {
    ...current,
    status: to,
    attempt,
    updatedAt: at,
    ...(progressOnly
      ? {}
      : {
          history: [
            ...(current.history ?? []),
            { status: to, attempt, at, ...(update.note ? { note: update.note } : {}) },
          ],
        }),
    ...(update.jobId !== undefined ? { jobId: update.jobId } : {}),
    ...(update.progress !== undefined ? { progress: update.progress } : {}),
    ...(update.reason !== undefined ? { reason: update.reason } : {}),
  };
  return { ok: true, changed: true, record };
}

/** What POST /experiments/{id}/resume answers: the run submitted again, and the step it continues from. */
export interface ResumedRun extends RunRecord {
  /** The step of the run's latest checkpoint when it was resumed (0: from the start). */
  resumeFrom: number;
}

/** Whether a run can be continued from its last checkpoint (POST /experiments/{id}/resume). */
export function isResumable(status: RunStatus): boolean {
  return status === 'FAILED' || status === 'CANCELLED';
}

function resume(current: RunRecord, update: StatusUpdate, attempt: number): TransitionResult {
  if (!isResumable(current.status)) {
    return {
      ok: false,
      reason: `run ${current.id} is ${current.status}; only a FAILED or CANCELLED run resumes`,
    };
  }
  if (update.status !== 'QUEUED' || attempt !== current.attempt + 1) {
    return {
      ok: false,
      reason: `a resume of run ${current.id} is QUEUED as attempt ${current.attempt + 1}, not ${update.status} as attempt ${attempt}`,
    };
  }
  const at = update.at ?? new Date().toISOString();
  const { jobId: _job, reason: _reason, ...rest } = current;
  return {
    ok: true,
    changed: true,
    record: {
      ...rest,
      status: 'QUEUED',
      attempt,
      updatedAt: at,
      history: [...(current.history ?? []), { status: 'QUEUED', attempt, at }],
    },
  };
}

/**
 * The attempt the run was last queued as: 1 for a run as submitted, the resume's attempt after a resume (the
 * last QUEUED entry of its history). A resume starts the run's count of attempts afresh from here, and the
 * run takes its slot among its owner's runs in flight under it.
 */
export function queuedAttempt(run: { history?: readonly StatusEvent[] }): number {
  return run.history?.findLast((e) => e.status === 'QUEUED')?.attempt ?? 1;
}

/**
 * The last attempt a run may start before it must be resumed by hand: `resources.retries` attempts in all,
 * counted from the attempt it was last queued as. A resume is the owner asking for more, so it gets a fresh
 * count; a retry and a move to on-demand capacity are the platform's own doing, so they use what is left of
 * it. Batch's retry strategy (functions/runners/batch-runner.ts) and the local runner both follow this.
 */
export function lastAttempt(run: {
  spec: Pick<ExperimentSpec, 'resources'>;
  history?: readonly StatusEvent[];
}): number {
  return queuedAttempt(run) - 1 + run.spec.resources.retries;
}

/** A Batch job as a run's attempts see it: its id, and the run's attempt its own first attempt is. */
export interface RunJob {
  id: string;
  /** The run's attempt when the job was submitted (GANZOO_FIRST_ATTEMPT); Batch's attempt k is this + k - 1. */
  firstAttempt: number;
}

/**
 * Whether a job may still act for a run: the run names it, or names no job yet and its current attempt
 * began with this job (a run is resumed as a new job; the job it left may still be retried by Batch and
 * must then neither train nor move the run).
 */
export function jobOwnsRun(run: { jobId?: string; attempt: number }, job: RunJob): boolean {
  return run.jobId === undefined ? job.firstAttempt === run.attempt : run.jobId === job.id;
}
