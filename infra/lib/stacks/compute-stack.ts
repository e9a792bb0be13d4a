import { Stack, type StackProps } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { GanzooConfig } from '../config.ts';
import { GpuCompute } from '../constructs/gpu-compute.ts';
import { TrainerJob } from '../constructs/trainer-job.ts';
import { TrainingNetwork } from '../constructs/training-network.ts';

export interface ComputeStackProps extends StackProps {
  config: GanzooConfig;
  bucket: s3.IBucket;
  table: dynamodb.ITable;
  /** Where the trainer image is built from (the repository) and its Dockerfile relative to it. */
  imageDirectory: string;
  dockerfile: string;
}

/** The GPU side: network, Batch compute environments and queues, the trainer's image and job definition. */
export class ComputeStack extends Stack {
  readonly compute: GpuCompute;
  readonly trainer: TrainerJob;

  constructor(scope: Construct, id: string, props: ComputeStackProps) {
    super(scope, id, props);
    const network = new TrainingNetwork(this, 'Network');
    this.compute = new GpuCompute(this, 'Gpu', {
      network,
      instanceTypes: props.config.gpuInstanceTypes,
      maxVcpus: props.config.maxVcpus,
      spotCapacityWaitMinutes: props.config.spotCapacityWaitMinutes,
    });
    this.trainer = new TrainerJob(this, 'Trainer', {
      imageDirectory: props.imageDirectory,
      dockerfile: props.dockerfile,
      bucket: props.bucket,
      table: props.table,
    });
  }
}
