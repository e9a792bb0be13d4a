import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { Construct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openApiDocument } from '../../functions/openapi.ts';
import { BATCH_RUNNER_ENV, EVALUATE_ON_EXIT } from '../../functions/runners/batch-runner.ts';
import { DEFAULT_GPU_PRICES, GPU_PRICES_ENV, parseGpuPrices } from '../../shared/cost.ts';
import { CLOUD_LIMITS, LOCAL_LIMITS, limitsFromEnv } from '../../shared/limits.ts';
import { GPU_TYPES } from '../../shared/spec.ts';
import { RUNS_TABLE } from '../../shared/tables.ts';
import { DEFAULT_CONFIG } from '../lib/config.ts';
import { CHECKPOINT_TAG } from '../lib/constructs/artifacts-bucket.ts';
import { gpuConstructId } from '../lib/constructs/gpu-compute.ts';
import { AUTHORIZED_METHODS, PUBLIC_PATHS } from '../lib/constructs/http-api.ts';
import { REPO_ROOT } from '../lib/function-bundles.ts';
import {
  actionsOf,
  buildApp,
  type CfnTemplate,
  render,
  resourcesOf,
  type Statement,
  statementsOf,
  type TestApp,
} from './synth.ts';

let built: TestApp;
const templates: Record<'data' | 'compute' | 'web' | 'api', Template> = {} as never;

const logicalId = (construct: Construct) =>
  Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement);
const json = (t: Template) => t.toJSON() as CfnTemplate;
const ofType = (t: Template, type: string) =>
  Object.entries(json(t).Resources).filter(([, r]) => r.Type === type);
/** A compute-stack resource as the api stack sees it: an import of an output named after its logical id. */
const importOf = (construct: Construct) =>
  expect.stringMatching(new RegExp(`^\\{import:GanzooCompute:\\w*${logicalId(construct)}\\w*\\}$`));

beforeAll(async () => {
  // CDK's own CloudFormation validation takes seconds to start; the CLI synth test (cdk-cli.test.ts) runs it.
  vi.stubEnv('CDK_VALIDATION', 'false');
  // A directory that does not exist stands for a fresh clone without web/dist.
  built = await buildApp({ siteDirectory: join(REPO_ROOT, 'web', 'no-such-dist') });
  for (const name of ['data', 'compute', 'web', 'api'] as const) {
    templates[name] = Template.fromStack(built.stacks[name]);
  }
});

afterAll(() => {
  vi.unstubAllEnvs();
  rmSync(built.app.outdir, { recursive: true, force: true });
});

