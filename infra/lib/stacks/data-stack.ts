import { Stack, type StackProps } from 'aws-cdk-lib';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { GanzooConfig } from '../config.ts';
import { ArtifactsBucket } from '../constructs/artifacts-bucket.ts';
import { LogBucket } from '../constructs/log-bucket.ts';
import { RunsTable } from '../constructs/runs-table.ts';
import { SpendAlarm } from '../constructs/spend-alarm.ts';
import { UserDirectory } from '../constructs/user-directory.ts';

export interface DataStackProps extends StackProps {
  config: GanzooConfig;
}

/**
 * What outlives every deploy: artifacts, run records, users, and the artifacts' access logs (retained); and,
 * when configured, the account's monthly spend alarm.
 */
export class DataStack extends Stack {
  readonly bucket: s3.Bucket;
  readonly table: dynamodb.Table;
  readonly userPool: cognito.UserPool;
  readonly logBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    this.logBucket = new LogBucket(this, 'AccessLogs', { retentionDays: 90 }).bucket;
    this.bucket = new ArtifactsBucket(this, 'Artifacts', {
      checkpointRetentionDays: props.config.checkpointRetentionDays,
      serverAccessLogsBucket: this.logBucket,
    }).bucket;
    this.table = new RunsTable(this, 'Runs').table;
    this.userPool = new UserDirectory(this, 'Users').userPool;
    // Only when configured: a budget needs an address to tell, and an amount only its owner can choose.
    if (props.config.budget) new SpendAlarm(this, 'Spend', props.config.budget);
  }
}
