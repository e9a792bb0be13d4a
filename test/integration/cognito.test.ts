/**
 * Sign-in as the cloud does it: users of a Cognito user pool (moto's) get tokens by signing in, and the API
 * built as Lambda builds it (functions/lambda.ts appFromEnv) verifies them against the pool's signing keys
 * and keeps each user's runs apart. Only the keys' location differs from AWS: moto serves them under its own
 * endpoint (AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER), while the tokens name AWS's issuer as in the cloud.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../shared/run.ts';
import { type Deployment, deploy } from './aws.ts';

const ENDPOINT = process.env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER!;

/** One call of Cognito's JSON API (the SDK's client for it is not a dependency; the protocol is small). */
async function cognito<T = Record<string, unknown>>(action: string, body: unknown): Promise<T> {
  const res = await fetch(ENDPOINT, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `AWSCognitoIdentityProviderService.${action}`,
      authorization:
        'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`Cognito ${action}: HTTP ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

interface Pool {
  id: string;
  issuer: string;
  clientId: string;
}

async function createPool(name: string): Promise<Pool> {
  const { UserPool } = await cognito<{ UserPool: { Id: string } }>('CreateUserPool', { PoolName: name });
  const { UserPoolClient } = await cognito<{ UserPoolClient: { ClientId: string } }>('CreateUserPoolClient', {
    UserPoolId: UserPool.Id,
    ClientName: 'dashboard',
    ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
  });
  return {
    id: UserPool.Id,
    issuer: `https://cognito-idp.us-east-1.amazonaws.com/${UserPool.Id}`,
    clientId: UserPoolClient.ClientId,
  };
}

async function signIn(pool: Pool, username: string, clientId = pool.clientId) {
  const password = 'Correct-horse-9';
  try {
    await cognito('AdminCreateUser', { UserPoolId: pool.id, Username: username, MessageAction: 'SUPPRESS' });
    await cognito('AdminSetUserPassword', {
      UserPoolId: pool.id,
      Username: username,
      Password: password,
      Permanent: true,
    });
  } catch (err) {
    if (!/UsernameExistsException/.test((err as Error).message)) throw err;
  }
  const { AuthenticationResult: r } = await cognito<{
    AuthenticationResult: { AccessToken: string; IdToken: string };
  }>('InitiateAuth', {
    ClientId: clientId,
    AuthFlow: 'USER_PASSWORD_AUTH',
    AuthParameters: { USERNAME: username, PASSWORD: password },
  });
  const sub = (
    JSON.parse(Buffer.from(r.AccessToken.split('.')[1]!, 'base64url').toString()) as { sub: string }
  ).sub;
  return { access: r.AccessToken, id: r.IdToken, sub };
}

let d: Deployment;
let pool: Pool;
let api: { request: (path: string, init: RequestInit) => Response | Promise<Response> };

beforeAll(async () => {
  d = await deploy();
  pool = await createPool('ganzoo-users');
  // The Lambda module builds its handler from the environment when it loads, as a cold start does.
  Object.assign(process.env, {
    GANZOO_TABLE: d.table,
    GANZOO_BUCKET: d.bucket,
    GANZOO_JOB_QUEUES: JSON.stringify(d.queues),
    GANZOO_JOB_DEFINITION: d.jobDefinition,
    GANZOO_COGNITO_ISSUER: pool.issuer,
    GANZOO_COGNITO_CLIENT_IDS: pool.clientId,
  });
  const { appFromEnv } = await import('../../functions/lambda.ts');
  api = appFromEnv(process.env);
}, 60_000);

afterAll(() => d?.destroy());

const call = (token: string | undefined, path: string, init: RequestInit = {}) => {
  const headers = new Headers(init.headers);
  if (token) headers.set('authorization', `Bearer ${token}`);
  return Promise.resolve(api.request(path, { ...init, headers }));
};

describe('the API with Cognito sign-in', () => {
  it("takes a pool user's access token, stores runs under their sub, and keeps users apart", async () => {
    const ada = await signIn(pool, 'ada');
    const grace = await signIn(pool, 'grace');
    const submitted = await call(ada.access, '/experiments', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ family: 'vanilla', dataset: 'ring8', steps: 10 }),
    });
    expect(submitted.status).toBe(201);
    const run = (await submitted.json()) as RunRecord;
    expect(run.owner).toBe(ada.sub);

    const mine = (await (await call(ada.access, '/experiments')).json()) as { runs: RunRecord[] };
    expect(mine.runs.map((r) => r.id)).toEqual([run.id]);
    const theirs = (await (await call(grace.access, '/experiments')).json()) as { runs: RunRecord[] };
    expect(theirs.runs).toEqual([]);
    expect((await call(grace.access, `/experiments/${run.id}`)).status).toBe(404);
  });

  it('refuses ID tokens, tokens of another app client or another pool, and no token', async () => {
    const ada = await signIn(pool, 'ada');
    expect((await call(ada.access, '/experiments')).status).toBe(200);
    // The ID token is for the dashboard, not for APIs.
    expect((await call(ada.id, '/experiments')).status).toBe(401);

    const { UserPoolClient } = await cognito<{ UserPoolClient: { ClientId: string } }>(
      'CreateUserPoolClient',
      { UserPoolId: pool.id, ClientName: 'other', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'] },
    );
    const otherClient = await signIn(pool, 'ada', UserPoolClient.ClientId);
    expect((await call(otherClient.access, '/experiments')).status).toBe(401);

    // moto signs every pool's tokens with the same key, so only the issuer tells this one apart.
    const stranger = await signIn(await createPool('elsewhere'), 'mallory');
    expect((await call(stranger.access, '/experiments')).status).toBe(401);

    const none = await call(undefined, '/experiments');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="ganzoo"');
  });
});
