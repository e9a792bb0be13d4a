/**
 * Sign-in. Locally: paste the token `npm start` printed (or open the dashboard URL it printed, which
 * carries it). In the cloud: Cognito's hosted sign-in page.
 */
import { useState } from 'preact/hooks';
import { ApiError, api } from '../api/client.ts';
import type { DashboardConfig } from '../config.ts';
import { session, signIn, startHostedSignIn } from '../session.ts';

export function SignInPage({ config, error }: { config: DashboardConfig; error?: string }) {
  const [token, setToken] = useState('');
  const [problem, setProblem] = useState(error);
  const [busy, setBusy] = useState(false);
  const returning = !!sessionStorage.getItem('ganzoo.returnTo');

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    const previous = session.get();
    session.set({ token: token.trim() });
    try {
      // Check the token before keeping it, so a typo is named here and not on the next page.
      await api.listRuns({ limit: 1 });
      signIn({ token: token.trim() });
    } catch (err) {
      session.set(previous);
      setProblem(
        err instanceof ApiError && err.status === 401
          ? 'That token is not valid for this API.'
          : (err as Error).message,
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <h1 tabIndex={-1}>Sign in</h1>
      {returning && (
        <p class="note">
          Your session ended. Sign in again to carry on where you were; your form draft is kept.
        </p>
      )}
      {problem && (
        <p class="field-error" role="alert">
          {problem}
        </p>
      )}
      {config.cognito ? (
        <button type="button" class="primary" onClick={() => void startHostedSignIn(config.cognito!)}>
          Sign in with your ganzoo account
        </button>
      ) : (
        <form onSubmit={submit} class="sign-in">
          <div class="field">
            <label for="token">Local token</label>
            <input
              id="token"
              type="password"
              autoComplete="off"
              value={token}
              onInput={(e) => setToken((e.target as HTMLInputElement).value)}
              aria-describedby="token-help"
              required
            />
            <small id="token-help" class="help">
              <code>npm start</code> prints it (and a dashboard link that signs you in); it is also in the
              data folder's <code>token</code> file.
            </small>
          </div>
          <button type="submit" class="primary" disabled={busy || !token.trim()}>
            Sign in
          </button>
        </form>
      )}
    </>
  );
}
