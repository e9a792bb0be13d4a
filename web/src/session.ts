/**
 * Who is signed in. Locally the token `npm start` prints (its dashboard URL carries it as #token=..., so one
 * click signs in); in the cloud an access token from Cognito's hosted UI by the authorization code flow
 * with PKCE. When the API says the token is no longer good, the user is sent to sign in and comes back to
 * the page they were on; forms keep their drafts in sessionStorage, so nothing typed is lost.
 */
import type { CognitoConfig } from './config.ts';
import { authorizeUrl, randomVerifier, redirectUriFor, s256Challenge, tokenRequestBody } from './lib/pkce.ts';
import { store } from './lib/store.ts';

const TOKEN_KEY = 'ganzoo.token';
const RETURN_KEY = 'ganzoo.returnTo';
const PKCE_KEY = 'ganzoo.pkce';

export interface Session {
  token: string;
  /** Epoch ms after which the token is known to be expired (Cognito tokens); absent for the local token. */
  expiresAt?: number;
}

function readSession(): Session | undefined {
  try {
    const s = JSON.parse(localStorage.getItem(TOKEN_KEY) ?? 'null') as Session | null;
    return s && typeof s.token === 'string' ? s : undefined;
  } catch {
    return undefined;
  }
}

export const session = store<Session | undefined>(readSession());

export function signIn(s: Session): void {
  localStorage.setItem(TOKEN_KEY, JSON.stringify(s));
  session.set(s);
  const back = sessionStorage.getItem(RETURN_KEY);
  sessionStorage.removeItem(RETURN_KEY);
  location.hash = back && back !== '#/sign-in' ? back : '#/runs';
}

export function signOut(): void {
  localStorage.removeItem(TOKEN_KEY);
  session.set(undefined);
  location.hash = '#/sign-in';
}

/** The API refused the token: remember where the user was and send them to sign in. */
export function sessionExpired(): void {
  if (!location.hash.startsWith('#/sign-in')) sessionStorage.setItem(RETURN_KEY, location.hash || '#/runs');
  localStorage.removeItem(TOKEN_KEY);
  session.set(undefined);
  location.hash = '#/sign-in';
}

/** `#token=...` from the URL `npm start` prints: sign in with it and take it out of the address bar. */
export function takeTokenFromUrl(): boolean {
  const m = /^#token=([^&]+)/.exec(location.hash);
  if (!m) return false;
  history.replaceState(null, '', `${location.pathname}${location.search}#/runs`);
  signIn({ token: decodeURIComponent(m[1]!) });
  return true;
}

// ---- Cognito hosted UI, authorization code with PKCE ----

const redirectUri = () => redirectUriFor(location.origin, location.pathname);

export async function startHostedSignIn(cognito: CognitoConfig): Promise<void> {
  const verifier = randomVerifier();
  const state = randomVerifier();
  sessionStorage.setItem(PKCE_KEY, JSON.stringify({ verifier, state }));
  const challenge = await s256Challenge(verifier);
  location.assign(
    authorizeUrl({
      authUrl: cognito.authUrl,
      clientId: cognito.clientId,
      redirectUri: redirectUri(),
      state,
      challenge,
    }),
  );
}

/** Back from the hosted UI with ?code=&state=: trade the code for tokens. False when this is not that. */
export async function finishHostedSignIn(cognito: CognitoConfig): Promise<boolean> {
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  const error = params.get('error');
  if (!code && !error) return false;
  const saved = JSON.parse(sessionStorage.getItem(PKCE_KEY) ?? 'null') as {
    verifier: string;
    state: string;
  } | null;
  sessionStorage.removeItem(PKCE_KEY);
  history.replaceState(null, '', `${location.pathname}${location.hash || '#/sign-in'}`);
  if (error) throw new Error(`sign-in failed: ${params.get('error_description') ?? error}`);
  if (!saved || saved.state !== params.get('state')) {
    throw new Error(
      'sign-in failed: the answer from the sign-in page does not match this browser; try again',
    );
  }
  const res = await fetch(`${cognito.authUrl}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: tokenRequestBody({
      clientId: cognito.clientId,
      code: code!,
      redirectUri: redirectUri(),
      verifier: saved.verifier,
    }),
  });
  if (!res.ok) throw new Error(`sign-in failed: the token exchange answered HTTP ${res.status}`);
  const body = (await res.json()) as { access_token?: string; expires_in?: number };
  if (!body.access_token) throw new Error('sign-in failed: no access token came back');
  signIn({ token: body.access_token, expiresAt: Date.now() + (body.expires_in ?? 3600) * 1000 });
  return true;
}
