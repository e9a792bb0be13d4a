/**
 * The API on Lambda behind API Gateway: the app of app.ts over DynamoDB, S3, Batch and Cognito, configured
 * from the environment the CDK stack sets. Built once per container, at cold start.
 *
 *   GANZOO_TABLE                 runs table
 *   GANZOO_BUCKET                artifacts bucket
 *   GANZOO_JOB_QUEUE             Batch queue for Spot runs
 *   GANZOO_ON_DEMAND_JOB_QUEUE   Batch queue for on-demand runs (default: GANZOO_JOB_QUEUE)
 *   GANZOO_JOB_DEFINITION        the trainer's job definition
 *   GANZOO_COGNITO_ISSUER        https://cognito-idp.{region}.amazonaws.com/{userPoolId}
 *   GANZOO_COGNITO_CLIENT_IDS    optional, comma-separated app client ids allowed to call
 */
import { handle } from 'hono/aws-lambda';
import { createApp } from './app.ts';
import { cognitoJwtAuth } from './auth.ts';
import { BatchRunner } from './runners/batch-runner.ts';
import { S3ArtifactStore } from './stores/artifact-store.ts';
import { DynamoRunStore } from './stores/run-store.ts';

const REQUIRED = [
  'GANZOO_TABLE',
  'GANZOO_BUCKET',
  'GANZOO_JOB_QUEUE',
  'GANZOO_JOB_DEFINITION',
  'GANZOO_COGNITO_ISSUER',
] as const;

export function appFromEnv(env: NodeJS.ProcessEnv) {
  const missing = REQUIRED.filter((name) => !env[name]);
  if (missing.length > 0) throw new Error(`the API needs ${missing.join(', ')} in its environment`);
  const e = env as Record<(typeof REQUIRED)[number], string> & NodeJS.ProcessEnv;
  const clientIds = e.GANZOO_COGNITO_CLIENT_IDS?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return createApp({
    runStore: new DynamoRunStore({ table: e.GANZOO_TABLE }),
    artifacts: new S3ArtifactStore({ bucket: e.GANZOO_BUCKET }),
    runner: new BatchRunner({
      spotQueue: e.GANZOO_JOB_QUEUE,
      onDemandQueue: e.GANZOO_ON_DEMAND_JOB_QUEUE || e.GANZOO_JOB_QUEUE,
      jobDefinition: e.GANZOO_JOB_DEFINITION,
      bucket: e.GANZOO_BUCKET,
      table: e.GANZOO_TABLE,
    }),
    auth: cognitoJwtAuth({
      issuer: e.GANZOO_COGNITO_ISSUER,
      ...(clientIds?.length ? { clientIds } : {}),
    }),
  });
}

export const handler = handle(appFromEnv(process.env));
