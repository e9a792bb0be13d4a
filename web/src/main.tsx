/** Start-up: read config.json, finish a sign-in in progress, then render the app. */
import { render } from 'preact';
import { setApiUrl } from './api/client.ts';
import { App } from './app.tsx';
import { loadConfig } from './config.ts';
import { finishHostedSignIn, takeTokenFromUrl } from './session.ts';
import './styles.css';

async function start(root: HTMLElement) {
  let signInError: string | undefined;
  try {
    const config = await loadConfig();
    setApiUrl(config.apiUrl);
    if (!takeTokenFromUrl() && config.cognito) {
      try {
        await finishHostedSignIn(config.cognito);
      } catch (err) {
        signInError = (err as Error).message;
      }
    }
    render(<App config={config} {...(signInError ? { signInError } : {})} />, root);
  } catch (err) {
    render(
      <main>
        <div class="state error" role="alert">
          <h1>The dashboard cannot start</h1>
          <p>{(err as Error).message}</p>
        </div>
      </main>,
      root,
    );
  }
}

void start(document.getElementById('app')!);
