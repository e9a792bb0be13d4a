/**
 * The small interfaces the API is written against. createApp({ runStore, artifacts, runner, auth }) takes
 * them, so the same Hono app runs on Lambda (DynamoDB, S3, Batch), locally (in-process emulators and the
 * local process runner) and in tests (the same emulators).
 */
import type { RunPage, SampleRef } from '../shared/api/schemas.ts';
import type { JobUsage, RunCost } from '../shared/cost.ts';
import type { GroupRecord } from '../shared/group.ts';
import type { Labels } from '../shared/labels.ts';
import type { RunRecord, RunStatus, StatusUpdate, TransitionResult } from '../shared/run.ts';
import type { UploadedDataset } from '../shared/uploads.ts';

export type { RunPage, SampleRef };

export interface ListQuery {
  owner: string;
  status?: RunStatus;
  family?: string;
  /** Only runs with this tag. */
  tag?: string;
  /** Only runs whose name holds this text, ignoring case. */
  q?: string;
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
  /** As get for each id, in their order, in as few reads as the store allows (a group's members). */
  getMany(ids: readonly string[]): Promise<(RunRecord | undefined)[]>;
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
  /**
   * Sets the run's labels (undefined: none), only if they are still `read` (what the caller read and
   * changed); false when another write changed them first. Never touches the status or its version.
   */
  setLabels(id: string, labels: Labels | undefined, read: Labels | undefined): Promise<boolean>;
  /**
   * Takes a slot among the owner's runs in flight for every run at once, or none (TooManyRunsInFlight, its
   * `asked` the number of runs): an experiment group's members count together. A later create() of each
   * run finds its slot held. Without a limit it does nothing.
   */
  reserveSlots(owner: string, runs: readonly RunRecord[]): Promise<void>;
  /** Frees slots reserveSlots() took for runs that were then not stored. */
  releaseSlots(owner: string, runs: readonly RunRecord[]): Promise<void>;
}

export interface GroupStore {
  /** Stores a new group; false when its id is taken. */
  create(group: GroupRecord): Promise<boolean>;
  get(id: string): Promise<GroupRecord | undefined>;
  /** One owner's groups, newest first. */
  list(
    owner: string,
    limit: number,
    cursor?: string,
  ): Promise<{ groups: GroupRecord[]; nextCursor?: string }>;
  /** Replaces the group with `next` only if it is still `read`; false when another write came first. */
  replace(read: GroupRecord, next: GroupRecord): Promise<boolean>;
  /**
   * Claims an idempotency key of the owner for a group id: the id that holds the key (this one when the
   * claim is new). `release` gives a claim up, when its group could not be made.
   */
  claim(owner: string, key: string, groupId: string): Promise<string>;
  release(owner: string, key: string, groupId: string): Promise<void>;
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
  /**
   * Starts every member of a group as one job (a Batch array job, the member picked by its array index);
   * returns the group's job id and each member's, in member order. A runner without it gets each member
   * submitted in turn.
   */
  submitGroup?(
    group: GroupRecord,
    members: readonly RunRecord[],
  ): Promise<{ jobId: string; memberJobIds: string[] }>;
  /** Stops a group's job and with it every member still in it. */
  cancelGroup?(group: GroupRecord, reason: string): Promise<void>;
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