describe('every bucket', () => {
  it('blocks public access, is encrypted and refuses requests without TLS', () => {
    let buckets = 0;
    for (const template of Object.values(templates)) {
      const policies = ofType(template, 'AWS::S3::BucketPolicy').map(([, r]) => r.Properties!);
      for (const [id, bucket] of ofType(template, 'AWS::S3::Bucket')) {
        buckets++;
        expect(bucket.Properties?.PublicAccessBlockConfiguration, id).toEqual({
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        });
        expect(bucket.Properties?.BucketEncryption, id).toBeDefined();
        const policy = policies.find((p) => render(p.Bucket) === `{${id}}`);
        expect(policy, `${id} has a bucket policy`).toBeDefined();
        const statements = (policy!.PolicyDocument as { Statement: Statement[] }).Statement;
        expect(statements).toContainEqual(
          expect.objectContaining({
            Effect: 'Deny',
            Action: 's3:*',
            Principal: { AWS: '*' },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        );
        // No statement grants anyone at all.
        for (const s of statements as (Statement & { Principal?: unknown })[]) {
          if (s.Effect === 'Allow') expect(JSON.stringify(s.Principal), id).not.toMatch(/"\*"/);
        }
      }
    }
    expect(buckets).toBe(4); // artifacts, dashboard, and the access logs of each
  });
});

describe('DataStack', () => {
  it("lets a browser PUT upload parts to the artifacts bucket and read each part's ETag", () => {
    const bucket = json(templates.data).Resources[logicalId(built.stacks.data.bucket)]!;
    const rules = (bucket.Properties!.CorsConfiguration as { CorsRules: Record<string, unknown>[] })
      .CorsRules;
    expect(rules).toEqual([
      {
        AllowedMethods: ['GET', 'HEAD', 'PUT'],
        AllowedOrigins: ['*'],
        AllowedHeaders: ['*'],
        ExposedHeaders: ['ETag'],
        MaxAge: 3600,
      },
    ]);
  });

  it('keeps the bucket, the table and the user pool when deleted', () => {
    const { data } = built.stacks;
    const t = json(templates.data);
    for (const construct of [data.bucket, data.table, data.userPool, data.logBucket]) {
      const resource = t.Resources[logicalId(construct)]!;
      expect(resource.DeletionPolicy, construct.node.path).toBe('Retain');
    }
  });

  it('has a point-in-time-recoverable, on-demand table with the index the API queries', () => {
    templates.data.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      KeySchema: [{ AttributeName: RUNS_TABLE.partitionKey, KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [
        Match.objectLike({
          IndexName: RUNS_TABLE.ownerIndex.name,
          KeySchema: [
            { AttributeName: RUNS_TABLE.ownerIndex.partitionKey, KeyType: 'HASH' },
            { AttributeName: RUNS_TABLE.ownerIndex.sortKey, KeyType: 'RANGE' },
          ],
        }),
      ],
    });
  });

  it('expires tagged checkpoints and keeps everything else', () => {
    const bucket = json(templates.data).Resources[logicalId(built.stacks.data.bucket)]!;
    const rules = (bucket.Properties!.LifecycleConfiguration as { Rules: Record<string, unknown>[] }).Rules;
    expect(rules).toContainEqual(
      expect.objectContaining({
        Status: 'Enabled',
        TagFilters: [{ Key: CHECKPOINT_TAG.key, Value: CHECKPOINT_TAG.value }],
        ExpirationInDays: 30,
      }),
    );
    // Only the tagged rule expires objects.
    expect(rules.filter((r) => r.ExpirationInDays !== undefined)).toHaveLength(1);
  });

  it('lets nobody sign themselves up', () => {
    templates.data.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: 'ON',
    });
  });
});

