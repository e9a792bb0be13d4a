/**
 * `npm run setup:native`: native TensorFlow (@tensorflow/tfjs-node) on a machine that reaches only package
 * registries. tfjs-node's own install downloads libtensorflow from outside; this builds the same addon from
 * source instead, against the C API inside a tensorflow-cpu wheel from PyPI:
 *
 *   1. pip downloads the pinned wheel (checked against its sha256); its libtensorflow_cc.so.2,
 *      libtensorflow_framework.so.2 and C API headers become tfjs-node's deps/ (extract-wheel.py).
 *   2. npm packs the pinned @tensorflow/tfjs-node (checked against its integrity); node-gyp builds its addon.
 *   3. npm ci installs its runtime dependencies from runtime/package-lock.json.
 *   4. The package is laid out as node_modules/@tensorflow/tfjs-node (it must resolve the project's
 *      @tensorflow/tfjs), with deps/ and node_modules/ linked to the cache; then it is loaded once to check it.
 *
 * Everything is cached outside node_modules (GANZOO_NATIVE_CACHE, default ~/.cache/ganzoo/native), so a later
 * `npm ci` followed by this script only redoes step 4. Flags: --force (rebuild the cache entry).
 */

import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  fileDigest as digest,
  pipDownload,
  runCommand as run,
  StepError,
  userCacheDir,
  type WheelPin,
} from '../../trainer/data/fetch-tools.ts';

const PIN = {
  tfjsNode: {
    version: '4.22.0',
    integrity:
      'sha512-uHrXeUlfgkMxTZqHkESSV7zSdKdV0LlsBeblqkuKU9nnfxB1pC6DtoyYVaLxznzZy7WQSegjcohxxCjAf6Dc7w==',
  },
  // 2.9.1 (what tfjs-node 4.22 was released with) keeps its C API inside the Python extension, which needs
  // libpython; from 2.12 the wheel ships libtensorflow_cc.so.2 with the C API and no Python symbols.
  // The wheel is only unzipped, so any Python tag will do; 3.11 and this platform tag name one file.
  tensorflow: {
    name: 'tensorflow-cpu',
    version: '2.16.2',
    file: 'tensorflow_cpu-2.16.2-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl',
    sha256: 'c855cb6bf05d32dd5928086b03a5f6b4189b63c22b95e017703cbee4291023ca',
    pythonVersion: '3.11',
    platform: 'manylinux2014_x86_64',
  },
} as const satisfies { tensorflow: WheelPin } & Record<string, unknown>;

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');
const TARGET = join(ROOT, 'node_modules/@tensorflow/tfjs-node');
const KEY = `tfjs-node-${PIN.tfjsNode.version}-tensorflow-${PIN.tensorflow.version}`;
const MARKER = '.ganzoo-native';

function log(message: string): void {
  console.log(`setup:native: ${message}`);
}

