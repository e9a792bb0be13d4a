/** The whole pipeline: the four stacks and what each hands the next. */
import { join } from 'node:path';
import type { App } from 'aws-cdk-lib';
import { ensureWebBuilt } from '../../scripts/platform/web-build.ts';
import { configFromContext } from './config.ts';
import { bundleFunctions, REPO_ROOT } from './function-bundles.ts';
import { ApiStack } from './stacks/api-stack.ts';
import { ComputeStack } from './stacks/compute-stack.ts';
import { DataStack } from './stacks/data-stack.ts';
import { WebStack } from './stacks/web-stack.ts';

export interface GanzooStacks {
  data: DataStack;
  compute: ComputeStack;
  web: WebStack;
  api: ApiStack;
}

export interface GanzooPaths {
  /**
   * The built dashboard, taken as it is (a placeholder page when missing). By default web/dist, built first
   * when missing or older than its sources, so `cdk deploy` always ships the dashboard of the checkout.
   */
  siteDirectory?: string;
}

/** Async only because the functions are bundled first (see function-bundles.ts). */
export async function createStacks(app: App, paths: GanzooPaths = {}): Promise<GanzooStacks> {
  const config = configFromContext(app.node);
  const bundles = await bundleFunctions();
  // The same build `npm start` makes (scripts/platform/web-build.ts); a failed build fails the synth.
  if (paths.siteDirectory === undefined) ensureWebBuilt();
  const data = new DataStack(app, 'GanzooData', {
    description: 'ganzoo: artifacts bucket, runs table, users (retained on delete)',
    terminationProtection: true,
    config,
  });
  const compute = new ComputeStack(app, 'GanzooCompute', {
    description: 'ganzoo: GPU compute on AWS Batch and the trainer job',
    config,
    bucket: data.bucket,
    table: data.table,
    imageDirectory: REPO_ROOT,
    dockerfile: 'trainer/Dockerfile',
  });
  const web = new WebStack(app, 'GanzooWeb', {
    description: 'ganzoo: the dashboard on S3 and CloudFront',
    siteDirectory: paths.siteDirectory ?? join(REPO_ROOT, 'web', 'dist'),
  });
  const api = new ApiStack(app, 'GanzooApi', {
    description: 'ganzoo: HTTP API, sign-in and Batch events',
    config,
    bundles,
    bucket: data.bucket,
    table: data.table,
    userPool: data.userPool,
    compute: compute.compute,
    trainer: compute.trainer,
    site: web.site,
  });
  return { data, compute, web, api };
}
