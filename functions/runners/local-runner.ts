/**
 * Runs the trainer on this machine: one child process per run (trainer/job.ts, as the Batch container
 * runs it), at most `concurrency` at a time and the rest waiting in order. The trainer reports its own
 * progress and outcome to the runs table; this runner reports what the trainer cannot: a crash, a cancel,
 * a stop nobody asked for, and runs a previous process left behind.
 * It keeps Batch's promise: a trainer stopped from outside (SIGTERM or SIGINT after a checkpoint) or killed
 * without a chance to write one (SIGKILL, as the kernel's out-of-memory killer sends) is started again as
 * the run's next attempt, from its latest checkpoint, while `resources.retries` allows. A trainer that
 * exits with an error is not: a retry would fail the same way. Each failure is recorded as one line a
 * person can act on: what happened, at which step, the latest checkpoint and where the log is. Each
 * process's wall time goes into the run's cost estimate, at no charge (shared/cost.ts).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertRunId } from '../../shared/keys.ts';
import { lastAttempt, queuedAttempt, type RunRecord, type StatusUpdate } from '../../shared/run.ts';
import type { ArtifactStore, JobRunner, RunStore } from '../ports.ts';

export interface LocalRunnerOptions {
  runStore: RunStore;
  /** Each run's stdout and stderr are appended to {logsDir}/{runId}.log, all attempts in one file. */
  logsDir: string;
  /** Where the trainer keeps artifacts and status, as on Batch (GANZOO_BUCKET, GANZOO_TABLE). */
  bucket: string;
  table: string;
  /** Emulator endpoints (AWS_ENDPOINT_URL_S3 / _DYNAMODB for the child). */
  s3Endpoint?: string;
  dynamoEndpoint?: string;
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Trainers running at once; default 1 (training takes every core it gets). */
  concurrency?: number;
  /** After SIGTERM, how long a trainer may take to write its checkpoint before SIGKILL; default 30 s. */
  killGraceMs?: number;
  /** Node arguments that start one trainer job; default `--import tsx trainer/job.ts`. */
  trainerArgs?: string[];
  /** Working directory of the child; default the repository root. */
  cwd?: string;
  /** More environment for the child, e.g. GANZOO_BACKEND. */
  env?: Record<string, string>;
  /** Where the runner's own notes go (a run's store write failed, ...); default stderr. */
  log?: (line: string) => void;
  /** The runs' artifacts, to name the latest checkpoint in a failure's reason. */
  artifacts?: Pick<ArtifactStore, 'latestCheckpoint'>;
}

export interface LocalJob {
  runId: string;
  attempt: number;
  jobId: string;
  state: 'queued' | 'running';
  pid?: number;
}

export interface ReconcileResult {
  /** Re-queued as a new attempt (they had started) or at the same one (they had not). */
  resumed: string[];
  /** Marked FAILED: out of attempts, or nothing to resume from. */
  failed: string[];
  /** Left alone: the store refused the new attempt (the run moved on meanwhile) or could not be written. */
  skipped: string[];
}

interface Entry {
  runId: string;
  attempt: number;
  /** Attempts in all that the spec allows. */
  retries: number;
}

interface Running {
  entry: Entry;
  child: ChildProcess;
  /** Why it is being stopped, when this runner stopped it. */
  stop?: { kind: 'cancel'; reason: string } | { kind: 'shutdown' };
  killTimer?: NodeJS.Timeout;
  exited: Promise<void>;
  /** When the process was started (ms), for the run's cost: its wall time. */
  startedAt: number;
}

const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const DEFAULT_TRAINER_ARGS = ['--import', 'tsx', 'trainer/job.ts'];
const STDERR_TAIL_BYTES = 8_192;
const REASON_CHARS = 1_500;

export function localJobId(runId: string, attempt: number): string {
  return `local-${runId}-${attempt}`;
}

/**
 * What the trainer said about its failure, for a one-line reason: its last `failed:` or `error:` line (run.ts
 * and job.ts write those), else its last line; never its progress lines.
 */
export function trainerSaid(text: string, maxChars = REASON_CHARS): string {
  const lines = text
    .split(/\r?\n|\r/)
    .map((l) => l.trim())
    .filter(Boolean);
  const said = lines.findLast((l) => /^(failed|error):/.test(l)) ?? lines.at(-1) ?? '';
  return said.length > maxChars ? `${said.slice(0, maxChars)}...` : said;
}

export class LocalRunner implements JobRunner {
  private readonly queue: Entry[] = [];
  private readonly running = new Map<string, Running>();
  private readonly concurrency: number;
  private readonly killGraceMs: number;
  private readonly log: (line: string) => void;
  private idleWaiters: (() => void)[] = [];
  /** A later attempt submitted while the previous one's process is still stopping: started once it has. */
  private readonly next = new Map<string, Entry>();
  private closed = false;