/** A cache step: skipped when its done-file exists; otherwise its folder is cleared and rebuilt. */
async function cached(dir: string, what: string, build: () => Promise<void> | void): Promise<void> {
  const done = join(dir, '.done');
  if (existsSync(done)) {
    log(`${what}: cached (${dir})`);
    return;
  }
  log(`${what} ...`);
  const t0 = performance.now();
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  await build();
  writeFileSync(done, `${new Date().toISOString()}\n`);
  log(`${what}: done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

/** node-gyp ships inside npm; npm names it for scripts it runs, else it is found beside npm's own files. */
function nodeGyp(): string {
  const fromNpm = process.env.npm_config_node_gyp;
  if (fromNpm && existsSync(fromNpm)) return fromNpm;
  const npmCli = run('find node-gyp', 'sh', ['-c', 'command -v npm']).trim();
  const candidate = resolve(dirname(realpathSync(npmCli)), '../node_modules/node-gyp/bin/node-gyp.js');
  if (!existsSync(candidate)) {
    throw new StepError(`find node-gyp: not at ${candidate}; set npm_config_node_gyp to node-gyp.js`);
  }
  return candidate;
}

/** Node's headers: beside this node binary (a distribution install), or npm_config_nodedir. */
function nodeDir(): string {
  const dirs = [process.env.npm_config_nodedir, resolve(dirname(process.execPath), '..')];
  for (const dir of dirs) if (dir && existsSync(join(dir, 'include/node/common.gypi'))) return dir;
  throw new StepError(
    `find Node headers: no include/node/common.gypi under ${dirs.filter(Boolean).join(' or ')}; ` +
      'install the headers of this Node version and set npm_config_nodedir to their prefix',
  );
}

/** The highest N-API version both this Node and tfjs-node support (what node-pre-gyp will look for). */
function napiVersion(pkg: { binary: { napi_versions: number[] } }): number {
  const node = Number(process.versions.napi);
  const ok = pkg.binary.napi_versions.filter((v) => v <= node);
  if (ok.length === 0) throw new StepError(`build addon: Node's N-API ${node} is older than tfjs-node needs`);
  return Math.max(...ok);
}

async function tensorflowDeps(dir: string): Promise<void> {
  const download = join(dir, 'download');
  const python = process.env.GANZOO_PYTHON ?? 'python3';
  const wheel = await pipDownload(PIN.tensorflow, download);
  run('extract wheel', python, [join(HERE, 'extract-wheel.py'), wheel, join(dir, 'deps')]);
  rmSync(download, { recursive: true, force: true });
}

async function buildAddon(dir: string, deps: string): Promise<void> {
  const { version, integrity } = PIN.tfjsNode;
  const out = run('download tfjs-node', 'npm', [
    'pack',
    `@tensorflow/tfjs-node@${version}`,
    '--pack-destination',
    dir,
    '--silent',
  ]).trim();
  const tgz = join(dir, out.split('\n').pop()!);
  const got = `sha512-${await digest(tgz, 'sha512', 'base64')}`;
  if (got !== integrity) throw new StepError(`check tfjs-node: ${tgz} has ${got}, expected ${integrity}`);
  run('unpack tfjs-node', 'tar', ['-xzf', tgz, '-C', dir]);
  rmSync(tgz);
  const pkgDir = join(dir, 'package');
  // binding.gyp reads deps/ and sets the addon's rpath to $ORIGIN/../../deps/lib.
  symlinkSync(deps, join(pkgDir, 'deps'));
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  const napi = napiVersion(pkg);
  run(
    'build addon (node-gyp)',
    process.execPath,
    [
      nodeGyp(),
      'rebuild',
      `--nodedir=${nodeDir()}`,
      `--napi_build_version=${napi}`,
      '--module_name=tfjs_binding',
      `--module_path=${join(pkgDir, `lib/napi-v${napi}`)}`,
      '--jobs=2',
    ],
    pkgDir,
  );
  rmSync(join(pkgDir, 'build'), { recursive: true, force: true });
}

function installRuntime(dir: string): void {
  for (const f of ['package.json', 'package-lock.json']) cpSync(join(HERE, 'runtime', f), join(dir, f));
  run(
    'install runtime dependencies',
    'npm',
    ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'],
    dir,
  );
}

/** Lays the built package out in node_modules: its own files copied, deps/ and node_modules/ linked. */
function layOut(cache: string): void {
  const marker = join(TARGET, MARKER);
  const linked =
    existsSync(join(TARGET, 'deps/lib/libtensorflow.so')) && existsSync(join(TARGET, 'node_modules'));
  // The marker names the cache entry the links point into, so another cache location lays out again.
  const stamp = `${KEY} ${cache}`;
  if (linked && existsSync(marker) && readFileSync(marker, 'utf8').trim() === stamp) {
    log(`node_modules/@tensorflow/tfjs-node: already in place (${KEY})`);
    return;
  }
  rmSync(TARGET, { recursive: true, force: true });
  const pkgDir = join(cache, 'addon/package');
  for (const entry of ['package.json', 'dist', 'lib', 'README.md']) {
    cpSync(join(pkgDir, entry), join(TARGET, entry), { recursive: true });
  }
  symlinkSync(join(cache, 'tensorflow/deps'), join(TARGET, 'deps'));
  symlinkSync(join(cache, 'runtime/node_modules'), join(TARGET, 'node_modules'));
  writeFileSync(marker, `${stamp}\n`);
  log(`node_modules/@tensorflow/tfjs-node: laid out (${KEY})`);
}

/** Loads the package as the trainer will and runs one op. */
function check(): void {
  const code = [
    "const tf = await import('@tensorflow/tfjs-node');",
    'const y = tf.matMul(tf.ones([2, 3]), tf.ones([3, 2])).dataSync();',
    "if (tf.getBackend() !== 'tensorflow' || y[0] !== 3) throw new Error('unexpected result ' + y);",
    'console.log(tf.backend().binding.TF_Version);',
  ].join('\n');
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' },
  });
  if (r.status !== 0) {
    throw new StepError(`check: loading @tensorflow/tfjs-node failed\n${(r.stderr || r.stdout).trim()}`);
  }
  log(
    `ok: @tensorflow/tfjs-node ${PIN.tfjsNode.version} on libtensorflow ${r.stdout.trim()}; GANZOO_BACKEND=node uses it`,
  );
}

/** A tfjs-node that npm installed itself (a machine with internet) is left alone if it loads. */
function installedByNpm(): boolean {
  if (!existsSync(join(TARGET, 'package.json')) || existsSync(join(TARGET, MARKER))) return false;
  try {
    check();
    log('node_modules/@tensorflow/tfjs-node was installed by npm and loads; nothing to do');
    return true;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { force: { type: 'boolean', default: false } } });
  if (!values.force && installedByNpm()) return;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new StepError(
      `platform: this route uses the Linux x86_64 wheel; not for ${process.platform}-${process.arch}`,
    );
  }
  const base = process.env.GANZOO_NATIVE_CACHE ?? userCacheDir('native');
  const cache = join(base, KEY);
  if (values.force) rmSync(cache, { recursive: true, force: true });
  const tf = join(cache, 'tensorflow');
  await cached(tf, `tensorflow-cpu ${PIN.tensorflow.version} C API from PyPI`, () => tensorflowDeps(tf));
  const addon = join(cache, 'addon');
  await cached(addon, `tfjs-node ${PIN.tfjsNode.version} addon`, () => buildAddon(addon, join(tf, 'deps')));
  const runtime = join(cache, 'runtime');
  await cached(runtime, 'tfjs-node runtime dependencies', () => installRuntime(runtime));
  if (values.force) rmSync(join(TARGET, MARKER), { force: true });
  layOut(cache);
  check();
}

try {
  await main();
} catch (err) {
  if (!(err instanceof StepError)) throw err;
  console.error(`setup:native failed at ${err.message}`);
  process.exit(1);
}
