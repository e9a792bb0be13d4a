import { Duration } from 'aws-cdk-lib';
import * as batch from 'aws-cdk-lib/aws-batch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { CAPACITY_REASONS } from '../../../shared/batch-job.ts';
import { acknowledge } from '../acknowledge.ts';
import type { GpuInstanceType } from '../config.ts';
import type { TrainingNetwork } from './training-network.ts';

export interface GpuComputeProps {
  network: TrainingNetwork;
  instanceTypes: GpuInstanceType[];
  /** Ceiling of each compute environment. */
  maxVcpus: number;
  /** Minutes a Spot-first job waits without capacity before its queue cancels it (config.ts). */
  spotCapacityWaitMinutes: number;
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
 * On a Spot-first queue, a job Batch can find no capacity for (Spot short, or its quota 0) is cancelled after
 * the configured wait; the Batch event handler (functions/events/batch-state.ts) then submits the run's next
 * attempt to the on-demand queue. Without it the job would wait in RUNNABLE forever and block the queue:
 * Batch moves on to the on-demand environment only when the Spot one is at its vCPU ceiling.
 */
function cancelWithoutCapacity(waitMinutes: number): batch.JobStateTimeLimitAction[] {
  return CAPACITY_REASONS.map((reason) => ({
    reason: reason as batch.JobStateTimeLimitActionsReason,
    maxTime: Duration.minutes(waitMinutes),
    action: batch.JobStateTimeLimitActionsAction.CANCEL,
  }));
}

/**
 * The construct id of an instance type's capacity, e.g. g4dn.2xlarge -> G4dn2xlarge. Derived from the type
 * alone, so adding or removing another type never renames (and so replaces) this one's resources.
 */
export function gpuConstructId(instanceType: GpuInstanceType): string {
  return instanceType
    .split(/[^a-z0-9]+/i)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/** The capacity of one instance type: its two compute environments and the two queues over them. */
export interface GpuTypeCapacity {
  instanceType: GpuInstanceType;
  spot: batch.ManagedEc2EcsComputeEnvironment;
  onDemand: batch.ManagedEc2EcsComputeEnvironment;
  /**
   * Spot first; Batch moves a job on to on-demand capacity once the Spot environment is at its ceiling, and
   * cancels it after a wait without capacity (the run then moves to the on-demand queue).
   */
  spotQueue: batch.JobQueue;
  /** On-demand only, for runs that asked not to be interrupted. */
  onDemandQueue: batch.JobQueue;
}

/**
 * GPU capacity for the trainer, per instance type: a Spot and an on-demand managed EC2 compute environment
 * launching only that type, both scaling to zero when no job waits, and the two queues the API submits to.
 * One type per environment is what makes a spec's resources.gpu binding: a queue over several types lets
 * Batch pick any of them.
 */
export class GpuCompute extends Construct {
  /** In the order of the configured instance types. */
  readonly capacity: GpuTypeCapacity[];

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
      useOptimalInstanceClasses: false,
      // The NVIDIA AMI's driver runs the trainer's CUDA 11 image; AL2 reaches its end of support.
      images: [{ imageType: batch.EcsMachineImageType.ECS_AL2023_NVIDIA }],
      launchTemplate,
      minvCpus: 0,
      maxvCpus: props.maxVcpus,
      // Each update of the environment also moves it to the newest AMI, so a redeploy brings patched drivers.
      updateToLatestImageVersion: true,
    };
    this.capacity = props.instanceTypes.map((instanceType) => {
      const scope = new Construct(this, gpuConstructId(instanceType));
      const instanceTypes = [new ec2.InstanceType(instanceType)];
      const spot = new batch.ManagedEc2EcsComputeEnvironment(scope, 'Spot', {
        ...common,
        instanceTypes,
        spot: true,
        allocationStrategy: batch.AllocationStrategy.SPOT_PRICE_CAPACITY_OPTIMIZED,
      });
      const onDemand = new batch.ManagedEc2EcsComputeEnvironment(scope, 'OnDemand', {
        ...common,
        instanceTypes,
        spot: false,
        allocationStrategy: batch.AllocationStrategy.BEST_FIT_PROGRESSIVE,
      });
      const spotQueue = new batch.JobQueue(scope, 'SpotQueue', {
        computeEnvironments: [
          { computeEnvironment: spot, order: 1 },
          { computeEnvironment: onDemand, order: 2 },
        ],
        jobStateTimeLimitActions: [
          ...CANCEL_UNRUNNABLE,
          ...cancelWithoutCapacity(props.spotCapacityWaitMinutes),
        ],
      });
      const onDemandQueue = new batch.JobQueue(scope, 'OnDemandQueue', {
        computeEnvironments: [{ computeEnvironment: onDemand, order: 1 }],
        jobStateTimeLimitActions: CANCEL_UNRUNNABLE,
      });
      for (const environment of [spot, onDemand]) {
        acknowledge(
          environment,
          'The instance role carries AmazonEC2ContainerServiceforEC2Role, what the ECS agent on a Batch ' +
            'instance needs (register, pull images, ship logs); AWS keeps it in step with the agent.',
          'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role]',
        );
      }
      return { instanceType, spot, onDemand, spotQueue, onDemandQueue };
    });
  }

  /** Every queue, Spot-first and on-demand, of every instance type. */
  get queues(): batch.JobQueue[] {
    return this.capacity.flatMap((c) => [c.spotQueue, c.onDemandQueue]);
  }

  /** What functions/lambda.ts reads as GANZOO_JOB_QUEUES: the queue ARNs by instance type. */
  queueArns(): Record<string, { spot: string; onDemand: string }> {
    return Object.fromEntries(
      this.capacity.map((c) => [
        c.instanceType,
        { spot: c.spotQueue.jobQueueArn, onDemand: c.onDemandQueue.jobQueueArn },
      ]),
    );
  }
}
