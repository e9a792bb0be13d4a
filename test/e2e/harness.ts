/**
 * What the dashboard's browser tests and measurements stand on: web/dist built when missing or older than
 * its sources, `npm start` as a user runs it (a fresh data folder, a free port, its printed sign-in URL),
 * and Debian's chromium driven by playwright-core, with the flags that keep it off the (closed) network;
 * openDashboard puts the three together as each browser test starts.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { ensureChromium } from './chromium.ts';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const ARTIFACTS = join(REPO_ROOT, 'test', 'e2e', 'artifacts');

import { ensureWebBuilt } from '../../scripts/platform/web-build.ts';

export { ensureWebBuilt };

export interface RunningPlatform {
  /** http://127.0.0.1:{port} */
  url: string;
  token: string;
  /** The dashboard link `npm start` printed; it signs the browser in. */
  signInUrl: string;
  dataDir: string;
  output: () => string;
  stop: () => Promise<void>;
}

/** `npm start` on a free port and a fresh data folder, until its banner shows the dashboard link. */
export async function startNpmStart(env: Record<string, string> = {}): Promise<RunningPlatform> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ganzoo-e2e-'));
  // Its own process group, so stop() reaches npm and the platform (which stops its trainers), and nothing else.
  const child: ChildProcess = spawn('npm', ['start', '--silent'], {
    cwd: REPO_ROOT,
    env: { ...process.env, PORT: '0', GANZOO_DATA_DIR: dataDir, GANZOO_BACKEND: 'wasm', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  // 'close', not 'exit': npm exits as soon as its shell does, while the platform (which holds npm's output)
  // is still stopping its trainers.
  const exited = new Promise<void>((done) => child.once('close', () => done()));
  const banner = await new Promise<RegExpExecArray>((resolveBanner, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`npm start printed no dashboard link in 60 s:\n${out}`)),
      60_000,
    );
    const check = () => {
      const m = /dashboard +(http:\/\/127\.0\.0\.1:\d+)\/#token=(\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolveBanner(m);
      } else if (/dashboard +not built/.test(out)) {
        clearTimeout(timer);
        reject(new Error('npm start says web/dist is not built'));
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited (${code}) before it was ready:\n${out}`));
    });
  });
  const [, url, token] = banner as unknown as [string, string, string];
  let stopped: Promise<void> | undefined;
  return {
    url,
    token,
    signInUrl: `${url}/#token=${token}`,
    dataDir,
    output: () => out,
    stop: () => {
      stopped ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          process.kill(-child.pid!, 'SIGTERM');
          const killer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 20_000);
          await exited;
          clearTimeout(killer);
        }
        rmSync(dataDir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}

/** Debian's chromium (chromium.ts), headless, in a fresh profile. */
export async function launchChromium(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const executablePath = ensureChromium();
  const profile = mkdtempSync(join(tmpdir(), 'ganzoo-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, name);
}

/** A browser test's dashboard: `npm start`, chromium signed in on one page, and what the tests ask of them. */
export interface Dashboard {
  platform: RunningPlatform;
  page: Page;
  /** Uncaught errors the page threw. */
  pageErrors: string[];
  /** A full-page screenshot into test/e2e/artifacts/. */
  shot(name: string): Promise<Buffer>;
  /** Navigates to a hash route, e.g. '#/runs'. */
  go(hash: string): Promise<unknown>;
  /** GET `path` from the API with the token; anything but 200 throws, naming the path and the answer. */
  api<T>(path: string): Promise<T>;
  close(): Promise<void>;
}

/**
 * web/dist built, `npm start` with `env`, chromium on a page that collects uncaught errors; signed in
 * through the printed link unless `signIn` is false (a test of the sign-in itself).
 */
export async function openDashboard(
  env: Record<string, string> = {},
  { signIn = true }: { signIn?: boolean } = {},
): Promise<Dashboard> {
  ensureWebBuilt();
  const platform = await startNpmStart(env);
  const browser = await launchChromium();
  const page = await browser.context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  if (signIn) {
    await page.goto(platform.signInUrl);
    await page.getByRole('heading', { name: 'Runs' }).waitFor();
  }
  return {
    platform,
    page,
    pageErrors,
    shot: (name) => page.screenshot({ path: artifactPath(name), fullPage: true }),
    go: (hash) => page.goto(`${platform.url}/${hash}`),
    async api<T>(path: string): Promise<T> {
      const res = await fetch(`${platform.url}${path}`, {
        headers: { authorization: `Bearer ${platform.token}` },
      });
      if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    },
    async close() {
      await browser.close();
      await platform.stop();
    },
  };
}
