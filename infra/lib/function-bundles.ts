/**
 * The Lambda functions' code, bundled here with the API's own esbuild options (lambda-build-options.ts),
 * which NodejsFunction cannot take: they include an esbuild plugin, and plugins need esbuild's async API
 * while NodejsFunction runs the esbuild command line. Bundling is local, never in Docker.
 *
 * Each bundle lands in a folder named by the hash of its contents under node_modules/.cache, so the folder is
 * complete before anyone reads it and parallel synths (test workers) never see each other's half-written
 * files; the folder is what Code.fromAsset stages.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { LAMBDA_BUILD_OPTIONS } from './lambda-build-options.ts';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CACHE = join(REPO_ROOT, 'node_modules', '.cache', 'ganzoo-functions');

/** Entry points, relative to the repository; each exports `handler`. */
export const FUNCTION_ENTRIES = {
  api: 'functions/lambda.ts',
  batchState: 'functions/events/batch-state.ts',
} as const;

export type FunctionName = keyof typeof FUNCTION_ENTRIES;

/** A folder holding `index.mjs`, whose `handler` export is the function's entry point. */
export type FunctionBundles = Record<FunctionName, string>;

export const HANDLER = 'index.handler';

export async function bundleFunctions(): Promise<FunctionBundles> {
  const names = Object.keys(FUNCTION_ENTRIES) as FunctionName[];
  const result = await build({
    ...LAMBDA_BUILD_OPTIONS,
    entryPoints: Object.fromEntries(names.map((n) => [n, join(REPO_ROOT, FUNCTION_ENTRIES[n])])),
    outdir: CACHE,
    outExtension: { '.js': '.mjs' },
    write: false,
    metafile: false,
    // Source paths would otherwise differ between clones and change the asset hash.
    absWorkingDir: REPO_ROOT,
  });
  const bundles = {} as FunctionBundles;
  for (const name of names) {
    const file = result.outputFiles.find((f) => f.path === join(CACHE, `${name}.mjs`));
    if (!file) throw new Error(`esbuild produced no bundle for ${FUNCTION_ENTRIES[name]}`);
    const dir = join(
      CACHE,
      `${name}-${createHash('sha256').update(file.contents).digest('hex').slice(0, 16)}`,
    );
    if (!existsSync(join(dir, 'index.mjs'))) {
      const staging = `${dir}.${process.pid}.tmp`;
      rmSync(staging, { recursive: true, force: true });
      mkdirSync(staging, { recursive: true });
      writeFileSync(join(staging, 'index.mjs'), file.contents);
      try {
        renameSync(staging, dir);
      } catch (err) {
        // Another process renamed the same contents into place first.
        rmSync(staging, { recursive: true, force: true });
        if (!existsSync(join(dir, 'index.mjs'))) throw err;
      }
    }
    bundles[name] = dir;
  }
  return bundles;
}
