import { Hono } from 'hono';
import { sign } from 'hono/jwt';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ApiEnv, bearerToken, cognitoJwtAuth, requireAuth, staticTokenAuth } from './auth.ts';
import { ApiProblem, errorHandler } from './errors.ts';

describe('bearerToken', () => {
  it('takes the token of a Bearer header, any case of the scheme', () => {
    expect(bearerToken('Bearer abc.def-ghi_jkl')).toBe('abc.def-ghi_jkl');
    expect(bearerToken('bearer abc==')).toBe('abc==');
    for (const h of [undefined, '', 'Bearer', 'Bearer ', 'Basic abc', 'Bearer a b', 'Bearerabc']) {
      expect(bearerToken(h), String(h)).toBeUndefined();
    }
  });
});

describe('staticTokenAuth', () => {
  const auth = staticTokenAuth('s3cret-token', 'local-user');

  it('accepts exactly its token and names its subject', async () => {
    expect(await auth.verify('Bearer s3cret-token')).toEqual({ subject: 'local-user' });
    for (const h of [undefined, 'Bearer s3cret-toke', 'Bearer s3cret-token2', 'Basic s3cret-token']) {
      expect(await auth.verify(h), String(h)).toBeUndefined();
    }
  });

  it('refuses an empty token or subject', () => {
    expect(() => staticTokenAuth('', 'x')).toThrow(/token/);
    expect(() => staticTokenAuth('x', '')).toThrow(/subject/);
  });
});

