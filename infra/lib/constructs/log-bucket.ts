import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge } from '../acknowledge.ts';

export interface LogBucketProps {
  /** Days an access log is kept. */
  retentionDays: number;
  /** CloudFront's standard logging writes through object ACLs, which the bucket must then allow. */
  cloudFrontLogs?: boolean;
}

/** Receives S3 server access logs (and CloudFront's standard logs) of the buckets in its stack. */
export class LogBucket extends Construct {
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: LogBucketProps) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: props.cloudFrontLogs
        ? s3.ObjectOwnership.OBJECT_WRITER
        : s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ id: 'ExpireLogs', expiration: Duration.days(props.retentionDays) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(
      this.bucket,
      'This is the access-log bucket; logging it into itself would loop.',
      'AwsSolutions-S1',
    );
  }
}
