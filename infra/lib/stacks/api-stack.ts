import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { LIMIT_ENV, type RunLimits } from '../../../shared/limits.ts';
import { acknowledge, acknowledgeScopedResources, S3_GRANT_ACTION_FINDINGS } from '../acknowledge.ts';
import { batchRunnerEnvironment, grantSubmitJobs } from '../batch-submitter.ts';
import type { GanzooConfig } from '../config.ts';
import { BatchEvents } from '../constructs/batch-events.ts';
import { GanzooFunction } from '../constructs/ganzoo-function.ts';
import type { GpuCompute } from '../constructs/gpu-compute.ts';
import { GanzooHttpApi } from '../constructs/http-api.ts';
import { RuntimeConfig } from '../constructs/runtime-config.ts';
import { SignIn } from '../constructs/sign-in.ts';
import type { StaticSite } from '../constructs/static-site.ts';
import type { TrainerJob } from '../constructs/trainer-job.ts';
import type { FunctionBundles } from '../function-bundles.ts';

export interface ApiStackProps extends StackProps {
  config: GanzooConfig;
  bundles: FunctionBundles;
  bucket: s3.IBucket;
  table: dynamodb.ITable;
  userPool: cognito.UserPool;
  compute: GpuCompute;
  trainer: TrainerJob;
  site: StaticSite;
}

/** The HTTP API and its sign-in, the Batch event handler, and the dashboard's runtime config. */
export class ApiStack extends Stack {
  readonly httpApi: GanzooHttpApi;
  readonly app: GanzooFunction;
  readonly events: BatchEvents;
  readonly signIn: SignIn;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const { bucket, table, userPool, compute, trainer, site } = props;
    const dashboardOrigin = site.origin;
    const submitTarget = { bucket, table, compute, trainer };

    this.signIn = new SignIn(this, 'SignIn', {
      userPool,
      dashboardOrigin,
      ...(props.config.authDomainPrefix ? { domainPrefix: props.config.authDomainPrefix } : {}),
    });

    this.app = new GanzooFunction(this, 'App', {
      bundle: props.bundles.api,
      description: 'ganzoo: the HTTP API (functions/lambda.ts)',
      environment: {
        ...batchRunnerEnvironment(this, submitTarget),
        GANZOO_COGNITO_ISSUER: SignIn.issuer(userPool),
        GANZOO_COGNITO_CLIENT_IDS: this.signIn.client.userPoolClientId,
        ...Object.fromEntries(
          (Object.keys(LIMIT_ENV) as (keyof RunLimits)[]).map((k) => [
            LIMIT_ENV[k],
            String(props.config.limits[k]),
          ]),
        ),
      },
      timeout: Duration.seconds(29),
      memorySize: 1024,
    });
    const role = this.app.role;
    // Run records and idempotency claims by key (a group's members in batches), and the per-owner index;
    // never a scan.
    table.grant(
      role,
      'dynamodb:GetItem',
      'dynamodb:BatchGetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:Query',
    );
    // Reads (and presigns reads of) run artifacts and writes a run's spec.json; nothing else in the bucket.
    bucket.grantRead(role, 'runs/*');
    bucket.grantPut(role, 'runs/*');
    // Uploaded datasets: presigns the user's PUTs and parts, joins the parts, presigns previews, and
    // deletes a dataset's files with its record.
    bucket.grantRead(role, 'uploads/*');
    bucket.grantPut(role, 'uploads/*');
    bucket.grantDelete(role, 'uploads/*');
    grantSubmitJobs(role, submitTarget);

    this.httpApi = new GanzooHttpApi(this, 'Http', {
      handler: this.app.function,
      userPool,
      clients: [this.signIn.client],
      dashboardOrigin,
    });

    this.events = new BatchEvents(this, 'BatchEvents', {
      bundle: props.bundles.batchState,
      submitTarget,
      prices: props.config.gpuPrices,
    });

    new RuntimeConfig(this, 'DashboardConfig', {
      site,
      config: {
        apiUrl: this.httpApi.url,
        region: this.region,
        userPoolId: userPool.userPoolId,
        userPoolClientId: this.signIn.client.userPoolClientId,
        authUrl: this.signIn.domain.baseUrl(),
      },
    });

    new CfnOutput(this, 'ApiUrl', { value: this.httpApi.url });
    new CfnOutput(this, 'UserPoolId', { value: userPool.userPoolId });
    new CfnOutput(this, 'DashboardClientId', { value: this.signIn.client.userPoolClientId });
    new CfnOutput(this, 'SignInUrl', { value: this.signIn.domain.baseUrl() });

    acknowledge(
      role,
      "The S3 grants' action wildcards; their object ARNs all end in runs/* or uploads/*.",
      ...S3_GRANT_ACTION_FINDINGS,
      // grantDelete's DeleteObject* (object and version), on uploads/* only.
      'AwsSolutions-IAM5[Action::s3:DeleteObject*]',
    );
    acknowledgeScopedResources(
      role,
      'Run artifacts (runs/*), uploaded datasets (uploads/*) and the per-owner index (index/*).',
      ['/runs/*', '/uploads/*', '/index/*'],
    );
  }
}
