import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/**
 * Where the GPU instances run. Public subnets, and each instance gets a public IP on launch, so it pulls the
 * trainer image from ECR and reaches the Batch, ECS and CloudWatch endpoints through the internet gateway:
 * no NAT gateway (paid by the hour even while nothing trains) and no interface endpoints (paid per hour and
 * AZ each). S3 and DynamoDB, where the training traffic goes, are reached through gateway endpoints, which
 * cost nothing and keep that traffic off the internet. Nothing may connect in: the instances' security
 * group has no inbound rule.
 */
export class TrainingNetwork extends Construct {
  readonly vpc: ec2.Vpc;
  readonly securityGroup: ec2.SecurityGroup;
  readonly subnets: ec2.SubnetSelection = { subnetType: ec2.SubnetType.PUBLIC };

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      // An environment-agnostic stack gets two AZs; Spot capacity is sought in both.
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [
        { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 20, mapPublicIpOnLaunch: true },
      ],
      gatewayEndpoints: {
        S3: { service: ec2.GatewayVpcEndpointAwsService.S3 },
        DynamoDB: { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB },
      },
      flowLogs: {
        FlowLog: {
          destination: ec2.FlowLogDestination.toCloudWatchLogs(
            new logs.LogGroup(this, 'FlowLogs', { retention: logs.RetentionDays.ONE_MONTH }),
          ),
          trafficType: ec2.FlowLogTrafficType.ALL,
        },
      },
    });
    this.securityGroup = new ec2.SecurityGroup(this, 'InstanceSecurityGroup', {
      vpc: this.vpc,
      description: 'GPU training instances: outbound only',
      allowAllOutbound: true,
    });
  }
}
