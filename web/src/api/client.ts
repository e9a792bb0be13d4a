/**
 * The dashboard's side of the one API client (shared/api/client.ts): the bearer token on every call that
 * needs one, a refused token sending the user to sign in, and a lost connection recorded in `connection`
 * (shown as a banner) rather than hidden. RFC 9457 problems arrive as ApiErrors carrying their field errors.
 */
import { ApiError, type ClientFetch, createApiClient } from '../../../shared/api/client.ts';
import { store } from '../lib/store.ts';
import { session, sessionExpired } from '../session.ts';

export { ApiError };

export interface ConnectionState {
  ok: boolean;
  /** Why the last request could not reach the API. */
  error?: string;
  since?: number;
}

export const connection = store<ConnectionState>({ ok: true });

let apiUrl = '';

export function setApiUrl(url: string): void {
  apiUrl = url;
}

const dashboardFetch: ClientFetch = async (url, init, call) => {
  const headers = new Headers(init.headers);
  if (!call.public) {
    const s = session.get();
    if (!s || (s.expiresAt !== undefined && s.expiresAt < Date.now())) {
      sessionExpired();
      throw new ApiError(401, {}, 'signed out: sign in again');
    }
    headers.set('authorization', `Bearer ${s.token}`);
  }
  let res: Response;
  try {
    res = await fetch(url, { ...init, headers });
  } catch (err) {
    const prev = connection.get();
    connection.set({ ok: false, error: (err as Error).message, since: prev.ok ? Date.now() : prev.since });
    throw new ApiError(0, {}, `the API at ${apiUrl || location.origin} cannot be reached`);
  }
  if (!connection.get().ok) connection.set({ ok: true });
  if (res.status === 401 && !call.public) sessionExpired();
  return res;
};

export const api = createApiClient({ baseUrl: () => apiUrl, fetch: dashboardFetch });