describe('ComputeStack', () => {
  it('runs the trainer with one GPU, its run environment and a timeout', () => {
    templates.compute.hasResourceProperties('AWS::Batch::JobDefinition', {
      Type: 'container',
      PlatformCapabilities: ['EC2'],
      PropagateTags: true,
      Timeout: { AttemptDurationSeconds: 120 * 60 },
      ContainerProperties: Match.objectLike({
        // The smallest type's whole instance but 2 GiB; SubmitJob sizes each run to its own type.
        ResourceRequirements: Match.arrayWith([
          { Type: 'MEMORY', Value: '14336' },
          { Type: 'VCPU', Value: '4' },
          { Type: 'GPU', Value: '1' },
        ]),
        Environment: Match.arrayWith([
          Match.objectLike({ Name: 'GANZOO_BUCKET' }),
          Match.objectLike({ Name: 'GANZOO_TABLE' }),
          Match.objectLike({ Name: 'AWS_REGION' }),
        ]),
      }),
    });
  });

  it('retries lost hosts, SIGTERM checkpoints and containers that could not start, as SubmitJob does', () => {
    const definitions = ofType(templates.compute, 'AWS::Batch::JobDefinition');
    expect(definitions).toHaveLength(1);
    const strategy = definitions[0]![1].Properties!.RetryStrategy as Record<string, unknown>;
    expect(strategy.Attempts).toBe(3);
    // Batch matches in order and allows five rules; this exact list is the contract.
    expect(strategy.EvaluateOnExit).toEqual([
      { OnStatusReason: 'Host EC2*', Action: 'RETRY' },
      { OnExitCode: '143', Action: 'RETRY' },
      { OnReason: 'Cannot*', Action: 'RETRY' },
      { OnReason: '*', Action: 'EXIT' },
      { OnExitCode: '*', Action: 'EXIT' },
    ]);
    // The runner overrides the strategy at SubmitJob with the same rules, in Batch's API spelling.
    const cfnCase = EVALUATE_ON_EXIT.map((rule) =>
      Object.fromEntries(Object.entries(rule).map(([k, v]) => [k[0]!.toUpperCase() + k.slice(1), v])),
    );
    expect(strategy.EvaluateOnExit).toEqual(cfnCase);
  });

  it('gives each GPU type a Spot and an on-demand environment of that type alone, scaling to zero', () => {
    const { capacity } = built.stacks.compute.compute;
    expect(capacity.map((c) => c.instanceType)).toEqual([...GPU_TYPES]);
    const resources = json(templates.compute).Resources;
    expect(ofType(templates.compute, 'AWS::Batch::ComputeEnvironment')).toHaveLength(GPU_TYPES.length * 2);
    for (const c of capacity) {
      // Ids from the type alone, so configuring another type leaves this one's resources in place.
      expect(c.spot.node.path).toBe(`GanzooCompute/Gpu/${gpuConstructId(c.instanceType)}/Spot`);
      expect(c.onDemand.node.path).toBe(`GanzooCompute/Gpu/${gpuConstructId(c.instanceType)}/OnDemand`);
      const spot = resources[logicalId(c.spot)]!.Properties!.ComputeResources;
      const onDemand = resources[logicalId(c.onDemand)]!.Properties!.ComputeResources;
      for (const [environment, type] of [
        [spot, 'SPOT'],
        [onDemand, 'EC2'],
      ] as const) {
        expect(environment, `${c.instanceType} ${type}`).toMatchObject({
          Type: type,
          MinvCpus: 0,
          InstanceTypes: [c.instanceType],
          Ec2Configuration: [{ ImageType: 'ECS_AL2023_NVIDIA' }],
        });
      }
      expect(spot).toMatchObject({ AllocationStrategy: 'SPOT_PRICE_CAPACITY_OPTIMIZED' });
    }
    expect(gpuConstructId('g4dn.xlarge')).toBe('G4dnXlarge');
    expect(gpuConstructId('g5.2xlarge')).toBe('G52xlarge');
  });

  it("orders Spot before on-demand in each type's Spot queue, and on-demand alone in the other", () => {
    const queues = json(templates.compute).Resources;
    const order = (queue: Construct) =>
      (
        queues[logicalId(queue)]!.Properties!.ComputeEnvironmentOrder as {
          Order: number;
          ComputeEnvironment: unknown;
        }[]
      )
        .sort((a, b) => a.Order - b.Order)
        .map((o) => render(o.ComputeEnvironment));
    const { capacity } = built.stacks.compute.compute;
    expect(ofType(templates.compute, 'AWS::Batch::JobQueue')).toHaveLength(capacity.length * 2);
    for (const c of capacity) {
      expect(order(c.spotQueue), c.instanceType).toEqual([
        `{${logicalId(c.spot)}.ComputeEnvironmentArn}`,
        `{${logicalId(c.onDemand)}.ComputeEnvironmentArn}`,
      ]);
      expect(order(c.onDemandQueue), c.instanceType).toEqual([
        `{${logicalId(c.onDemand)}.ComputeEnvironmentArn}`,
      ]);
    }
  });

  it('cancels a Spot-first job after the configured wait without capacity, and unrunnable jobs after 10 min', () => {
    const resources = json(templates.compute).Resources;
    const actions = (queue: Construct) =>
      (resources[logicalId(queue)]!.Properties!.JobStateTimeLimitActions as Record<string, unknown>[]).map(
        (a) => `${a.State} ${a.Reason} ${a.MaxTimeSeconds} ${a.Action}`,
      );
    const unrunnable = [
      'RUNNABLE MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT 600 CANCEL',
      'RUNNABLE MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE 600 CANCEL',
    ];
    const wait = DEFAULT_CONFIG.spotCapacityWaitMinutes * 60;
    expect(wait).toBe(1800);
    for (const c of built.stacks.compute.compute.capacity) {
      expect(actions(c.spotQueue), c.instanceType).toEqual([
        ...unrunnable,
        `RUNNABLE CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY ${wait} CANCEL`,
      ]);
      // On-demand has nowhere further to go: its jobs wait for capacity.
      expect(actions(c.onDemandQueue), c.instanceType).toEqual(unrunnable);
    }
  });

  it('needs no NAT gateway: public subnets with public IPs, gateway endpoints for S3 and DynamoDB', () => {
    templates.compute.resourceCountIs('AWS::EC2::NatGateway', 0);
    const subnets = ofType(templates.compute, 'AWS::EC2::Subnet');
    expect(subnets.length).toBeGreaterThan(0);
    for (const [, s] of subnets) expect(s.Properties!.MapPublicIpOnLaunch).toBe(true);
    const endpoints = ofType(templates.compute, 'AWS::EC2::VPCEndpoint').map(([, r]) =>
      render(r.Properties!.ServiceName),
    );
    expect(endpoints.some((n) => n.endsWith('.s3'))).toBe(true);
    expect(endpoints.some((n) => n.endsWith('.dynamodb'))).toBe(true);
    templates.compute.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'GPU training instances: outbound only',
      SecurityGroupIngress: Match.absent(),
    });
  });

  it('lets the trainer write only under runs/, datasets/ and uploads/, and delete only under uploads/', () => {
    const statements = statementsOf(json(templates.compute), logicalId(built.stacks.compute.trainer.jobRole));
    const s3 = statements.filter((s) => actionsOf([s]).some((a) => a.startsWith('s3:')));
    expect(s3.length).toBeGreaterThan(0);
    for (const s of s3) {
      for (const action of actionsOf([s])) expect(action).not.toMatch(/^s3:(PutBucket|\*)/);
      const deletes = actionsOf([s]).some((a) => a.startsWith('s3:Delete'));
      const writes = actionsOf([s]).some((a) => a.startsWith('s3:Put'));
      for (const resource of resourcesOf(s)) {
        // The bucket itself only for reads (listing), every object under runs/, datasets/ or uploads/.
        expect(resource).toMatch(
          deletes
            ? /^\{import:GanzooData:\w*ArtifactsBucket\w*\}\/uploads\/\*$/
            : writes
              ? /^\{import:GanzooData:\w*ArtifactsBucket\w*\}\/(runs|datasets|uploads)\/\*$/
              : /^\{import:GanzooData:\w*ArtifactsBucket\w*\}(\/(runs|datasets|uploads)\/\*)?$/,
        );
      }
    }
    const dynamo = actionsOf(statements).filter((a) => a.startsWith('dynamodb:'));
    expect(dynamo.sort()).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
  });

  it('builds the image from a small context that holds everything trainer/Dockerfile copies', () => {
    const staged = join(built.app.outdir, `asset.${built.stacks.compute.trainer.image.assetHash}`);
    const top = readdirSync(staged).sort();
    // .dockerignore's allow-list: no node_modules, runs, .data, cdk.out or web in the build context.
    expect(top).toEqual([
      '.dockerignore',
      'package-lock.json',
      'package.json',
      'shared',
      'trainer',
      'tsconfig.json',
    ]);
    const dockerfile = readFileSync(join(staged, 'trainer', 'Dockerfile'), 'utf8');
    const sources = [...dockerfile.matchAll(/^COPY\s+(?!--from)(.+)$/gm)].flatMap((m) =>
      m[1]!
        .split(/\s+/)
        .filter((w) => !w.startsWith('--'))
        .slice(0, -1),
    );
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) expect(existsSync(join(staged, source)), source).toBe(true);
  });
});

