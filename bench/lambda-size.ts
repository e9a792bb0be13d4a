/**
 * `npm run bench:lambda`: the API's Lambda bundle (functions/lambda.ts) as a deployment would build it, its
 * size against the 1 MB target, and a check that the bundle itself starts and answers GET /health.
 *
 * Built with the deployment's own esbuild options (infra/lib/lambda-build-options.ts). The size with the
 * AWS SDK external is measured too, to show what bundling it costs.
 *
 * Writes the bundles to a fresh temp folder laid out like a CDK asset (asset.{hash}/index.mjs) and
 * bench/results/lambda-size.json.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { LAMBDA_BUILD_OPTIONS } from '../infra/lib/lambda-build-options.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ENTRY = join(ROOT, 'functions', 'lambda.ts');
const RESULTS = join(ROOT, 'bench', 'results', 'lambda-size.json');
const TARGET_BYTES = 1_000_000;

interface Variant {
  name: string;
  sdk: 'bundled' | 'external';
  file: string;
  bytes: number;
  gzipBytes: number;
  /** The largest inputs by bytes in the output. */
  largest: { input: string; bytes: number }[];
}

async function bundle(out: string, sdk: Variant['sdk']): Promise<Variant> {
  const staging = join(out, `staging-${sdk}`);
  const result = await build({
    ...LAMBDA_BUILD_OPTIONS,
    entryPoints: [ENTRY],
    outfile: join(staging, 'index.mjs'),
    ...(sdk === 'external' ? { external: ['@aws-sdk/*', '@smithy/*'] } : {}),
  });
  const code = readFileSync(join(staging, 'index.mjs'));
  // CDK names an asset folder by the hash of its contents.
  const assetDir = join(out, `asset.${createHash('sha256').update(code).digest('hex').slice(0, 16)}`);
  mkdirSync(assetDir, { recursive: true });
  const file = join(assetDir, 'index.mjs');
  renameSync(join(staging, 'index.mjs'), file);
  const output = Object.values(result.metafile!.outputs)[0]!;
  const byPackage = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
    const key = m ? m[1]! : input.replace(/^.*?(functions|shared|trainer)\//, '$1/');
    byPackage.set(key, (byPackage.get(key) ?? 0) + bytesInOutput);
  }
  const largest = [...byPackage]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([input, bytes]) => ({ input, bytes }));
  return {
    name: sdk === 'bundled' ? 'AWS SDK v3 bundled (deployed)' : 'AWS SDK v3 external (runtime copy)',
    sdk,
    file,
    bytes: statSync(file).size,
    gzipBytes: gzipSync(code).length,
    largest,
  };
}

/** Loads the bundle in a fresh Node (no tsx, no node_modules on its path) and sends it one HTTP API event. */
function smokeTest(file: string): { ok: boolean; detail: string } {
  const script = `
    const { handler } = await import(${JSON.stringify(`file://${file}`)});
    const res = await handler({
      version: '2.0', routeKey: '$default', rawPath: '/health', rawQueryString: '', headers: { host: 'api.test' },
      isBase64Encoded: false,
      requestContext: { http: { method: 'GET', path: '/health', protocol: 'HTTP/1.1', sourceIp: '192.0.2.1' },
        requestId: 'bench', routeKey: '$default', stage: '$default', domainName: 'api.test', timeEpoch: 0 },
    });
    process.stdout.write(JSON.stringify({ statusCode: res.statusCode, body: res.body }));`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: dirname(file),
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH ?? '',
      AWS_REGION: 'us-east-1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      GANZOO_TABLE: 'runs',
      GANZOO_BUCKET: 'artifacts',
      GANZOO_JOB_QUEUES: JSON.stringify({ 'g4dn.xlarge': { spot: 'queue', onDemand: 'queue' } }),
      GANZOO_JOB_DEFINITION: 'trainer:1',
      GANZOO_COGNITO_ISSUER: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example',
    },
    timeout: 30_000,
  });
  if (run.status !== 0) return { ok: false, detail: (run.stderr || run.stdout).trim().slice(-500) };
  const res = JSON.parse(run.stdout) as { statusCode: number; body: string };
  return { ok: res.statusCode === 200, detail: `GET /health -> ${res.statusCode} ${res.body}` };
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

async function main(): Promise<void> {
  const out = mkdtempSync(join(tmpdir(), 'ganzoo-cdk.out-'));
  const bundled = await bundle(out, 'bundled');
  const external = await bundle(out, 'external');
  const smoke = smokeTest(bundled.file);

  const results = {
    benchmark: 'lambda-size',
    entry: 'functions/lambda.ts',
    date: new Date().toISOString(),
    esbuild: {
      minify: true,
      platform: 'node',
      target: 'node20',
      format: 'esm',
      plugins: ['zod-english-only: z.locales has English only'],
    },
    targetBytes: TARGET_BYTES,
    deployed: {
      variant: bundled.sdk,
      bytes: bundled.bytes,
      gzipBytes: bundled.gzipBytes,
      withinTarget: bundled.bytes < TARGET_BYTES,
      smokeTest: smoke,
    },
    variants: [bundled, external].map(({ file, ...v }) => ({
      ...v,
      file: file.replace(tmpdir(), '$TMPDIR'),
    })),
    outDir: out,
  };
  mkdirSync(dirname(RESULTS), { recursive: true });
  writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);

  console.log('Lambda bundle of functions/lambda.ts (esbuild, minified, node20, ESM)\n');
  console.log('variant                              size        gzip');
  for (const v of [bundled, external]) {
    console.log(`${v.name.padEnd(36)} ${kb(v.bytes).padStart(10)}  ${kb(v.gzipBytes).padStart(10)}`);
  }
  console.log(`\nlargest parts of the deployed bundle:`);
  for (const p of bundled.largest) console.log(`  ${kb(p.bytes).padStart(10)}  ${p.input}`);
  console.log(
    `\ndeployed: ${kb(bundled.bytes)} (${bundled.bytes} bytes), target < ${TARGET_BYTES} bytes: ${
      bundled.bytes < TARGET_BYTES ? 'met' : 'NOT met'
    }`,
  );
  console.log(`smoke test: ${smoke.ok ? 'ok' : 'FAILED'}: ${smoke.detail}`);
  console.log(`bundles in ${out}\nresults in ${RESULTS}`);
  if (!smoke.ok) process.exitCode = 1;
}

await main();
