import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { CHECKPOINT_TAG } from '../../../shared/keys.ts';
import { BUCKET_CORS } from '../../../shared/uploads.ts';

// Checkpoints are found by tag (shared/keys.ts CHECKPOINT_TAG, set by the trainer's S3 sink): lifecycle
// rules filter by key prefix, and runs/{runId}/checkpoints/ has no prefix common to all runs.
export { CHECKPOINT_TAG };

export interface ArtifactsBucketProps {
  /** Days a checkpoint object is kept after it was written. */
  checkpointRetentionDays: number;
  serverAccessLogsBucket: s3.IBucket;
}

/** Run artifacts (runs/{runId}/...), the trainer's dataset cache (datasets/...) and uploaded datasets (uploads/...). */
export class ArtifactsBucket extends Construct {
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: ArtifactsBucketProps) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // No versioning: metrics.jsonl is rewritten every few seconds while a run trains, and every rewrite
      // would be kept as a noncurrent version.
      versioned: false,
      serverAccessLogsBucket: props.serverAccessLogsBucket,
      serverAccessLogsPrefix: 'artifacts/',
      lifecycleRules: [
        {
          id: 'ExpireOldCheckpoints',
          tagFilters: { [CHECKPOINT_TAG.key]: CHECKPOINT_TAG.value },
          expiration: Duration.days(props.checkpointRetentionDays),
        },
        { id: 'AbortIncompleteUploads', abortIncompleteMultipartUploadAfter: Duration.days(2) },
      ],
      // The browser fetches the exported generator and PUTs uploaded datasets through presigned URLs: the
      // rule is shared/uploads.ts BUCKET_CORS (the local S3 gateway answers with the same), which says why
      // any origin; ETag is exposed for the parts of a multipart upload.
      cors: [
        {
          allowedMethods: BUCKET_CORS.allowedMethods.map((m) => s3.HttpMethods[m]),
          allowedOrigins: [...BUCKET_CORS.allowedOrigins],
          allowedHeaders: [...BUCKET_CORS.allowedHeaders],
          exposedHeaders: [...BUCKET_CORS.exposedHeaders],
          maxAge: BUCKET_CORS.maxAgeSeconds,
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
