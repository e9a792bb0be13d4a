import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const ENV = {
  GANZOO_TABLE: 'runs',
  GANZOO_BUCKET: 'artifacts',
  GANZOO_JOB_QUEUE: 'spot-queue',
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
      'the API needs GANZOO_BUCKET, GANZOO_JOB_QUEUE, GANZOO_JOB_DEFINITION, GANZOO_COGNITO_ISSUER in its environment',
    );
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