  constructor(private readonly options: LocalRunnerOptions) {
    this.concurrency = Math.max(1, options.concurrency ?? 1);
    this.killGraceMs = options.killGraceMs ?? 30_000;
    this.log = options.log ?? ((line) => process.stderr.write(`local-runner: ${line}\n`));
  }

  logPath(runId: string): string {
    return join(resolve(this.options.logsDir), `${assertRunId(runId)}.log`);
  }

  /** What this runner holds now: running first, then the queue in order. */
  jobs(): LocalJob[] {
    const job = (e: Entry, state: LocalJob['state'], pid?: number): LocalJob => ({
      runId: e.runId,
      attempt: e.attempt,
      jobId: localJobId(e.runId, e.attempt),
      state,
      ...(pid !== undefined ? { pid } : {}),
    });
    return [
      ...[...this.running.values()].map((r) => job(r.entry, 'running', r.child.pid)),
      ...this.queue.map((e) => job(e, 'queued')),
    ];
  }

  async submit(run: RunRecord): Promise<{ jobId: string }> {
    if (this.closed) throw new Error('the local runner is shutting down');
    assertRunId(run.id);
    const entry = { runId: run.id, attempt: run.attempt, retries: this.attemptsOf(run) };
    // A second submit of a run it already holds (e.g. a retried request) is the same job.
    const held = this.running.get(run.id)?.entry ?? this.queue.find((e) => e.runId === run.id);
    if (held && held.attempt >= run.attempt) return { jobId: localJobId(held.runId, held.attempt) };
    if (held) {
      // A resume of a run whose cancelled attempt is still writing its checkpoint: it follows that one.
      this.next.set(run.id, entry);
    } else {
      this.enqueue(entry);
    }
    return { jobId: localJobId(run.id, run.attempt) };
  }

  /**
   * The last attempt number this runner may start for the run (shared/run.ts lastAttempt, as Batch counts
   * it: a resume starts the count afresh); a record without a spec gets none past its queued one.
   */
  private attemptsOf(run: RunRecord): number {
    return run.spec?.resources ? lastAttempt(run) : queuedAttempt(run) - 1;
  }

  /** Drops a queued run, or stops a running one: SIGTERM (it checkpoints), then SIGKILL after the grace. */
  async cancel(run: RunRecord, reason: string): Promise<void> {
    const queued = this.queue.findIndex((e) => e.runId === run.id);
    if (queued >= 0) {
      const [entry] = this.queue.splice(queued, 1);
      await this.record(entry!, { status: 'CANCELLED', reason });
      this.notifyIfIdle();
      return;
    }
    const r = this.running.get(run.id);
    if (!r || r.stop) return;
    r.stop = { kind: 'cancel', reason };
    this.terminate(r);
  }

  /**
   * Takes up runs a previous process left unfinished (list them with the run store): one that had started
   * resumes from its checkpoint as the next attempt, one that had not starts as submitted, and one out of
   * attempts is marked FAILED. Call it before accepting new submissions.
   */
  async reconcile(runs: RunRecord[]): Promise<ReconcileResult> {
    const result: ReconcileResult = { resumed: [], failed: [], skipped: [] };
    for (const run of runs) {
      if (!['SUBMITTED', 'STARTING', 'RUNNING'].includes(run.status)) continue;
      if (this.running.has(run.id) || this.queue.some((e) => e.runId === run.id)) continue;
      const entry = { runId: run.id, attempt: run.attempt, retries: this.attemptsOf(run) };
      if (run.spec?.resources?.retries === undefined) {
        const reason = 'cannot be resumed after a restart: its record has no spec';
        const ok = await this.record(entry, { status: 'FAILED', reason });
        result[ok ? 'failed' : 'skipped'].push(run.id);
      } else if (run.status === 'SUBMITTED') {
        // It never started, so it has not used its attempt.
        this.enqueue(entry);
        result.resumed.push(run.id);
      } else {
        const why = `the runner stopped while attempt ${run.attempt} was ${run.status}`;
        const outcome = await this.retry(entry, why, false);
        result[outcome].push(run.id);
      }
    }
    return result;
  }

