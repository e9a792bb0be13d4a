/**
 * Run status in a local status.json, for runs without DynamoDB. Every report goes through shared/run.ts
 * `transition`, as in the cloud, so a late heartbeat or a report after a cancel never moves the run back.
 * Also home to what both status sinks share: the refusal error and how a report is applied.
 */
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { runFiles } from '../../shared/keys.ts';
import {
  finiteProgress,
  nextTimestamp,
  type RunRecord,
  type RunStatus,
  transition,
} from '../../shared/run.ts';
import type { ExperimentSpec } from '../../shared/spec.ts';
import type { StatusSink, TrainerStatus } from './types.ts';

/**
 * The status store refused a report: the run ended (e.g. CANCELLED) or a newer attempt began. The loop
 * should stop: nobody is waiting for this attempt's work any more.
 */
export class StatusRefused extends Error {
  override readonly name = 'StatusRefused';
  constructor(
    readonly runId: string,
    readonly report: TrainerStatus,
    /** The stored status and attempt that refused the report. */
    readonly current: { status: RunStatus; attempt: number },
    readonly reason: string,
  ) {
    super(`run ${runId}: ${report.status} (attempt ${report.attempt}) refused: ${reason}`);
  }
}

export function isStatusRefused(err: unknown): err is StatusRefused {
  return err instanceof StatusRefused;
}

/** A run record as a trainer may know it: a run started by hand has no owner or spec on record. */
export type RunState = Omit<RunRecord, 'owner' | 'spec'> & Partial<Pick<RunRecord, 'owner' | 'spec'>>;

/** What to put in a run record the trainer has to create itself (started without the API). */
export interface RunSeed {
  owner?: string;
  spec?: ExperimentSpec;
}

/** The record for a run nobody registered: QUEUED, so the trainer's first report applies normally. */
export function newRunState(runId: string, attempt: number, seed: RunSeed = {}, at = nowIso()): RunState {
  return {
    id: runId,
    ...(seed.owner !== undefined ? { owner: seed.owner } : {}),
    ...(seed.spec !== undefined ? { spec: seed.spec } : {}),
    status: 'QUEUED',
    attempt,
    createdAt: at,
    updatedAt: at,
    history: [{ status: 'QUEUED', attempt, at }],
  };
}

function nowIso(): string {
  return new Date().toISOString();
}

/**
 * Applies a trainer's report to the current record through `transition`. Returns the next record and
 * whether it differs (a duplicate or late heartbeat does not); throws StatusRefused when refused.
 */
export function applyReport(current: RunState, report: TrainerStatus): { changed: boolean; next: RunState } {
  if (current.id !== report.runId) {
    throw new Error(`status record is for run ${current.id}, not ${report.runId}`);
  }
  // transition only reads status, attempt and progress and spreads the rest, so a record without owner or
  // spec passes through unchanged.
  const result = transition(current as RunRecord, {
    status: report.status,
    attempt: report.attempt,
    ...(report.progress !== undefined ? { progress: finiteProgress(report.progress) } : {}),
    ...(report.reason !== undefined ? { reason: report.reason } : {}),
    at: nextTimestamp(current.updatedAt),
  });
  if (!result.ok) {
    throw new StatusRefused(
      report.runId,
      report,
      { status: current.status, attempt: current.attempt },
      result.reason,
    );
  }
  return { changed: result.changed, next: result.record };
}

/** Writers of one status file inside this process queue here; other processes are kept out by a lock file. */
const queues = new Map<string, Promise<unknown>>();

const LOCK_STALE_MS = 10_000;
const LOCK_WAIT_MS = 30_000;

async function withLockFile<T>(lock: string, fn: () => Promise<T>): Promise<T> {
  const started = Date.now();
  for (;;) {
    try {
      await (await open(lock, 'wx')).close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const age = await stat(lock).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      // A holder that crashed leaves its lock behind; the critical section takes milliseconds.
      if (age > LOCK_STALE_MS) {
        await rm(lock, { force: true });
        continue;
      }
      if (Date.now() - started > LOCK_WAIT_MS) {
        throw new Error(
          `status file lock ${lock} held for over ${LOCK_WAIT_MS / 1000} s; remove it if no trainer runs`,
        );
      }
      await sleep(5 + Math.random() * 20);
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lock, { force: true });
  }
}

export interface FileStatusSinkOptions {
  seed?: RunSeed;
}

export class FileStatusSink implements StatusSink {
  readonly path: string;
  private readonly seed: RunSeed;

  /** `root` is the run folder (the same one LocalArtifactSink writes); the file is runFiles.status in it. */
  constructor(
    readonly root: string,
    options: FileStatusSinkOptions = {},
  ) {
    this.path = join(resolve(root), runFiles.status);
    this.seed = options.seed ?? {};
  }

  /** The current record, or undefined before the first report; `runId`, if given, must be the file's run. */
  async read(runId?: string): Promise<RunState | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    let state: RunState;
    try {
      state = JSON.parse(text) as RunState;
    } catch (err) {
      throw new Error(`${this.path} is not valid JSON: ${(err as Error).message}`, { cause: err });
    }
    // One folder per run: a different id means the output folder was reused for another run by mistake.
    if (runId !== undefined && state.id !== runId) {
      throw new Error(`${this.path} holds the status of run ${state.id}, not ${runId}`);
    }
    return state;
  }

  report(status: TrainerStatus): Promise<void> {
    const previous = queues.get(this.path) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.apply(status));
    queues.set(this.path, next);
    // Drop the queue entry once idle, so a long-lived process does not keep one per run forever.
    void next
      .catch(() => undefined)
      .then(() => {
        if (queues.get(this.path) === next) queues.delete(this.path);
      });
    return next;
  }

  private async apply(status: TrainerStatus): Promise<void> {
    await mkdir(resolve(this.root), { recursive: true });
    // '.tmp-' in the names keeps them out of LocalArtifactSink listings while they exist.
    await withLockFile(`${this.path}.tmp-lock`, async () => {
      const current = (await this.read()) ?? newRunState(status.runId, status.attempt, this.seed);
      const { changed, next } = applyReport(current, status);
      if (!changed) return;
      const tmp = `${this.path}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
      await writeFile(tmp, `${JSON.stringify(next, null, 2)}\n`);
      await rename(tmp, this.path);
    });
  }
}
