/**
 * The API as route tests use it: createApp over the real DynamoDB and S3 stores, pointed at the in-process
 * emulators (dynalite, fauxqs), with static-token auth for two callers and a RecordingRunner for the job
 * runner. Tests drive it with app.request(); no server is started.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { type AppDeps, createApp } from '../functions/app.ts';
import { staticTokenAuth } from '../functions/auth.ts';
import type { ErrorLogger } from '../functions/errors.ts';
import { newDatasetId } from '../functions/ids.ts';
import type { Auth, DatasetValidator, JobRunner } from '../functions/ports.ts';
import { S3ArtifactStore } from '../functions/stores/artifact-store.ts';
import { DynamoGroupStore } from '../functions/stores/group-store.ts';
import { DynamoRunStore } from '../functions/stores/run-store.ts';
import type { RunRecord } from '../shared/run.ts';
import { DatasetsTable } from '../shared/storage/datasets-table.ts';
import { S3Objects } from '../shared/storage/s3-objects.ts';
import type { UploadedDataset } from '../shared/uploads.ts';
import { dynamoClientFor, type Emulators, startEmulators } from './emulators.ts';

/**
 * A stand-in for AWS Batch in route tests: records every submit and cancel, answers submits with a job id,
 * and fails when told to. The real BatchRunner is tested on its own (functions/runners/batch-runner.test.ts).
 */
export class RecordingRunner implements JobRunner {
  readonly submits: RunRecord[] = [];
  readonly cancels: { run: RunRecord; reason: string }[] = [];
  /** When set, submit throws it (after recording the call). */
  submitError: Error | undefined;
  /** When set, cancel throws it (after recording the call). */
  cancelError: Error | undefined;

  async submit(run: RunRecord): Promise<{ jobId: string }> {
    this.submits.push(run);
    if (this.submitError) throw this.submitError;
    return { jobId: `job-${run.id}` };
  }

  async cancel(run: RunRecord, reason: string): Promise<void> {
    this.cancels.push({ run, reason });
    if (this.cancelError) throw this.cancelError;
  }

  reset(): void {
    this.submits.length = 0;
    this.cancels.length = 0;
    this.submitError = undefined;
    this.cancelError = undefined;
  }
}

/** A stand-in for the validation job in route tests: records what it was asked to validate. */
export class RecordingValidator implements DatasetValidator {
  readonly validations: { dataset: UploadedDataset; version: number }[] = [];

  async validate(dataset: UploadedDataset, version: number): Promise<{ jobId: string }> {
    this.validations.push({ dataset, version });
    return { jobId: `validate-${dataset.id}-v${version}` };
  }
}

/** Two callers, so tests can check that one never sees the other's runs. */
/** A vanilla GAN on ring8 that trains in a second or two: what platform tests and benchmarks submit. */
export const TINY_SPEC = {
  family: 'vanilla',
  dataset: 'ring8',
  steps: 20,
  batchSize: 16,
  sampleEvery: 10,
  hyperparameters: { hiddenUnits: 16, hiddenLayers: 1 },
} as const;

export const CALLERS = {
  one: { token: 'token-of-caller-one', subject: 'caller-one' },
  two: { token: 'token-of-caller-two', subject: 'caller-two' },
} as const;
export type Caller = keyof typeof CALLERS;

function callersAuth(): Auth {
  const auths = Object.values(CALLERS).map((c) => staticTokenAuth(c.token, c.subject));
  return {
    async verify(header) {
      for (const auth of auths) {
        const who = await auth.verify(header);
        if (who) return who;
      }
      return undefined;
    },
  };
}

/** A clock that moves 1 ms on every read, so createdAt orders runs as they were made. */
export function tickingClock(start = Date.parse('2026-01-01T00:00:00.000Z')): () => Date {
  let t = start;
  return () => new Date(t++);
}

export interface ApiHarnessOptions {
  /** Receives what the app logs; by default it is kept in `logged` and not printed. */
  log?: ErrorLogger;
  /** The store's limit of runs in flight per owner; none by default. */
  maxRunsInFlight?: number;
  /** The API's caps on a spec's timeout and retries; none by default. */
  caps?: AppDeps['caps'];
}

export interface ApiHarness {
  app: ReturnType<typeof createApp>;
  runner: RecordingRunner;
  runStore: DynamoRunStore;
  groupStore: DynamoGroupStore;
  artifacts: S3ArtifactStore;
  /** The uploaded datasets' table the API reads (in the runs table, as deployed). */
  datasets: DatasetsTable;
  emulators: Emulators;
  logged: { message: string; error: unknown }[];
  /** app.request() as a caller (default one); `null` sends no Authorization header. */
  request(path: string, init?: RequestInit & { as?: Caller | null }): Promise<Response>;
  /** POST /experiments with a JSON body. */
  submit(spec: unknown, init?: { as?: Caller; idempotencyKey?: string }): Promise<Response>;
  stop(): Promise<void>;
}

export const TABLE = 'ganzoo-runs';
/** One try and no waiting: a test sees a store failure at once instead of after the API's retries. */
export const QUICK = { attempts: 1, baseMs: 0, maxMs: 0, onRetry: () => {} };
export const BUCKET = 'ganzoo-artifacts';

export async function startApiHarness(options: ApiHarnessOptions = {}): Promise<ApiHarness> {
  const emulators = await startEmulators();
  await Promise.all([emulators.createRunsTable(TABLE), emulators.createBucket(BUCKET)]);
  const dynamo: DynamoDBClient = dynamoClientFor(emulators.dynamoEndpoint);
  const s3: S3Client = emulators.s3Client();
  const runStore = new DynamoRunStore({
    client: dynamo,
    table: TABLE,
    retry: QUICK,
    claimGraceMs: 50,
    ...(options.maxRunsInFlight !== undefined ? { maxRunsInFlight: options.maxRunsInFlight } : {}),
  });
  const artifacts = new S3ArtifactStore({ client: s3, bucket: BUCKET, retry: QUICK });
  const groupStore = new DynamoGroupStore({ client: dynamo, table: TABLE, retry: QUICK });
  const runner = new RecordingRunner();
  const datasets = new DatasetsTable({ client: dynamo, table: TABLE, retry: QUICK });
  const logged: ApiHarness['logged'] = [];
  const app = createApp({
    runStore,
    groupStore,
    artifacts,
    runner,
    uploads: {
      table: datasets,
      objects: new S3Objects({ client: s3, bucket: BUCKET, retry: QUICK }),
      validator: new RecordingValidator(),
      newDatasetId,
    },
    auth: callersAuth(),
    now: tickingClock(),
    ...(options.caps ? { caps: options.caps } : {}),
    log: options.log ?? ((message, error) => logged.push({ message, error })),
  });

  const request: ApiHarness['request'] = (path, init = {}) => {
    const { as = 'one', ...rest } = init;
    const headers = new Headers(rest.headers);
    if (as !== null) headers.set('authorization', `Bearer ${CALLERS[as].token}`);
    return Promise.resolve(app.request(path, { ...rest, headers }));
  };

  return {
    app,
    runner,
    runStore,
    groupStore,
    artifacts,
    datasets,
    emulators,
    logged,
    request,
    submit: (spec, init = {}) =>
      request('/experiments', {
        method: 'POST',
        as: init.as ?? 'one',
        headers: {
          'content-type': 'application/json',
          ...(init.idempotencyKey !== undefined ? { 'idempotency-key': init.idempotencyKey } : {}),
        },
        body: JSON.stringify(spec),
      }),
    stop: async () => {
      dynamo.destroy();
      s3.destroy();
      await emulators.stop();
    },
  };
}