  /** Resolves once nothing runs and nothing waits. */
  idle(): Promise<void> {
    if (this.running.size === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Stops for good: queued runs are dropped and running trainers stopped with a checkpoint, all left as
   * they are in the store, so the next process's reconcile() takes them up again.
   */
  async close(): Promise<void> {
    this.closed = true;
    this.queue.length = 0;
    const stopping = [...this.running.values()];
    for (const r of stopping) {
      if (r.stop?.kind !== 'cancel') r.stop = { kind: 'shutdown' };
      this.terminate(r);
    }
    await Promise.all(stopping.map((r) => r.exited));
  }

  private enqueue(entry: Entry, first = false): void {
    if (first) this.queue.unshift(entry);
    else this.queue.push(entry);
    this.pump();
  }

  private pump(): void {
    while (!this.closed && this.running.size < this.concurrency && this.queue.length > 0) {
      this.start(this.queue.shift()!);
    }
    this.notifyIfIdle();
  }

  private notifyIfIdle(): void {
    if (this.running.size > 0 || this.queue.length > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private childEnv(entry: Entry): NodeJS.ProcessEnv {
    const o = this.options;
    const env: NodeJS.ProcessEnv = { ...process.env, ...o.env };
    // A folder or a Batch attempt from this process's own environment would mislead the trainer.
    delete env.GANZOO_RUN_DIR;
    delete env.AWS_BATCH_JOB_ATTEMPT;
    Object.assign(env, {
      // Trainers sharing the cores: a native trainer takes its share of them as TensorFlow threads.
      GANZOO_TRAINERS: String(this.concurrency),
      GANZOO_RUN_ID: entry.runId,
      GANZOO_ATTEMPT: String(entry.attempt),
      GANZOO_BUCKET: o.bucket,
      GANZOO_TABLE: o.table,
      ...(o.s3Endpoint ? { AWS_ENDPOINT_URL_S3: o.s3Endpoint } : {}),
      ...(o.dynamoEndpoint ? { AWS_ENDPOINT_URL_DYNAMODB: o.dynamoEndpoint } : {}),
      ...(o.region ? { AWS_REGION: o.region } : {}),
      ...(o.credentials
        ? {
            AWS_ACCESS_KEY_ID: o.credentials.accessKeyId,
            AWS_SECRET_ACCESS_KEY: o.credentials.secretAccessKey,
            ...(o.credentials.sessionToken ? { AWS_SESSION_TOKEN: o.credentials.sessionToken } : {}),
          }
        : {}),
    });
    return env;
  }

  private start(entry: Entry): void {
    const path = this.logPath(entry.runId);
    mkdirSync(resolve(this.options.logsDir), { recursive: true });
    const logFile = createWriteStream(path, { flags: 'a' });
    const jobId = localJobId(entry.runId, entry.attempt);
    logFile.write(`=== ${new Date().toISOString()} ${jobId}: attempt ${entry.attempt} starts ===\n`);
    const child = spawn(process.execPath, this.options.trainerArgs ?? DEFAULT_TRAINER_ARGS, {
      cwd: this.options.cwd ?? REPO_ROOT,
      env: this.childEnv(entry),
      stdio: ['ignore', 'pipe', 'pipe'],
      // A process group of its own: a terminal's Ctrl-C reaches the platform, which stops the trainer with
      // one SIGTERM, and not the trainer as well (a second signal would stop it before its checkpoint).
      detached: true,
    });
    let stderrTail = '';
    let spawnError: Error | undefined;
    child.stdout?.on('data', (chunk: Buffer) => logFile.write(chunk));
    child.stderr?.on('data', (chunk: Buffer) => {
      logFile.write(chunk);
      stderrTail = (stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES);
    });
    child.on('error', (err) => {
      spawnError = err;
    });
    const exited = new Promise<void>((done) => {
      // 'close' comes after the output is drained, so the tail is complete; it also follows a failed spawn.
      child.on('close', (code, signal) => {
        const how = code !== null ? `exit code ${code}` : `signal ${signal}`;
        // Finish once the log is on disk, so whoever waits on this job can read all of it.
        logFile.end(`=== ${new Date().toISOString()} ${jobId}: ended with ${how} ===\n`, () => {
          void this.finish(r, { code, signal, tail: stderrTail, spawnError })
            .catch((err: Error) => this.log(`run ${entry.runId}: ${err.message}`))
            .finally(done);
        });
      });
    });
    const r: Running = { entry, child, exited, startedAt: Date.now() };
    this.running.set(entry.runId, r);
  }

  private terminate(r: Running): void {
    r.child.kill('SIGTERM');
    r.killTimer ??= setTimeout(() => r.child.kill('SIGKILL'), this.killGraceMs);
    // The timer must not keep a shutting-down process alive by itself.
    r.killTimer.unref();
  }

  private async finish(
    r: Running,
    ended: { code: number | null; signal: NodeJS.Signals | null; tail: string; spawnError?: Error },
  ) {
    const { entry } = r;
    const { code, signal } = ended;
    clearTimeout(r.killTimer);
    // Recorded while the job still counts as running, so nobody waiting for idle() misses it.
    const seconds = Math.round((Date.now() - r.startedAt) / 1000);
    await this.options.runStore
      .recordUsage(entry.runId, localJobId(entry.runId, entry.attempt), {
        capacity: 'local',
        seconds,
        usdPerHour: 0,
      })
      .catch((err: Error) => this.log(`run ${entry.runId}: its wall time was not recorded: ${err.message}`));
    this.running.delete(entry.runId);
    try {
      if (r.stop?.kind === 'shutdown') return;
      if (r.stop?.kind === 'cancel') {
        await this.record(entry, { status: 'CANCELLED', reason: r.stop.reason });
      } else if (code === 0) {
        // The trainer reported its own outcome.
      } else if (code === 143 || code === 130 || signal === 'SIGTERM' || signal === 'SIGINT') {
        // Stopped from outside with a checkpoint written (or at least asked to write one): go on from it.
        if (!this.closed) await this.retry(entry, `attempt ${entry.attempt} was stopped (${signal ?? code})`);
      } else if (ended.spawnError) {
        const reason = `the trainer could not be started: ${ended.spawnError.message}`;
        await this.record(entry, { status: 'FAILED', reason });
      } else if (signal !== null) {
        // Killed without a chance to checkpoint (SIGKILL from the out-of-memory killer or kill -9): as Batch
        // retries an attempt lost with its host, the next attempt resumes from the latest checkpoint.
        const at = await this.stepReached(entry);
        const why = `attempt ${entry.attempt}: the trainer was killed by ${signal}${at}${
          signal === 'SIGKILL'
            ? ' (the kernel sends SIGKILL when memory runs out; lower batchSize if it recurs)'
            : ''
        }`;
        if (!this.closed) await this.retry(entry, why);
      } else {
        const said = trainerSaid(ended.tail);
        const at = await this.stepReached(entry);
        await this.record(entry, {
          status: 'FAILED',
          reason: `attempt ${entry.attempt}: the trainer exited with code ${code}${at}${said ? `: ${said}` : ''}; ${await this.whereToGoOn(entry)}`,
        });
      }
    } finally {
      const next = this.next.get(entry.runId);
      this.next.delete(entry.runId);
      if (next && !this.closed) this.enqueue(next, true);
      this.pump();
    }
  }

  /** " at step N", from the run's last heartbeat, or nothing when it has none. */
  private async stepReached(entry: Entry): Promise<string> {
    const step = await this.options.runStore.get(entry.runId).then(
      (run) => (run?.attempt === entry.attempt ? run.progress?.step : undefined),
      () => undefined,
    );
    return step === undefined ? '' : ` at step ${step}`;
  }

  /** The end of a failure's reason: the latest checkpoint, where the log is, and how to go on. */
  private async whereToGoOn(entry: Entry): Promise<string> {
    const checkpoint = await this.options.artifacts?.latestCheckpoint(entry.runId).catch(() => undefined);
    const from =
      checkpoint === undefined
        ? this.options.artifacts
          ? 'no checkpoint yet; resume restarts it from step 0'
          : 'resume continues from its latest checkpoint'
        : `latest checkpoint: step ${checkpoint}, where resume continues`;
    return `${from}; log: ${this.logPath(entry.runId)}`;
  }

  /**
   * Starts the next attempt of a run whose attempt ended early, from its latest checkpoint; marks it FAILED
   * when its attempts are used up. The STARTING write also turns away any report of the old attempt.
   */
  private async retry(entry: Entry, why: string, first = true): Promise<'resumed' | 'failed' | 'skipped'> {
    const next = entry.attempt + 1;
    if (next > entry.retries) {
      const ok = await this.record(entry, {
        status: 'FAILED',
        reason: `${why}, and the run has no attempts left (resources.retries is ${entry.retries}); ${await this.whereToGoOn(entry)}`,
      });
      return ok ? 'failed' : 'skipped';
    }
    const resumed = { ...entry, attempt: next };
    const ok = await this.record(resumed, {
      status: 'STARTING',
      attempt: next,
      jobId: localJobId(entry.runId, next),
    });
    if (!ok) return 'skipped';
    this.log(`run ${entry.runId}: ${why}; resuming as attempt ${next}`);
    // A run stopped midway was admitted before anything still waiting, so it goes first.
    this.enqueue(resumed, first);
    return 'resumed';
  }

  /** Applies an update; a refusal (the run ended, or moved to a newer attempt) is noted, not thrown. */
  private async record(entry: Entry, update: StatusUpdate): Promise<boolean> {
    try {
      const result = await this.options.runStore.update(entry.runId, { attempt: entry.attempt, ...update });
      if (!result.ok) this.log(`run ${entry.runId}: ${update.status} not recorded: ${result.reason}`);
      return result.ok;
    } catch (err) {
      this.log(`run ${entry.runId}: ${update.status} not recorded: ${(err as Error).message}`);
      return false;
    }
  }
}
