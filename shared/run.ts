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
import type { z } from 'zod';
import type { ResumedRunSchema, RunProgressSchema, RunSchema, StatusEventSchema } from './run-record.ts';
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

export type RunProgress = z.output<typeof RunProgressSchema>;
export type StatusEvent = z.output<typeof StatusEventSchema>;
export type RunRecord = z.output<typeof RunSchema>;
export type ResumedRun = z.output<typeof ResumedRunSchema>;

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
  'group',
  'labels',
  'upload',
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

/**
 * A timestamp strictly after `previous`: updatedAt doubles as the record's version for conditional
 * writes, so two writes in the same millisecond (or a writer with a slow clock) must still differ.
 */
export function nextTimestamp(previous: string | undefined, now = Date.now()): string {
  const prev = previous === undefined ? Number.NaN : Date.parse(previous);
  return new Date(Number.isFinite(prev) && prev >= now ? prev + 1 : now).toISOString();
}

/** Drops NaN and infinite numbers: neither JSON nor DynamoDB can hold them, and a diverged loss is still news. */
export function finiteProgress(progress: RunProgress): RunProgress {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(progress)) {
    if (typeof v === 'number' && !Number.isFinite(v)) continue;
    if (k === 'losses' && v && typeof v === 'object') {
      out[k] = Object.fromEntries(
        Object.entries(v).filter(([, n]) => typeof n === 'number' && Number.isFinite(n)),
      );
    } else if (v !== undefined) {
      out[k] = v;
    }
  }
  return out as unknown as RunProgress;
}
