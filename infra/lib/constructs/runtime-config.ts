import { Stack } from 'aws-cdk-lib';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { acknowledgeBucketDeploymentHandler } from '../acknowledge.ts';
import { RUNTIME_CONFIG_KEY, type StaticSite } from './static-site.ts';

/** What the dashboard reads at start-up to find the API and sign users in. */
export interface DashboardConfig {
  apiUrl: string;
  region: string;
  userPoolId: string;
  userPoolClientId: string;
  /** The hosted sign-in page's base URL. */
  authUrl: string;
}

export interface RuntimeConfigProps {
  site: StaticSite;
  config: DashboardConfig;
}

/**
 * config.json in the site's bucket, written at deploy time, when the API's URL and the Cognito ids exist.
 * The built site stays the same for every account and region.
 */
export class RuntimeConfig extends Construct {
  constructor(scope: Construct, id: string, props: RuntimeConfigProps) {
    super(scope, id);
    new s3deploy.BucketDeployment(this, 'Deployment', {
      sources: [s3deploy.Source.jsonData(RUNTIME_CONFIG_KEY, props.config)],
      destinationBucket: props.site.bucket,
      // The site's own files are the site deployment's to manage.
      prune: false,
      // Read again on every load, so a redeployed API is found without a cache invalidation.
      cacheControl: [s3deploy.CacheControl.noCache()],
    });
    acknowledgeBucketDeploymentHandler(Stack.of(this), { invalidates: false });
  }
}
