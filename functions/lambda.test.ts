import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { GPU_TYPES } from '../shared/spec.ts';

const QUEUES = {
  'g4dn.xlarge': { spot: 'g4dn-spot', onDemand: 'g4dn-on-demand' },
  'g5.2xlarge': { spot: 'g5-spot', onDemand: 'g5-on-demand' },
};

const ENV = {
  GANZOO_TABLE: 'runs',
  GANZOO_BUCKET: 'artifacts',
  GANZOO_JOB_QUEUES: JSON.stringify(QUEUES),
  GANZOO_JOB_DEFINITION: 'trainer:1',
  GANZOO_COGNITO_ISSUER: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example',
  AWS_REGION: 'us-east-1',
};

/** An API Gateway HTTP API (payload 2.0) event, as Lambda receives it. */
function event(method: string, path: string, headers: Record<string, string> = {}) {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: { host: 'api.example.test', ...headers },
    body: null,
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.example.test',
      domainPrefix: 'api',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'test' },
      requestId: 'req',
      routeKey: '$default',
      stage: '$default',
      time: '01/Jan/2026:00:00:00 +0000',
      timeEpoch: 0,
      authentication: null,
      authorizer: {},
    },
  };
}

describe('lambda handler', () => {
  beforeAll(() => {
    for (const [k, v] of Object.entries(ENV)) vi.stubEnv(k, v);
  });

  afterAll(() => {
    vi.unstubAllEnvs();
  });

  it('names every missing variable', async () => {
    const { appFromEnv } = await import('./lambda.ts');
    expect(() => appFromEnv({ GANZOO_TABLE: 'runs' })).toThrow(
      'the API needs GANZOO_BUCKET, GANZOO_JOB_QUEUES, GANZOO_JOB_DEFINITION, GANZOO_COGNITO_ISSUER in its environment',
    );
  });

  it('reads the queues by GPU type from GANZOO_JOB_QUEUES', async () => {
    const { parseJobQueues } = await import('./runners/batch-runner.ts');
    expect(parseJobQueues(ENV.GANZOO_JOB_QUEUES)).toEqual(QUEUES);
  });

  it('refuses a GANZOO_JOB_QUEUES that is not JSON, not an object, or names an unknown GPU type', async () => {
    const { appFromEnv } = await import('./lambda.ts');
    const withQueues = (GANZOO_JOB_QUEUES: string) => () => appFromEnv({ ...ENV, GANZOO_JOB_QUEUES });
    expect(withQueues('arn:aws:batch:queue')).toThrow('GANZOO_JOB_QUEUES is not valid JSON');
    expect(withQueues('["a"]')).toThrow('GANZOO_JOB_QUEUES must be a JSON object of queues by GPU type');
    expect(withQueues('{}')).toThrow('GANZOO_JOB_QUEUES names no GPU type');
    expect(withQueues(JSON.stringify({ 'p3.2xlarge': { spot: 's', onDemand: 'o' } }))).toThrow(
      `GANZOO_JOB_QUEUES names unknown GPU type p3.2xlarge; known: ${GPU_TYPES.join(', ')}`,
    );
    expect(withQueues(JSON.stringify({ 'g5.xlarge': { spot: 's' } }))).toThrow(
      'GANZOO_JOB_QUEUES needs non-empty "spot" and "onDemand" queues for g5.xlarge',
    );
    expect(withQueues(JSON.stringify({ 'g5.xlarge': null }))).toThrow(/GANZOO_JOB_QUEUES needs non-empty/);
  });

  it('serves the app to API Gateway events: public routes open, the rest behind Cognito', async () => {
    const { handler } = await import('./lambda.ts');
    const health = await handler(event('GET', '/health'));
    expect(health.statusCode).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({ status: 'ok' });
    const models = await handler(event('GET', '/models'));
    expect(models.statusCode).toBe(401);
    expect(models.headers['content-type']).toBe('application/problem+json');
    const garbage = await handler(event('GET', '/experiments', { authorization: 'Bearer not.a.jwt' }));
    expect(garbage.statusCode).toBe(401);
  });
});