describe('ApiStack', () => {
  const routes = () =>
    ofType(templates.api, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties as Record<string, unknown>);

  it('has a JWT authorizer on every route but the public ones', () => {
    const all = routes();
    const publicKeys = PUBLIC_PATHS.map((p) => `GET ${p}`);
    expect(all.map((r) => r.RouteKey)).toEqual(expect.arrayContaining(publicKeys));
    for (const route of all) {
      const key = route.RouteKey as string;
      if (publicKeys.includes(key)) {
        expect(route.AuthorizationType ?? 'NONE', key).toBe('NONE');
      } else {
        expect(route.AuthorizationType, key).toBe('JWT');
        expect(route.AuthorizerId, key).toBeDefined();
        // OPTIONS belongs to API Gateway's own CORS answer; ANY would take it and demand a token.
        expect(key).not.toMatch(/^(OPTIONS|ANY) /);
      }
    }
    expect(all.some((r) => r.RouteKey === 'GET /{proxy+}')).toBe(true);
    expect(all.some((r) => r.RouteKey === 'POST /{proxy+}')).toBe(true);
    templates.api.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Audience: [Match.anyValue()], Issuer: Match.anyValue() },
    });
  });

  it("leaves public exactly the operations the API's OpenAPI document marks public", () => {
    const doc = openApiDocument() as { paths: Record<string, Record<string, { security?: unknown[] }>> };
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, op })),
    );
    const documentedPublic = operations.filter((o) => o.op.security?.length === 0).map((o) => o.key);
    expect(documentedPublic.sort()).toEqual(PUBLIC_PATHS.map((p) => `GET ${p}`).sort());
    // Every other operation reaches the app only through an authorized route.
    for (const { key } of operations) {
      if (documentedPublic.includes(key)) continue;
      expect(AUTHORIZED_METHODS, key).toContain(key.split(' ')[0]);
    }
  });

  it("allows CORS from the dashboard's origin only", () => {
    const api = ofType(templates.api, 'AWS::ApiGatewayV2::Api')[0]![1];
    const cors = api.Properties!.CorsConfiguration as { AllowOrigins: unknown[] };
    expect(cors.AllowOrigins).toHaveLength(1);
    expect(render(cors.AllowOrigins[0])).toMatch(/^https:\/\/\{import:GanzooWeb:.*DomainName.*\}$/);
  });

  it('routes Batch state changes of every queue to the status handler', () => {
    const rules = ofType(templates.api, 'AWS::Events::Rule');
    expect(rules).toHaveLength(1);
    const properties = rules[0]![1].Properties as {
      EventPattern: Record<string, unknown>;
      Targets: unknown[];
    };
    const pattern = properties.EventPattern as {
      source: string[];
      'detail-type': string[];
      detail: { jobQueue: unknown[] };
    };
    expect(pattern.source).toEqual(['aws.batch']);
    expect(pattern['detail-type']).toEqual(['Batch Job State Change']);
    const queues = built.stacks.compute.compute.queues;
    expect(queues).toHaveLength(GPU_TYPES.length * 2);
    expect(pattern.detail.jobQueue.map(render)).toEqual(queues.map(importOf));
    const handler = logicalId(built.stacks.api.events.handler.function);
    expect(render((properties.Targets[0] as { Arn: unknown }).Arn)).toBe(`{${handler}.Arn}`);
  });

  it('gives the API what functions/lambda.ts reads from its environment', () => {
    const fn = json(templates.api).Resources[logicalId(built.stacks.api.app.function)]!;
    const env = (fn.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(Object.keys(env).sort()).toEqual([
      'GANZOO_BUCKET',
      'GANZOO_COGNITO_CLIENT_IDS',
      'GANZOO_COGNITO_ISSUER',
      'GANZOO_JOB_DEFINITION',
      'GANZOO_JOB_QUEUES',
      'GANZOO_MAX_GROUP_MEMBERS',
      'GANZOO_MAX_RETRIES',
      'GANZOO_MAX_RUNS_IN_FLIGHT',
      'GANZOO_MAX_TIMEOUT_MINUTES',
      'GANZOO_TABLE',
    ]);
    // The limits from the context (here its defaults), as shared/limits.ts limitsFromEnv reads them.
    expect(limitsFromEnv(env as Record<string, string>, LOCAL_LIMITS)).toEqual(CLOUD_LIMITS);
    // By name, so the API always submits the latest revision (see TrainerJob.jobDefinitionName).
    expect(env.GANZOO_JOB_DEFINITION).toBe(built.stacks.compute.trainer.jobDefinitionName);
    templates.compute.hasResourceProperties('AWS::Batch::JobDefinition', {
      JobDefinitionName: env.GANZOO_JOB_DEFINITION,
    });
    // The JSON is joined at deploy time; rendered, each ARN is the import of its queue.
    const queues = JSON.parse(render(env.GANZOO_JOB_QUEUES)) as Record<string, unknown>;
    expect(queues).toEqual(
      Object.fromEntries(
        built.stacks.compute.compute.capacity.map((c) => [
          c.instanceType,
          { spot: importOf(c.spotQueue), onDemand: importOf(c.onDemandQueue) },
        ]),
      ),
    );
    expect(Object.keys(queues)).toEqual([...GPU_TYPES]);
    expect(render(env.GANZOO_COGNITO_ISSUER)).toMatch(/^https:\/\/\{import:GanzooData:.*ProviderURL.*\}$/);
  });

  it('lets the API submit only to its queues and job definition, and touch only runs/ and uploads/ objects', () => {
    const statements = statementsOf(json(templates.api), logicalId(built.stacks.api.app.role));
    const submit = statements.filter((s) => actionsOf([s]).includes('batch:SubmitJob'));
    const submitTo = submit.flatMap(resourcesOf);
    const name = built.stacks.compute.trainer.jobDefinitionName;
    const definitionArn = `arn:{AWS::Partition}:batch:{AWS::Region}:{AWS::AccountId}:job-definition/${name}`;
    const queues = built.stacks.compute.compute.queues;
    expect(queues).toHaveLength(GPU_TYPES.length * 2);
    expect(submitTo).toHaveLength(queues.length + 2);
    expect(submitTo).toEqual(
      expect.arrayContaining([definitionArn, `${definitionArn}:*`, ...queues.map(importOf)]),
    );
    const batchActions = [...new Set(actionsOf(statements).filter((a) => a.startsWith('batch:')))].sort();
    expect(batchActions).toEqual(['batch:SubmitJob', 'batch:TagResource', 'batch:TerminateJob']);
    for (const s of statements.filter((x) => actionsOf([x]).some((a) => a.startsWith('s3:')))) {
      for (const action of actionsOf([s])) expect(action).not.toMatch(/^s3:(PutBucket|\*)/);
      const deletes = actionsOf([s]).some((a) => a.startsWith('s3:Delete'));
      for (const resource of resourcesOf(s)) {
        expect(resource).toMatch(
          deletes
            ? /^\{import:GanzooData:\w*ArtifactsBucket\w*\}\/uploads\/\*$/
            : /^\{import:GanzooData:\w*ArtifactsBucket\w*\}(\/(runs|uploads)\/\*)?$/,
        );
      }
    }
    const dynamo = actionsOf(statements).filter((a) => a.startsWith('dynamodb:'));
    expect(dynamo).not.toContain('dynamodb:Scan');
    expect(dynamo).toContain('dynamodb:Query');
    expect(dynamo).toContain('dynamodb:BatchGetItem');
  });

  it('lets the status handler update run and dataset records, delete an upload it fails, and submit a run to its on-demand queue, nothing more', () => {
    const { events, app } = built.stacks.api;
    const statements = statementsOf(json(templates.api), logicalId(events.handler.role));
    const dynamo = actionsOf(statements).filter((a) => a.startsWith('dynamodb:'));
    expect(dynamo.sort()).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
    // S3: list uploads/ and delete under it, nothing else.
    const s3 = statements.filter((s) => actionsOf([s]).some((a) => a.startsWith('s3:')));
    expect([...new Set(actionsOf(s3))].sort()).toEqual(['s3:DeleteObject*', 's3:ListBucket']);
    for (const s of s3)
      for (const resource of resourcesOf(s))
        expect(resource).toMatch(
          actionsOf([s]).includes('s3:ListBucket')
            ? /^\{import:GanzooData:\w*ArtifactsBucket\w*\}$/
            : /^\{import:GanzooData:\w*ArtifactsBucket\w*\}\/uploads\/\*$/,
        );
    const list = s3.find((s) => actionsOf([s]).includes('s3:ListBucket')) as { Condition?: unknown };
    expect(list.Condition).toEqual({ StringLike: { 's3:prefix': 'uploads/*' } });
    const batchActions = [...new Set(actionsOf(statements).filter((a) => a.startsWith('batch:')))].sort();
    expect(batchActions).toEqual(['batch:SubmitJob', 'batch:TagResource', 'batch:TerminateJob']);
    // The same environment as the API's Batch runner (functions/runners/batch-runner.ts BATCH_RUNNER_ENV).
    const envOf = (fn: Construct) =>
      (json(templates.api).Resources[logicalId(fn)]!.Properties!.Environment as { Variables: object })
        .Variables as Record<string, unknown>;
    const handlerEnv = envOf(events.handler.function);
    expect(Object.keys(handlerEnv).sort()).toEqual([...BATCH_RUNNER_ENV, GPU_PRICES_ENV].sort());
    // The cost estimate's prices, as shared/cost.ts parseGpuPrices reads them (here the defaults).
    expect(parseGpuPrices(handlerEnv[GPU_PRICES_ENV] as string)).toEqual(DEFAULT_GPU_PRICES);
    const apiEnv = envOf(app.function);
    for (const key of BATCH_RUNNER_ENV) expect(render(handlerEnv[key]), key).toBe(render(apiEnv[key]));
  });

  it("writes the dashboard's config.json at deploy time", () => {
    templates.api.hasResourceProperties('Custom::CDKBucketDeployment', {
      Prune: false,
      DestinationBucketName: { 'Fn::GetStackOutput': Match.objectLike({ StackName: 'GanzooWeb' }) },
      SourceMarkersConfig: [Match.objectLike({ jsonEscape: true })],
    });
  });
});

