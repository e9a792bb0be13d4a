/** The empty, loading and error states every view uses, and the banner for a lost API connection. */
import type { ComponentChildren } from 'preact';
import { ApiError, api, connection } from '../api/client.ts';
import { useInterval, useStore } from '../lib/hooks.ts';

export function Loading({ what }: { what: string }) {
  return (
    <p class="state loading" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <div class="state empty">{children}</div>;
}

export function ErrorBox({ error, retry, what }: { error: Error; retry?: () => void; what?: string }) {
  const status = error instanceof ApiError && error.status ? ` (HTTP ${error.status})` : '';
  return (
    <div class="state error" role="alert">
      <p>
        {what ? `${what} could not be loaded${status}: ` : ''}
        {error.message}
      </p>
      {retry && (
        <button type="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function ConnectionBanner() {
  const state = useStore(connection);
  // While the API is unreachable, ask it every few seconds, so the banner goes as soon as it is back.
  useInterval(() => void api.health().catch(() => undefined), 5000, !state.ok);
  if (state.ok) return null;
  return (
    <div class="banner" role="alert">
      The API cannot be reached ({state.error ?? 'network error'}); what you see may be out of date. Trying
      again every few seconds.
    </div>
  );
}
