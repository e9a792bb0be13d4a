/**
 * The dashboard's build, made when web/dist is missing or older than its sources: `npm start` and the
 * browser tests both stand on it, so a fresh clone serves the dashboard without a separate build step.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

/** Whether web/dist is missing or older than a source of the dashboard (under `root`, the repository's). */
export function webBuildStale(root = REPO_ROOT): boolean {
  const web = join(root, 'web');
  const distIndex = join(web, 'dist', 'index.html');
  const sources = Math.max(
    newestMtime(join(web, 'src')),
    newestMtime(join(web, 'public')),
    newestMtime(join(web, 'index.html')),
    newestMtime(join(web, 'vite.config.ts')),
    // The dashboard imports the contract (schemas, catalog, key layout) from shared/.
    newestMtime(join(root, 'shared')),
  );
  return !existsSync(distIndex) || statSync(distIndex).mtimeMs < sources;
}

/** Builds web/dist (what `npm run build:web` does) unless it is up to date; throws with Vite's output. */
export function ensureWebBuilt(): void {
  if (!webBuildStale()) return;
  const vite = join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  const r = spawnSync(process.execPath, [vite, 'build', 'web', '--logLevel', 'warn'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    // The build a user gets: under vitest NODE_ENV is "test", and Preact's JSX would be built for
    // development (a third larger, with source locations), which the bundle measurement would then count.
    env: { ...process.env, NODE_ENV: 'production' },
  });
  if (r.status !== 0) throw new Error(`npm run build:web failed:\n${r.stdout}\n${r.stderr}`);
}
