/**
 * The API on Lambda behind API Gateway: the app of app.ts over DynamoDB, S3, Batch and Cognito, configured
 * from the environment the CDK stack sets. Built once per container, at cold start.
 *
 *   GANZOO_TABLE                 runs table
 *   GANZOO_BUCKET                artifacts bucket
 *   GANZOO_JOB_QUEUES            Batch queues by GPU type, JSON: {"g4dn.xlarge": {"spot": arn, "onDemand": arn}}
 *   GANZOO_JOB_DEFINITION        the trainer's job definition
 *   GANZOO_COGNITO_ISSUER        https://cognito-idp.{region}.amazonaws.com/{userPoolId}
 *   GANZOO_COGNITO_CLIENT_IDS    optional, comma-separated app client ids allowed to call
 *   GANZOO_MAX_RUNS_IN_FLIGHT    optional, runs of one owner not yet ended (default shared/limits.ts CLOUD_LIMITS)
 *   GANZOO_MAX_TIMEOUT_MINUTES   optional, cap on a spec's resources.timeoutMinutes (the same)
 *   GANZOO_MAX_RETRIES           optional, cap on a spec's resources.retries (the same)
 *   GANZOO_MAX_GROUP_MEMBERS     optional, most members of an experiment group (the same)
 *
 * With AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER set (an emulator such as moto or LocalStack, as the AWS SDK
 * reads it), the pool's signing keys are fetched from that endpoint, where emulators serve them.
 */
import { handle } from 'hono/aws-lambda';
import { CLOUD_LIMITS, limitsFromEnv } from '../shared/limits.ts';
import { DatasetsTable } from '../shared/storage/datasets-table.ts';
import { S3Objects } from '../shared/storage/s3-objects.ts';
import { createApp } from './app.ts';
import { cognitoJwtAuth } from './auth.ts';
import { newDatasetId } from './ids.ts';
import { BATCH_RUNNER_ENV, batchRunnerFromEnv } from './runners/batch-runner.ts';
import { S3ArtifactStore } from './stores/artifact-store.ts';
import { DynamoGroupStore } from './stores/group-store.ts';
import { API_RETRY, DynamoRunStore } from './stores/run-store.ts';

const REQUIRED = [...BATCH_RUNNER_ENV, 'GANZOO_COGNITO_ISSUER'] as const;

/** The JWKS location on a Cognito emulator: {endpoint}/{userPoolId}/.well-known/jwks.json. */
function jwksFromEmulator(issuer: string, endpoint: string | undefined): { jwksUri?: string } {
  if (!endpoint) return {};
  const poolId = issuer.replace(/\/+$/, '').split('/').at(-1);
  return { jwksUri: `${endpoint.replace(/\/+$/, '')}/${poolId}/.well-known/jwks.json` };
}

export function appFromEnv(env: NodeJS.ProcessEnv) {
  const missing = REQUIRED.filter((name) => !env[name]);
  if (missing.length > 0) throw new Error(`the API needs ${missing.join(', ')} in its environment`);
  const e = env as Record<(typeof REQUIRED)[number], string> & NodeJS.ProcessEnv;
  const limits = limitsFromEnv(env, CLOUD_LIMITS);
  const clientIds = e.GANZOO_COGNITO_CLIENT_IDS?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const runner = batchRunnerFromEnv(e);
  return createApp({
    runStore: new DynamoRunStore({ table: e.GANZOO_TABLE, maxRunsInFlight: limits.maxRunsInFlight }),
    groupStore: new DynamoGroupStore({ table: e.GANZOO_TABLE }),
    artifacts: new S3ArtifactStore({ bucket: e.GANZOO_BUCKET }),
    runner,
    uploads: {
      table: new DatasetsTable({ table: e.GANZOO_TABLE, retry: API_RETRY }),
      objects: new S3Objects({ bucket: e.GANZOO_BUCKET, retry: API_RETRY }),
      validator: runner,
      newDatasetId,
    },
    caps: limits,
    auth: cognitoJwtAuth({
      issuer: e.GANZOO_COGNITO_ISSUER,
      ...(clientIds?.length ? { clientIds } : {}),
      ...jwksFromEmulator(e.GANZOO_COGNITO_ISSUER, e.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER),
    }),
  });
}

export const handler = handle(appFromEnv(process.env));
