/**
 * The pieces of the OAuth 2.0 authorization code flow with PKCE (RFC 7636) that Cognito's hosted UI uses:
 * a random verifier, its S256 challenge, the authorize URL and the token request body.
 */

export function base64url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** 32 random bytes, base64url: 43 characters, inside RFC 7636's 43-128. */
export function randomVerifier(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

export async function s256Challenge(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

/**
 * The address Cognito sends the browser back to: the dashboard's folder, so the page opened as
 * https://host/index.html and as https://host/ both send https://host/, the one callback URL the app client
 * registers (infra/lib/constructs/sign-in.ts). A redirect_uri not registered exactly is refused.
 */
export function redirectUriFor(origin: string, pathname: string): string {
  return `${origin}${pathname.replace(/index\.html$/, '')}`;
}

export interface AuthorizeParams {
  authUrl: string;
  clientId: string;
  redirectUri: string;
  state: string;
  challenge: string;
}

export function authorizeUrl(p: AuthorizeParams): string {
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: p.clientId,
    redirect_uri: p.redirectUri,
    scope: 'openid email profile',
    state: p.state,
    code_challenge: p.challenge,
    code_challenge_method: 'S256',
  });
  return `${p.authUrl}/oauth2/authorize?${query}`;
}

export function tokenRequestBody(p: {
  clientId: string;
  code: string;
  redirectUri: string;
  verifier: string;
}): URLSearchParams {
  return new URLSearchParams({
    grant_type: 'authorization_code',
    client_id: p.clientId,
    code: p.code,
    redirect_uri: p.redirectUri,
    code_verifier: p.verifier,
  });
}
