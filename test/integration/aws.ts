/**
 * What a deployment would have made before the API runs, made in the emulators: an artifacts bucket
 * (LocalStack S3), a runs table (moto DynamoDB) and the trainer's Batch queues and job definition (moto
 * Batch). Clients come from the environment (env.ts set the endpoint variables), as in production. Names
 * carry a random suffix, so test files running side by side against one pair of emulators never meet.
 */
import { randomBytes } from 'node:crypto';
import {
  BatchClient,
  CreateComputeEnvironmentCommand,
  CreateJobQueueCommand,
  DescribeJobsCommand,
  type JobDetail,
  RegisterJobDefinitionCommand,
} from '@aws-sdk/client-batch';
import { CreateTableCommand, type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { createApp } from '../../functions/app.ts';
import { staticTokenAuth } from '../../functions/auth.ts';
import { newDatasetId } from '../../functions/ids.ts';
import { BatchRunner, type GpuQueues } from '../../functions/runners/batch-runner.ts';
import { S3ArtifactStore } from '../../functions/stores/artifact-store.ts';
import { DynamoGroupStore } from '../../functions/stores/group-store.ts';
import { API_RETRY, DynamoRunStore } from '../../functions/stores/run-store.ts';
import { runsTableInput } from '../../scripts/platform/emulators.ts';
import { runPrefix } from '../../shared/keys.ts';
import type { RunRecord } from '../../shared/run.ts';
import type { GpuType } from '../../shared/spec.ts';
import { DatasetsTable } from '../../shared/storage/datasets-table.ts';
import { dynamoClientFromEnv } from '../../shared/storage/runs-table.ts';
import { S3Objects, s3ClientFromEnv } from '../../shared/storage/s3-objects.ts';
import { S3ArtifactSink } from '../../trainer/sinks/s3.ts';

export const GPU: GpuType = 'g4dn.xlarge';
export const TOKEN = 'integration-token';
export const SUBJECT = 'integration-user';

export interface Deployment {
  bucket: string;
  table: string;
  queues: Partial<Record<GpuType, GpuQueues>>;
  jobDefinition: string;
  s3: S3Client;
  dynamo: DynamoDBClient;
  batch: BatchClient;
  /**
   * The API as Lambda builds it (functions/lambda.ts appFromEnv), with a static token for auth; without a
   * limit of runs in flight unless given one, since most tests leave their runs unfinished.
   */
  app(options?: { maxRunsInFlight?: number }): ReturnType<typeof createApp>;
  /** Every item in the runs table (runs and idempotency claims). */
  items(): Promise<Record<string, unknown>[]>;
  /** Every key in the bucket. */
  keys(): Promise<string[]>;
  job(jobId: string): Promise<JobDetail>;
  destroy(): void;
}

/** The runs table of shared/tables.ts, as the CDK stack declares it. */
async function createRunsTable(dynamo: DynamoDBClient, name: string): Promise<void> {
  await dynamo.send(new CreateTableCommand(runsTableInput(name)));
}

/**
 * Batch's service role, made in moto's IAM (moto checks a compute environment's role exists). The project
 * has no IAM client, so this is IAM's query API by hand; moto reads the service from the credential scope
 * and does not check signatures.
 */
async function createServiceRole(moto: string, name: string): Promise<string> {
  const res = await fetch(moto, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization:
        'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: new URLSearchParams({
      Action: 'CreateRole',
      Version: '2010-05-08',
      RoleName: name,
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { Service: 'batch.amazonaws.com' }, Action: 'sts:AssumeRole' },
        ],
      }),
    }),
  });
  const text = await res.text();
  const arn = /<Arn>([^<]+)<\/Arn>/.exec(text)?.[1];
  if (!res.ok || !arn) throw new Error(`moto IAM CreateRole answered ${res.status}: ${text.slice(0, 300)}`);
  return arn;
}