describe('WebStack', () => {
  it('serves the bucket through CloudFront with origin access control, HTTPS only', () => {
    templates.web.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    templates.web.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'index.html',
        Origins: [Match.objectLike({ OriginAccessControlId: Match.anyValue() })],
        DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'redirect-to-https' }),
      }),
    });
  });

  it('deploys a placeholder page when web/dist is missing, and never prunes config.json', () => {
    expect(built.stacks.web.site.built).toBe(false);
    templates.web.hasResourceProperties('Custom::CDKBucketDeployment', {
      Exclude: ['config.json'],
      DistributionPaths: ['/*'],
    });
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('leaves no error or warning unacknowledged in any stack', () => {
    // The app has been synthesized (beforeAll), so aspects and the validation-time acknowledgments ran.
    const report = new AwsSolutionsChecks().validateScope(built.app);
    const findings = report.violations.flatMap((v) =>
      v.violatingResources.map((r) => `${v.severity} ${v.ruleName} at ${r.constructPath}: ${v.description}`),
    );
    expect(findings.join('\n')).toBe('');
    expect(report.success).toBe(true);
  });

  it('is live: an unprotected bucket is reported', () => {
    const app = new App();
    new s3.Bucket(new Stack(app, 'Probe'), 'Bucket');
    app.synth();
    const rules = new AwsSolutionsChecks().validateScope(app).violations.map((v) => v.ruleName);
    expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-S1', 'AwsSolutions-S10']));
  });
});
