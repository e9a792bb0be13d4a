/**
 * What a function that submits trainer jobs needs (functions/runners/batch-runner.ts batchRunnerFromEnv):
 * its environment and its permissions. The API submits runs; the Batch event handler submits a run's next
 * attempt to on-demand capacity. One place, so the two cannot drift.
 */
import { Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { acknowledge } from './acknowledge.ts';
import type { GpuCompute } from './constructs/gpu-compute.ts';
import type { TrainerJob } from './constructs/trainer-job.ts';

export interface BatchSubmitTarget {
  bucket: s3.IBucket;
  table: dynamodb.ITable;
  compute: GpuCompute;
  trainer: TrainerJob;
}

/** BATCH_RUNNER_ENV's values, in the stack of the function that reads them. */
export function batchRunnerEnvironment(stack: Stack, target: BatchSubmitTarget): Record<string, string> {
  return {
    GANZOO_TABLE: target.table.tableName,
    GANZOO_BUCKET: target.bucket.bucketName,
    GANZOO_JOB_QUEUES: stack.toJsonString(target.compute.queueArns()),
    GANZOO_JOB_DEFINITION: target.trainer.jobDefinitionName,
  };
}

/**
 * SubmitJob on the trainer's queues and any revision of its job definition, TagResource (SubmitJob with
 * tags needs it) and TerminateJob on jobs. grantSubmitJob names one revision; the runner submits by name
 * (TrainerJob.jobDefinitionName), which Batch authorizes on the name with or without the revision it picks.
 */
export function grantSubmitJobs(role: iam.Role, target: BatchSubmitTarget): void {
  const stack = Stack.of(role);
  const { compute, trainer } = target;
  const jobDefinition = (name: string) =>
    stack.formatArn({ service: 'batch', resource: 'job-definition', resourceName: name });
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['batch:SubmitJob'],
      resources: [
        ...compute.queues.map((q) => q.jobQueueArn),
        jobDefinition(trainer.jobDefinitionName),
        jobDefinition(`${trainer.jobDefinitionName}:*`),
      ],
    }),
  );
  // Batch names jobs by id only, so job/* is as narrow as an ARN gets.
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['batch:TagResource', 'batch:TerminateJob'],
      resources: [stack.formatArn({ service: 'batch', resource: 'job', resourceName: '*' })],
    }),
  );
  acknowledge(
    role,
    'A Batch job ARN holds only the id Batch generates, so the jobs tagged and terminated are job/*.',
    'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:batch:<AWS::Region>:<AWS::AccountId>:job/*]',
  );
  acknowledge(
    role,
    "Any revision of the trainer's one job definition: jobs are submitted by name, and Batch picks the revision.",
    `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:batch:<AWS::Region>:<AWS::AccountId>:job-definition/${trainer.jobDefinitionName}:*]`,
  );
}