/** One unmanaged compute environment behind a Spot-first and an on-demand queue, and the job definition. */
async function createBatch(batch: BatchClient, suffix: string) {
  const serviceRole = await createServiceRole(process.env.AWS_ENDPOINT_URL_BATCH!, `ganzoo-batch-${suffix}`);
  const ce = await batch.send(
    new CreateComputeEnvironmentCommand({
      computeEnvironmentName: `ganzoo-ce-${suffix}`,
      type: 'UNMANAGED',
      state: 'ENABLED',
      serviceRole,
    }),
  );
  const queue = async (kind: string, priority: number) => {
    const out = await batch.send(
      new CreateJobQueueCommand({
        jobQueueName: `ganzoo-${kind}-${suffix}`,
        state: 'ENABLED',
        priority,
        computeEnvironmentOrder: [{ order: 1, computeEnvironment: ce.computeEnvironmentArn }],
      }),
    );
    if (!out.jobQueueArn) throw new Error(`moto made no ${kind} queue`);
    return out.jobQueueArn;
  };
  const [spot, onDemand] = [await queue('spot', 10), await queue('on-demand', 5)];
  const jobDefinition = `ganzoo-trainer-${suffix}`;
  await batch.send(
    new RegisterJobDefinitionCommand({
      jobDefinitionName: jobDefinition,
      type: 'container',
      containerProperties: {
        image: 'ganzoo-trainer:test',
        command: ['node', 'job.js'],
        resourceRequirements: [
          { type: 'VCPU', value: '4' },
          { type: 'MEMORY', value: '15000' },
        ],
      },
    }),
  );
  return { queues: { [GPU]: { spot, onDemand } }, jobDefinition };
}

export async function deploy(): Promise<Deployment> {
  const suffix = randomBytes(4).toString('hex');
  const bucket = `ganzoo-artifacts-${suffix}`;
  const table = `ganzoo-runs-${suffix}`;
  const s3 = s3ClientFromEnv();
  const dynamo = dynamoClientFromEnv();
  const batch = new BatchClient({});
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await createRunsTable(dynamo, table);
  const { queues, jobDefinition } = await createBatch(batch, suffix);
  return {
    bucket,
    table,
    queues,
    jobDefinition,
    s3,
    dynamo,
    batch,
    app: (options = {}) => {
      const runner = new BatchRunner({ queues, jobDefinition, bucket, table });
      return createApp({
        runStore: new DynamoRunStore({ table, ...options }),
        groupStore: new DynamoGroupStore({ table }),
        artifacts: new S3ArtifactStore({ bucket }),
        runner,
        uploads: {
          table: new DatasetsTable({ table, retry: API_RETRY }),
          objects: new S3Objects({ bucket, retry: API_RETRY }),
          validator: runner,
          newDatasetId,
        },
        auth: staticTokenAuth(TOKEN, SUBJECT),
        log: () => {},
      });
    },
    items: async () => {
      const out = await dynamo.send(new ScanCommand({ TableName: table, ConsistentRead: true }));
      return (out.Items ?? []) as Record<string, unknown>[];
    },
    keys: async () => {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
        for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return keys.sort();
    },
    job: async (jobId) => {
      const out = await batch.send(new DescribeJobsCommand({ jobs: [jobId] }));
      const job = out.jobs?.[0];
      if (!job) throw new Error(`Batch (moto) has no job ${jobId}`);
      return job;
    },
    destroy: () => {
      s3.destroy();
      dynamo.destroy();
      batch.destroy();
    },
  };
}

/** A request to the app as the token holder (`token: null` sends none). */
export function requestAs(app: ReturnType<typeof createApp>, token: string | null = TOKEN) {
  return (path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if (token !== null) headers.set('authorization', `Bearer ${token}`);
    return Promise.resolve(app.request(path, { ...init, headers }));
  };
}

/** POST /experiments as the token holder; the run (SUBMITTED) and its Batch job as moto describes it. */
export async function submitRun(d: Deployment, spec: unknown): Promise<{ run: RunRecord; job: JobDetail }> {
  const res = await requestAs(d.app())('/experiments', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(spec),
  });
  if (res.status !== 201) throw new Error(`submit answered ${res.status}: ${await res.text()}`);
  const run = (await res.json()) as RunRecord;
  if (!run.jobId) throw new Error(`run ${run.id} has no job id`);
  return { run, job: await d.job(run.jobId) };
}

/** The run's artifacts read straight from S3, as the trainer's sink sees them. */
export function runArtifacts(d: Deployment, runId: string): S3ArtifactSink {
  return new S3ArtifactSink({ bucket: d.bucket, prefix: runPrefix(runId), retry: { attempts: 1 } });
}

/** The run's record straight from DynamoDB. */
export async function storedRun(d: Deployment, runId: string): Promise<RunRecord> {
  const run = await new DynamoRunStore({ table: d.table }).get(runId);
  if (!run) throw new Error(`run ${runId} is not in ${d.table}`);
  return run;
}
