/**
 * Who is calling. Two Auth implementations behind the one port: a static bearer token for the local
 * platform and tests, and Cognito-issued JWTs verified against the user pool's JWKS in the cloud. The
 * requireAuth middleware turns either into `c.var.subject`, the owner every run is stored and filtered by.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { decode, verifyWithJwks } from 'hono/jwt';
import { ApiProblem } from './errors.ts';
import type { Auth } from './ports.ts';

/** The Hono environment of every authenticated route. */
export type ApiEnv = { Variables: { subject: string } };

/** The token of an `Authorization: Bearer <token>` header (scheme case-insensitive), else undefined. */
export function bearerToken(authorization: string | undefined): string | undefined {
  const m = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(authorization ?? '');
  return m?.[1];
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * One fixed token that stands for one subject, for `npm start` and tests. Compares digests in constant
 * time, so neither the token's content nor its length leaks through timing.
 */
export function staticTokenAuth(token: string, subject: string): Auth {
  if (!token) throw new Error('staticTokenAuth needs a non-empty token');
  if (!subject) throw new Error('staticTokenAuth needs a non-empty subject');
  const expected = digest(token);
  return {
    async verify(authorization) {
      const given = bearerToken(authorization);
      if (given === undefined) return undefined;
      return timingSafeEqual(digest(given), expected) ? { subject } : undefined;
    },
  };
}

type Jwk = NonNullable<Parameters<typeof verifyWithJwks>[1]['keys']>[number];

export interface CognitoAuthOptions {
  /** The user pool's issuer, https://cognito-idp.{region}.amazonaws.com/{userPoolId}. */
  issuer: string;
  /** App client ids allowed to call; matched against `client_id` (access tokens) or `aud` (ID tokens). */
  clientIds?: readonly string[];
  /** Which Cognito tokens are accepted (default: access tokens only, the ones meant for APIs). */
  tokenUse?: readonly ('access' | 'id')[];
  /** Where the signing keys are; `{issuer}/.well-known/jwks.json` (Cognito's own) by default. */
  jwksUri?: string;
  /** For tests; defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Shortest time between two JWKS downloads, so unknown key ids cannot make us fetch on every request. */
  refreshMs?: number;
}

/**
 * Cognito JWTs: RS256 signatures checked with hono/jwt against the pool's JWKS (fetched from
 * `{issuer}/.well-known/jwks.json` and cached; fetched again when a token names a key id not yet seen, as
 * after a key rotation), plus the issuer, expiry, token_use and client claims. The subject is `sub`.
 */
export function cognitoJwtAuth(options: CognitoAuthOptions): Auth {
  const issuer = options.issuer.replace(/\/+$/, '');
  const jwksUri = options.jwksUri ?? `${issuer}/.well-known/jwks.json`;
  const tokenUse = options.tokenUse ?? ['access'];
  const refreshMs = options.refreshMs ?? 60_000;
  const doFetch = options.fetch ?? fetch;
  let keys: Jwk[] = [];
  let fetchedAt = Number.NEGATIVE_INFINITY;

  async function refresh(): Promise<void> {
    let body: { keys?: unknown };
    try {
      const res = await doFetch(jwksUri);
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      body = (await res.json()) as { keys?: unknown };
    } catch (err) {
      // The caller's token may be fine; this is our outage, not a 401.
      throw new ApiProblem('upstream-failed', 'could not fetch the token signing keys', {
        cause: err,
      });
    }
    if (!Array.isArray(body.keys)) {
      throw new ApiProblem('upstream-failed', 'the token signing keys document has no "keys" array');
    }
    keys = body.keys as Jwk[];
    fetchedAt = Date.now();
  }

  return {
    async verify(authorization) {
      const token = bearerToken(authorization);
      if (token === undefined) return undefined;
      let kid: string | undefined;
      try {
        kid = decode(token).header.kid;
      } catch {
        return undefined;
      }
      if (!kid) return undefined;
      if (!keys.some((k) => k.kid === kid) && Date.now() - fetchedAt >= refreshMs) await refresh();
      let payload: Record<string, unknown>;
      try {
        payload = await verifyWithJwks(token, {
          keys,
          verification: { iss: issuer },
          allowedAlgorithms: ['RS256'],
        });
      } catch {
        return undefined;
      }
      const use = payload.token_use;
      if (use !== 'access' && use !== 'id') return undefined;
      if (!tokenUse.includes(use)) return undefined;
      if (options.clientIds) {
        const client = use === 'access' ? payload.client_id : payload.aud;
        if (typeof client !== 'string' || !options.clientIds.includes(client)) return undefined;
      }
      if (typeof payload.exp !== 'number') return undefined;
      return typeof payload.sub === 'string' && payload.sub ? { subject: payload.sub } : undefined;
    },
  };
}

/** Rejects a request without a valid bearer token (401, with the RFC 6750 challenge); else sets subject. */
export function requireAuth(auth: Auth): MiddlewareHandler<ApiEnv> {
  return async function requireAuth(c, next) {
    const header = c.req.header('authorization');
    const caller = await auth.verify(header);
    if (!caller) {
      const challenge =
        header === undefined ? 'Bearer realm="ganzoo"' : 'Bearer realm="ganzoo", error="invalid_token"';
      throw new ApiProblem(
        'unauthorized',
        header === undefined
          ? 'send an Authorization: Bearer <token> header'
          : 'the bearer token is missing, malformed, expired or not valid for this API',
        { headers: { 'www-authenticate': challenge } },
      );
    }
    c.set('subject', caller.subject);
    await next();
  };
}
