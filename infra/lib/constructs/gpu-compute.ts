import { Duration } from 'aws-cdk-lib';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { acknowledge } from '../acknowledge.ts';
import type { GpuInstanceType } from '../config.ts';
import type { TrainingNetwork } from './training-network.ts';

export interface GpuComputeProps {
  network: TrainingNetwork;
  instanceTypes: GpuInstanceType[];
  /** Ceiling of each compute environment. */
  maxVcpus: number;
}

/** A job that no compute environment can ever run would otherwise wait in RUNNABLE forever. */
const CANCEL_UNRUNNABLE: batch.JobStateTimeLimitAction[] = [
  batch.JobStateTimeLimitActionsReason.JOB_RESOURCE_REQUIREMENT,
  batch.JobStateTimeLimitActionsReason.COMPUTE_ENVIRONMENT_MAX_RESOURCE,
].map((reason) => ({
  reason,
  maxTime: Duration.minutes(10),
  action: batch.JobStateTimeLimitActionsAction.CANCEL,
}));

/**
 * GPU capacity for the trainer: a Spot and an on-demand managed EC2 compute environment, both scaling to
 * zero when no job waits, and the two queues the API submits to.
 */
export class GpuCompute extends Construct {
  readonly spot: batch.ManagedEc2EcsComputeEnvironment;
  readonly onDemand: batch.ManagedEc2EcsComputeEnvironment;
  /** Spot first; Batch moves a job on to on-demand capacity once the Spot environment is at its ceiling. */
  readonly spotQueue: batch.JobQueue;
  /** On-demand only, for runs that asked not to be interrupted. */
  readonly onDemandQueue: batch.JobQueue;

  constructor(scope: Construct, id: string, props: GpuComputeProps) {
    super(scope, id);
    const { network } = props;
    // IMDSv2 with one hop: the ECS agent (host network) reads the instance role, while a training container
    // (bridge network, one hop further) cannot, so the trainer has only its job role.
    const launchTemplate = new ec2.LaunchTemplate(this, 'LaunchTemplate', {
      httpEndpoint: true,
      httpTokens: ec2.LaunchTemplateHttpTokens.REQUIRED,
      httpPutResponseHopLimit: 1,
    });
    const common = {
      vpc: network.vpc,
      vpcSubnets: network.subnets,
      securityGroups: [network.securityGroup],
      instanceTypes: props.instanceTypes.map((t) => new ec2.InstanceType(t)),
      useOptimalInstanceClasses: false,
      // The NVIDIA AMI's driver runs the trainer's CUDA 11 image; AL2 reaches its end of support.
      images: [{ imageType: batch.EcsMachineImageType.ECS_AL2023_NVIDIA }],
      launchTemplate,
      minvCpus: 0,
      maxvCpus: props.maxVcpus,
      // Each update of the environment also moves it to the newest AMI, so a redeploy brings patched drivers.
      updateToLatestImageVersion: true,
    };
    this.spot = new batch.ManagedEc2EcsComputeEnvironment(this, 'Spot', {
      ...common,
      spot: true,
      allocationStrategy: batch.AllocationStrategy.SPOT_PRICE_CAPACITY_OPTIMIZED,
    });
    this.onDemand = new batch.ManagedEc2EcsComputeEnvironment(this, 'OnDemand', {
      ...common,
      spot: false,
      allocationStrategy: batch.AllocationStrategy.BEST_FIT_PROGRESSIVE,
    });
    this.spotQueue = new batch.JobQueue(this, 'SpotQueue', {
      computeEnvironments: [
        { computeEnvironment: this.spot, order: 1 },
        { computeEnvironment: this.onDemand, order: 2 },
      ],
      jobStateTimeLimitActions: CANCEL_UNRUNNABLE,
    });
    this.onDemandQueue = new batch.JobQueue(this, 'OnDemandQueue', {
      computeEnvironments: [{ computeEnvironment: this.onDemand, order: 1 }],
      jobStateTimeLimitActions: CANCEL_UNRUNNABLE,
    });
    for (const environment of [this.spot, this.onDemand]) {
      acknowledge(
        environment,
        'The instance role carries AmazonEC2ContainerServiceforEC2Role, what the ECS agent on a Batch ' +
          'instance needs (register, pull images, ship logs); AWS keeps it in step with the agent.',
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role]',
      );
    }
  }
}
