import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledge } from '../acknowledge.ts';

/** The routes that answer without a token (functions/routes/meta.ts). */
export const PUBLIC_PATHS = ['/health', '/openapi.json', '/docs'] as const;

/**
 * Every other request needs a token, including routes the app adds later. OPTIONS is left out on purpose:
 * API Gateway answers CORS preflights itself only when no route takes OPTIONS, and a preflight carries no
 * token.
 */
export const AUTHORIZED_METHODS = [
  apigw.HttpMethod.GET,
  apigw.HttpMethod.POST,
  apigw.HttpMethod.PUT,
  apigw.HttpMethod.PATCH,
  apigw.HttpMethod.DELETE,
];

export interface GanzooHttpApiProps {
  handler: lambda.IFunction;
  userPool: cognito.IUserPool;
  /** App clients whose tokens are accepted. */
  clients: cognito.IUserPoolClient[];
  /** The one origin a browser may call from. */
  dashboardOrigin: string;
}

/** The HTTP API in front of the Hono app: a JWT authorizer on everything but the public routes. */
export class GanzooHttpApi extends Construct {
  readonly api: apigw.HttpApi;
  readonly stage: apigw.HttpStage;

  constructor(scope: Construct, id: string, props: GanzooHttpApiProps) {
    super(scope, id);
    this.api = new apigw.HttpApi(this, 'Api', {
      description: 'ganzoo: experiments, runs and their artifacts',
      createDefaultStage: false,
      corsPreflight: {
        allowOrigins: [props.dashboardOrigin],
        allowMethods: [apigw.CorsHttpMethod.GET, apigw.CorsHttpMethod.POST, apigw.CorsHttpMethod.OPTIONS],
        allowHeaders: ['authorization', 'content-type', 'idempotency-key'],
        exposeHeaders: ['location'],
        maxAge: Duration.hours(1),
      },
    });
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stage = this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      accessLogSettings: { destination: new apigw.LogGroupLogDestination(accessLogs) },
      // Each accepted POST can start a GPU instance; a runaway client should meet a limit first.
      throttle: { rateLimit: 20, burstLimit: 40 },
    });

    // One permission for the whole API instead of one per route.
    const integration = new HttpLambdaIntegration('App', props.handler, { scopePermissionToRoute: false });
    const authorizer = new HttpUserPoolAuthorizer('Cognito', props.userPool, {
      userPoolClients: props.clients,
    });
    for (const path of PUBLIC_PATHS) {
      const [route] = this.api.addRoutes({ path, methods: [apigw.HttpMethod.GET], integration });
      acknowledge(
        route!,
        'Public by design: the health check and the API description, read before anyone signs in.',
        'AwsSolutions-APIG4',
      );
    }
    this.api.addRoutes({ path: '/{proxy+}', methods: AUTHORIZED_METHODS, integration, authorizer });
  }

  /** The API's base URL (the $default stage has no path of its own), without a trailing slash. */
  get url(): string {
    return this.api.apiEndpoint;
  }
}
