import { type Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { HANDLER } from '../function-bundles.ts';

export interface GanzooFunctionProps {
  /** A folder of function-bundles.ts: `index.mjs` exporting `handler`. */
  bundle: string;
  description: string;
  environment: Record<string, string>;
  timeout: Duration;
  memorySize?: number;
  /** Where an event that failed every asynchronous attempt goes. */
  deadLetterQueue?: sqs.IQueue;
}

/**
 * A Lambda function of functions/, with a role of its own that may write to its own log group and nothing
 * else until granted: no AWSLambdaBasicExecutionRole, whose logs permissions reach every log group.
 */
export class GanzooFunction extends Construct {
  readonly function: lambda.Function;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: GanzooFunctionProps) {
    super(scope, id);
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: props.description,
    });
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    logGroup.grantWrite(this.role);
    this.function = new lambda.Function(this, 'Function', {
      // The bundle targets Node 20 (lambda-build-options.ts) and runs unchanged on the newest runtime, which
      // stays supported longest.
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      code: lambda.Code.fromAsset(props.bundle),
      handler: HANDLER,
      description: props.description,
      role: this.role,
      logGroup,
      environment: props.environment,
      timeout: props.timeout,
      memorySize: props.memorySize ?? 512,
      ...(props.deadLetterQueue ? { deadLetterQueue: props.deadLetterQueue } : {}),
    });
    // The log group exists before the function first writes, so Lambda never needs logs:CreateLogGroup.
    this.function.node.addDependency(logGroup);
  }
}
