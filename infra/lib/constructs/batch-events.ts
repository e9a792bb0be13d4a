import { Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { GPU_PRICES_ENV, type GpuPrices } from '../../../shared/cost.ts';
import { acknowledge, acknowledgeScopedResources } from '../acknowledge.ts';
import { type BatchSubmitTarget, batchRunnerEnvironment, grantSubmitJobs } from '../batch-submitter.ts';
import { GanzooFunction } from './ganzoo-function.ts';

export interface BatchEventsProps {
  /** functions/events/batch-state.ts, bundled. */
  bundle: string;
  /** The queues whose jobs it follows, and what it submits a run's on-demand attempt with. */
  submitTarget: BatchSubmitTarget;
  /** Prices of the runs' cost estimate (shared/cost.ts), passed as GANZOO_GPU_PRICES. */
  prices: GpuPrices;
}

/**
 * Batch job state changes of the trainer's queues -> functions/events/batch-state.ts -> run status, for what
 * the trainer cannot report itself (never started, killed, out of memory, host lost), and a run whose Spot
 * job was cancelled for want of capacity -> its next attempt on the on-demand queue.
 */
export class BatchEvents extends Construct {
  readonly rule: events.Rule;
  readonly handler: GanzooFunction;
  /** Events that could not be delivered or failed every attempt; a run they were about may be stuck. */
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: BatchEventsProps) {
    super(scope, id);
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(this.deadLetterQueue, 'This is the dead-letter queue itself.', 'AwsSolutions-SQS3');
    this.handler = new GanzooFunction(this, 'Handler', {
      bundle: props.bundle,
      description: 'ganzoo: Batch job state changes -> run status',
      environment: {
        ...batchRunnerEnvironment(Stack.of(this), props.submitTarget),
        [GPU_PRICES_ENV]: JSON.stringify(props.prices),
      },
      timeout: Duration.seconds(30),
      memorySize: 256,
      deadLetterQueue: this.deadLetterQueue,
    });
    // RunStore.get and the conditional RunStore.update on the table; jobs to submit and withdraw. A dataset
    // whose validation job died is failed: its record rewritten (PutItem, conditional on its revision) and
    // its files under uploads/ listed and deleted (shared/storage/dataset-failure.ts).
    const { table, bucket } = props.submitTarget;
    table.grant(this.handler.role, 'dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:PutItem');
    bucket.grantDelete(this.handler.role, 'uploads/*');
    this.handler.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': 'uploads/*' } },
      }),
    );
    grantSubmitJobs(this.handler.role, props.submitTarget);
    acknowledge(
      this.handler.role,
      "grantDelete's DeleteObject* (object and version), on uploads/* only.",
      'AwsSolutions-IAM5[Action::s3:DeleteObject*]',
    );
    acknowledgeScopedResources(
      this.handler.role,
      'Uploaded datasets (uploads/*); index/* comes with the table grant, whose item actions do not apply to an index.',
      ['/uploads/*', '/index/*'],
    );

    this.rule = new events.Rule(this, 'JobStateChange', {
      description: "Batch job state changes of ganzoo's trainer queues",
      eventPattern: {
        source: ['aws.batch'],
        detailType: ['Batch Job State Change'],
        detail: { jobQueue: props.submitTarget.compute.queues.map((q) => q.jobQueueArn) },
      },
      targets: [
        new targets.LambdaFunction(this.handler.function, {
          deadLetterQueue: this.deadLetterQueue,
          maxEventAge: Duration.hours(6),
          retryAttempts: 20,
        }),
      ],
    });
  }
}
