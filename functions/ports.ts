/**
 * The small interfaces the API is written against. createApp({ runStore, artifacts, runner, auth }) takes
 * them, so the same Hono app runs on Lambda (DynamoDB, S3, Batch), locally (in-process emulators and the
 * local process runner) and in tests (the same emulators).
 */
import type { RunPage, SampleRef } from '../shared/api/schemas.ts';
import type { JobUsage, RunCost } from '../shared/cost.ts';
import type { RunRecord, RunStatus, StatusUpdate, TransitionResult } from '../shared/run.ts';
import type { UploadedDataset } from '../shared/uploads.ts';

export type { RunPage, SampleRef };

export interface ListQuery {
  owner: string;
  status?: RunStatus;
  family?: string;
  /** 1..100 */
  limit: number;
  /** Opaque, from a previous page's nextCursor. */
  cursor?: string;
}

export interface RunStore {
  /**
   * Stores a new QUEUED run. With an idempotency key, a second create with the same (owner, key) returns the
   * run the first one made (created: false) instead of making another. A store with a limit of runs in
   * flight throws TooManyRunsInFlight (shared/storage/run-slots.ts) for a run over it, and stores nothing.
   */
  create(run: RunRecord, idempotencyKey?: string): Promise<{ run: RunRecord; created: boolean }>;
  get(id: string): Promise<RunRecord | undefined>;
  /** Newest first; each run without its history (shared/run.ts RUN_LIST_FIELDS). */
  list(query: ListQuery): Promise<RunPage>;
  /**
   * Applies shared/run.ts transition with a conditional write on the status and attempt it read. The write
   * that ends a run frees its slot among its owner's runs in flight; a resume takes one again (or throws
   * TooManyRunsInFlight, the run left as it was).
   */
  update(id: string, update: StatusUpdate): Promise<TransitionResult>;
  /**
   * Every run, of any owner, that is SUBMITTED, STARTING or RUNNING: what a restarted local runner must
   * reconcile. A full scan, meant for the local platform's small table, not for the cloud.
   */
  listUnfinished(): Promise<RunRecord[]>;
  /**
   * Puts one job's billed usage into the run's cost estimate (shared/cost.ts withJobUsage: a shorter report
   * than the one kept changes nothing), whatever the run's status; its own conditional write, so it never
   * holds up or moves the status. The cost as it then stands, or undefined for an unknown run.
   */
  recordUsage(runId: string, jobId: string, usage: JobUsage): Promise<RunCost | undefined>;
}

export interface ArtifactStore {
  /** Writes a run-relative key (shared/keys.ts runFiles) under runs/{id}/. */
  put(runId: string, key: string, body: Uint8Array | string, contentType: string): Promise<void>;
  get(runId: string, key: string): Promise<Uint8Array | undefined>;
  /** Sample steps in step order, with presigned GET URLs; paginated. */
  listSamples(
    runId: string,
    page: { limit: number; cursor?: string },
  ): Promise<{ samples: SampleRef[]; nextCursor?: string }>;
  /** The step of the run's latest complete checkpoint (its state.json written), or undefined. */
  latestCheckpoint(runId: string): Promise<number | undefined>;
  /** A presigned GET URL for a run-relative key, or undefined when the object does not exist. */
  presign(runId: string, key: string, expiresSeconds?: number): Promise<string | undefined>;
}

export interface JobRunner {
  /** Starts the run's trainer; returns the job id (Batch job id, or the local runner's id). */
  submit(run: RunRecord): Promise<{ jobId: string }>;
  /** Stops it: Batch TerminateJob, or a signal to the local process. Idempotent. */
  cancel(run: RunRecord, reason: string): Promise<void>;
}

/**
 * Starts the validation job of an uploaded dataset's version (trainer/validate-job.ts): a Batch job with the
 * trainer image in the cloud, a child process locally. The job moves the version to READY or FAILED.
 */
export interface DatasetValidator {
  validate(dataset: UploadedDataset, version: number): Promise<{ jobId: string }>;
}

export interface Auth {
  /** The caller's identity from the Authorization header, or undefined when it is missing or invalid. */
  verify(authorization: string | undefined): Promise<{ subject: string } | undefined>;
}