describe('requireAuth', () => {
  const app = new Hono<ApiEnv>();
  app.onError(errorHandler(() => {}));
  app.use('*', requireAuth(staticTokenAuth('t0k', 'me')));
  app.get('/who', (c) => c.json({ subject: c.get('subject') }));

  it('sets the subject for a valid token', async () => {
    const res = await app.request('/who', { headers: { authorization: 'Bearer t0k' } });
    expect(await res.json()).toEqual({ subject: 'me' });
  });

  it('answers 401 problems with the RFC 6750 challenge', async () => {
    const none = await app.request('/who');
    expect(none.status).toBe(401);
    expect(none.headers.get('content-type')).toBe('application/problem+json');
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="ganzoo"');
    expect(await none.json()).toMatchObject({ type: 'urn:ganzoo:problem:unauthorized', status: 401 });
    const wrong = await app.request('/who', { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });
});

describe('cognitoJwtAuth', () => {
  const issuer = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_TestPool';
  type Jwk = JsonWebKey & { kid: string; alg: string };
  let privateKey: Jwk;
  let publicKey: Jwk;
  let otherPrivate: Jwk;

  async function keyPair(kid: string) {
    const pair = (await crypto.subtle.generateKey(
      {
        name: 'RSASSA-PKCS1-v1_5',
        modulusLength: 2048,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: 'SHA-256',
      },
      true,
      ['sign', 'verify'],
    )) as CryptoKeyPair;
    const pub = (await crypto.subtle.exportKey('jwk', pair.publicKey)) as JsonWebKey;
    const priv = (await crypto.subtle.exportKey('jwk', pair.privateKey)) as JsonWebKey;
    return {
      pub: { ...pub, kid, alg: 'RS256', use: 'sig' } as Jwk,
      priv: { ...priv, kid, alg: 'RS256' } as Jwk,
    };
  }

  beforeAll(async () => {
    const a = await keyPair('key-1');
    const b = await keyPair('key-2');
    privateKey = a.priv;
    publicKey = a.pub;
    otherPrivate = b.priv;
  });

  /** A JWKS endpoint that serves `keys` and counts its requests. */
  function jwks(keys: () => Jwk[], status = 200) {
    const calls: string[] = [];
    const fetchFn = (async (url: string | URL | Request) => {
      calls.push(String(url));
      return new Response(JSON.stringify({ keys: keys() }), { status });
    }) as typeof fetch;
    return { calls, fetchFn };
  }

  const now = () => Math.floor(Date.now() / 1000);
  const accessClaims = (extra: Record<string, unknown> = {}) => ({
    sub: 'user-sub-1',
    iss: issuer,
    token_use: 'access',
    client_id: 'client-a',
    iat: now() - 10,
    exp: now() + 3600,
    ...extra,
  });

  it('accepts an access token signed by a key of the pool, with sub as the subject', async () => {
    const { calls, fetchFn } = jwks(() => [publicKey]);
    const auth = cognitoJwtAuth({ issuer: `${issuer}/`, clientIds: ['client-a'], fetch: fetchFn });
    const token = await sign(accessClaims(), privateKey, 'RS256');
    expect(await auth.verify(`Bearer ${token}`)).toEqual({ subject: 'user-sub-1' });
    expect(await auth.verify(`Bearer ${token}`)).toEqual({ subject: 'user-sub-1' });
    // Keys are cached between requests.
    expect(calls).toEqual([`${issuer}/.well-known/jwks.json`]);
  });

  it('refuses tokens that are expired, from another issuer, for another client or of the wrong use', async () => {
    const { fetchFn } = jwks(() => [publicKey]);
    const auth = cognitoJwtAuth({ issuer, clientIds: ['client-a'], fetch: fetchFn });
    const bad = [
      accessClaims({ exp: now() - 1 }),
      accessClaims({ exp: undefined }),
      accessClaims({ iss: 'https://cognito-idp.us-east-1.amazonaws.com/other' }),
      accessClaims({ client_id: 'client-b' }),
      accessClaims({ token_use: 'id', aud: 'client-a' }),
      accessClaims({ token_use: 'refresh' }),
      accessClaims({ sub: '' }),
    ];
    for (const claims of bad) {
      const token = await sign(claims, privateKey, 'RS256');
      expect(await auth.verify(`Bearer ${token}`), JSON.stringify(claims)).toBeUndefined();
    }
    expect(await auth.verify('Bearer not.a.jwt')).toBeUndefined();
    expect(await auth.verify(undefined)).toBeUndefined();
    // HS256 with the public key as the secret is the classic algorithm confusion; it must fail.
    const hs = await sign(accessClaims(), JSON.stringify(publicKey), 'HS256');
    expect(await auth.verify(`Bearer ${hs}`)).toBeUndefined();
  });

  it('accepts ID tokens only when asked to, checking aud against the client ids', async () => {
    const { fetchFn } = jwks(() => [publicKey]);
    const auth = cognitoJwtAuth({ issuer, clientIds: ['client-a'], tokenUse: ['id'], fetch: fetchFn });
    const id = await sign(
      accessClaims({ token_use: 'id', aud: 'client-a', client_id: undefined }),
      privateKey,
      'RS256',
    );
    expect(await auth.verify(`Bearer ${id}`)).toEqual({ subject: 'user-sub-1' });
    const access = await sign(accessClaims(), privateKey, 'RS256');
    expect(await auth.verify(`Bearer ${access}`)).toBeUndefined();
  });

  it('refuses a token signed by a key the pool does not publish, fetching again at most once a minute', async () => {
    let published = [publicKey];
    const { calls, fetchFn } = jwks(() => published);
    const auth = cognitoJwtAuth({ issuer, fetch: fetchFn });
    await auth.verify(`Bearer ${await sign(accessClaims(), privateKey, 'RS256')}`);
    const forged = await sign(accessClaims(), otherPrivate, 'RS256');
    expect(await auth.verify(`Bearer ${forged}`)).toBeUndefined();
    expect(await auth.verify(`Bearer ${forged}`)).toBeUndefined();
    expect(calls).toHaveLength(1);

    // After a key rotation, a token with the new kid makes it fetch the keys again.
    const rotated = cognitoJwtAuth({ issuer, fetch: fetchFn, refreshMs: 0 });
    await rotated.verify(`Bearer ${await sign(accessClaims(), privateKey, 'RS256')}`);
    const next = await keyPair('key-3');
    published = [publicKey, next.pub];
    expect(await rotated.verify(`Bearer ${await sign(accessClaims(), next.priv, 'RS256')}`)).toEqual({
      subject: 'user-sub-1',
    });
  });

  it('reports an unreachable JWKS as an upstream failure, not as a bad token', async () => {
    const { fetchFn } = jwks(() => [], 503);
    const auth = cognitoJwtAuth({ issuer, fetch: fetchFn });
    const token = await sign(accessClaims(), privateKey, 'RS256');
    const err = await auth.verify(`Bearer ${token}`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiProblem);
    expect((err as ApiProblem).status).toBe(502);
  });
});
