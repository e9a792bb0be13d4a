import { Duration } from 'aws-cdk-lib';
import type * as batch from 'aws-cdk-lib/aws-batch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge, acknowledgeScopedResources } from '../acknowledge.ts';
import { GanzooFunction } from './ganzoo-function.ts';

export interface BatchEventsProps {
  /** functions/events/batch-state.ts, bundled. */
  bundle: string;
  queues: batch.IJobQueue[];
  table: dynamodb.ITable;
}

/**
 * Batch job state changes of the trainer's queues -> functions/events/batch-state.ts -> run status, for what
 * the trainer cannot report itself (never started, killed, out of memory, host lost).
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
      environment: { GANZOO_TABLE: props.table.tableName },
      timeout: Duration.seconds(30),
      memorySize: 256,
      deadLetterQueue: this.deadLetterQueue,
    });
    // RunStore.get and the conditional RunStore.update, nothing more.
    props.table.grant(this.handler.role, 'dynamodb:GetItem', 'dynamodb:UpdateItem');
    acknowledgeScopedResources(
      this.handler.role,
      'index/* comes with the table grant; item actions do not apply to an index.',
      ['/index/*'],
    );

    this.rule = new events.Rule(this, 'JobStateChange', {
      description: "Batch job state changes of ganzoo's trainer queues",
      eventPattern: {
        source: ['aws.batch'],
        detailType: ['Batch Job State Change'],
        detail: { jobQueue: props.queues.map((q) => q.jobQueueArn) },
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
