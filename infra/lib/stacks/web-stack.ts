import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { LogBucket } from '../constructs/log-bucket.ts';
import { StaticSite } from '../constructs/static-site.ts';

export interface WebStackProps extends StackProps {
  /** The built dashboard (web/dist). */
  siteDirectory: string;
}

/** The dashboard's hosting. Its runtime config is written by the API stack, which knows the API's URL. */
export class WebStack extends Stack {
  readonly site: StaticSite;

  constructor(scope: Construct, id: string, props: WebStackProps) {
    super(scope, id, props);
    // Its own log bucket, so that the dashboard's stack depends on no other.
    const logs = new LogBucket(this, 'AccessLogs', { retentionDays: 90, cloudFrontLogs: true });
    this.site = new StaticSite(this, 'Site', { siteDirectory: props.siteDirectory, logBucket: logs.bucket });
    new CfnOutput(this, 'DashboardUrl', { value: this.site.origin });
  }
}
