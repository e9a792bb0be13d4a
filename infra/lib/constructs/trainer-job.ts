import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, IgnoreMode, RemovalPolicy, Size, Stack } from 'aws-cdk-lib';
import * as batch from 'aws-cdk-lib/aws-batch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { DockerImageAsset, Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { BATCH_RETRY_RULES, jobResources } from '../../../shared/batch-job.ts';
import { ResourcesSchema } from '../../../shared/spec.ts';
import { acknowledge, acknowledgeScopedResources, S3_GRANT_ACTION_FINDINGS } from '../acknowledge.ts';

/** Key prefixes of the artifacts bucket (shared/keys.ts): runs the trainer writes, datasets it caches. */
export const TRAINER_PREFIXES = ['runs/', 'datasets/'] as const;

export interface TrainerJobProps {
  /** The folder the image is built from, and its Dockerfile relative to it. */
  imageDirectory: string;
  dockerfile: string;
  bucket: s3.IBucket;
  table: dynamodb.ITable;
}

/** Settled per run at SubmitJob (functions/runners/batch-runner.ts); these are the defaults for any other. */
const DEFAULT_RESOURCES = ResourcesSchema.parse({});
const DEFAULT_SIZE = jobResources(DEFAULT_RESOURCES.gpu);

/**
 * Batch's retry rules (shared/batch-job.ts), the same list SubmitJob passes: a rule of Batch's API spelling
 * becomes the CDK's, which CloudFormation renders back in the same order.
 */
export const RETRY_STRATEGIES = BATCH_RETRY_RULES.map(({ action, ...on }) =>
  batch.RetryStrategy.of(batch.Action[action], batch.Reason.custom(on)),
);

/** The trainer's container image and the Batch job definition that runs it with one GPU. */
export class TrainerJob extends Construct {
  readonly image: DockerImageAsset;
  readonly jobDefinition: batch.EcsJobDefinition;
  /**
   * What SubmitJob names: a job submitted by name runs the latest active revision. Each deploy that changes
   * the job registers a new revision and deregisters the old, so a revision ARN handed to the API would go
   * stale, and CloudFormation does not update the API stack when only another stack's output changed.
   */
  readonly jobDefinitionName: string;
  readonly jobRole: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: TrainerJobProps) {
    super(scope, id);
    const dockerfile = join(props.imageDirectory, props.dockerfile);
    if (!existsSync(dockerfile)) {
      throw new Error(`the trainer image needs ${dockerfile}; it is built from there at deploy time`);
    }
    // Only fingerprinted at synth; Docker is needed by `cdk deploy` alone. The build context is what the
    // directory's .dockerignore (an allow-list, kept with the Dockerfile) lets through, so edits elsewhere
    // neither rebuild the image nor give the job definition a new revision.
    this.image = new DockerImageAsset(this, 'Image', {
      directory: props.imageDirectory,
      file: props.dockerfile,
      platform: Platform.LINUX_AMD64,
      ignoreMode: IgnoreMode.DOCKER,
    });

    this.jobRole = new iam.Role(this, 'JobRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'The trainer: its runs and the dataset cache in the artifacts bucket, and run status',
    });
    for (const prefix of TRAINER_PREFIXES) {
      props.bucket.grantRead(this.jobRole, `${prefix}*`);
      props.bucket.grantPut(this.jobRole, `${prefix}*`);
    }
    // The validation job (GANZOO_TASK=validate-dataset) removes what the user sent once it is packed, and
    // every file of a refused upload: the one place the job deletes, and only under uploads/.
    props.bucket.grantRead(this.jobRole, 'uploads/*');
    props.bucket.grantPut(this.jobRole, 'uploads/*');
    props.bucket.grantDelete(this.jobRole, 'uploads/*');
    // The status sink reads and conditionally writes one run's item; it never queries or deletes.
    props.table.grant(this.jobRole, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem');

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const container = new batch.EcsEc2ContainerDefinition(this, 'Container', {
      image: ecs.ContainerImage.fromDockerImageAsset(this.image),
      gpu: 1,
      // The smallest type's share (shared/batch-job.ts jobResources); SubmitJob asks for the run's own type.
      cpu: DEFAULT_SIZE.vcpus,
      memory: Size.mebibytes(DEFAULT_SIZE.memoryMiB),
      jobRole: this.jobRole,
      environment: {
        GANZOO_BUCKET: props.bucket.bucketName,
        GANZOO_TABLE: props.table.tableName,
        // The AWS SDK for JavaScript reads its region from the environment, not from instance metadata.
        AWS_REGION: Stack.of(this).region,
      },
      logging: ecs.LogDriver.awsLogs({ streamPrefix: 'trainer', logGroup: this.logGroup }),
    });
    // Derived from the stack's name, so it is stable across revisions and unique per deployment.
    this.jobDefinitionName = `${Stack.of(this).stackName}-Trainer`;
    this.jobDefinition = new batch.EcsJobDefinition(this, 'JobDefinition', {
      jobDefinitionName: this.jobDefinitionName,
      container,
      retryAttempts: DEFAULT_RESOURCES.retries,
      retryStrategies: RETRY_STRATEGIES,
      timeout: Duration.minutes(DEFAULT_RESOURCES.timeoutMinutes),
      propagateTags: true,
    });

    acknowledge(
      this.jobRole,
      "The S3 grants' action wildcards; their object ARNs all end in runs/*, datasets/* or uploads/*.",
      ...S3_GRANT_ACTION_FINDINGS,
      // grantDelete's DeleteObject* (object and version), on uploads/* only.
      'AwsSolutions-IAM5[Action::s3:DeleteObject*]',
    );
    acknowledgeScopedResources(
      this.jobRole,
      'Key prefixes the trainer owns (runs/*, datasets/*, uploads/*); index/* comes with the table grant, whose item ' +
        'actions do not apply to an index.',
      ['/runs/*', '/datasets/*', '/uploads/*', '/index/*'],
    );
    acknowledge(
      container.executionRole,
      'ecr:GetAuthorizationToken, which pulling the image needs, has no resource to scope it to.',
      'AwsSolutions-IAM5[Resource::*]',
    );
  }
}
