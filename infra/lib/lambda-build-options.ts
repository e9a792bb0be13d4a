/**
 * The esbuild options every Lambda bundle is built with (function-bundles.ts builds the deployed ones;
 * `npm run bench:lambda` measures the same build).
 *
 * Minified, platform node, target node20, ESM (.mjs, which the nodejs20.x runtime loads as a module). The AWS
 * SDK v3 is bundled, not left to the runtime's copy: the runtime's SDK version is AWS's choice and changes
 * under a deployed function, while a bundle runs the version the tests ran, and tree-shaking keeps only the
 * clients and commands the API uses.
 */
import type { BuildOptions, Plugin } from 'esbuild';

// Bundled CommonJS dependencies call require() for Node built-ins; an ES module has no require of its own.
const REQUIRE_SHIM =
  "import { createRequire as __ganzooRequire } from 'node:module';\nconst require = __ganzooRequire(import.meta.url);";

/**
 * zod re-exports every language pack it has as `z.locales`, which keeps all of them (a quarter of the
 * bundle) in the output although the API only speaks English and never reads z.locales. The pack index is
 * replaced by one that has English only, the locale zod sets up at load.
 */
const englishOnlyZod: Plugin = {
  name: 'zod-english-only',
  setup(b) {
    b.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, () => ({
      contents: "export { default as en } from './en.js';",
      loader: 'js',
    }));
  },
};

/** Without entry points or output: each build names its own. */
export const LAMBDA_BUILD_OPTIONS: BuildOptions = {
  bundle: true,
  minify: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  // The package "module" fields point at ES builds, which tree-shake better than the CommonJS ones.
  mainFields: ['module', 'main'],
  banner: { js: REQUIRE_SHIM },
  legalComments: 'none',
  plugins: [englishOnlyZod],
  metafile: true,
  logLevel: 'warning',
};
