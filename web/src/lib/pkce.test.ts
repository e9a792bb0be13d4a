import { describe, expect, it } from 'vitest';
import {
  authorizeUrl,
  base64url,
  randomVerifier,
  redirectUriFor,
  s256Challenge,
  tokenRequestBody,
} from './pkce.ts';

describe('PKCE', () => {
  it("derives RFC 7636's example challenge from its example verifier", async () => {
    expect(await s256Challenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  it('makes fresh verifiers of the allowed length and alphabet', () => {
    const a = randomVerifier();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(randomVerifier()).not.toBe(a);
    expect(base64url(new Uint8Array([251, 255]))).toBe('-_8');
  });

  it('asks the hosted UI for a code with the S256 challenge, and trades it with the verifier', () => {
    const url = new URL(
      authorizeUrl({
        authUrl: 'https://x.auth.us-east-1.amazoncognito.com',
        clientId: 'c1',
        redirectUri: 'https://d.example/',
        state: 's1',
        challenge: 'ch',
      }),
    );
    expect(url.pathname).toBe('/oauth2/authorize');
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: 'c1',
      redirect_uri: 'https://d.example/',
      state: 's1',
      code_challenge: 'ch',
      code_challenge_method: 'S256',
    });
    const body = tokenRequestBody({
      clientId: 'c1',
      code: 'k',
      redirectUri: 'https://d.example/',
      verifier: 'v',
    });
    expect(body.toString()).toBe(
      'grant_type=authorization_code&client_id=c1&code=k&redirect_uri=https%3A%2F%2Fd.example%2F&code_verifier=v',
    );
  });

  it('sends the one registered callback, the folder, whether the page was opened as / or /index.html', () => {
    const origin = 'https://d111.cloudfront.net';
    expect(redirectUriFor(origin, '/')).toBe(`${origin}/`);
    expect(redirectUriFor(origin, '/index.html')).toBe(`${origin}/`);
    // A dashboard served from a folder keeps it.
    expect(redirectUriFor('http://127.0.0.1:8787', '/ui/index.html')).toBe('http://127.0.0.1:8787/ui/');
  });
});
