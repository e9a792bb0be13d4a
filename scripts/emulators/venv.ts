/**
 * The Python virtual environments that hold LocalStack and moto, one each: `localstack.txt` and `moto.txt`
 * name them, and constraints.txt pins every package beneath both. They cannot share one: LocalStack brings
 * moto-ext, its fork of moto, which installs into the same `moto/` folder as moto, and which package's files
 * end up there varies from one fresh install to the next (the fork's Cognito JWKS route answers 500).
 * Each is made once and reused: it lives in a cache folder named after a hash of its files, so changing a pin
 * makes a new one and an unchanged checkout (or a fresh clone on the same machine) finds the old one. A
 * marker file written after the install succeeds, and its check passes, tells a finished environment from
 * one an interrupted install left behind.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type EmulatorEnv = 'localstack' | 'moto';
const file = (name: string) => fileURLToPath(new URL(name, import.meta.url));
export const REQUIREMENTS: Record<EmulatorEnv, string> = {
  localstack: file('localstack.txt'),
  moto: file('moto.txt'),
};
/** Every transitive package pinned too: releases after LocalStack 4.14.0 break it. */
export const CONSTRAINTS = file('constraints.txt');
/**
 * What must hold once installed, as a Python program that exits non-zero with the reason. moto: the `moto`
 * the interpreter imports is moto's own release, with no fork beside it.
 */
const CHECKS: Record<EmulatorEnv, string | undefined> = {
  localstack: undefined,
  moto: [
    'import importlib.metadata as m, moto, sys',
    'def version(name):',
    '    try: return m.version(name)',
    '    except m.PackageNotFoundError: return None',
    "fork = version('moto-ext')",
    "if fork or moto.__version__ != version('moto'):",
    '    sys.exit(f\'moto imports {moto.__version__}, moto is {version("moto")}, moto-ext is {fork}\')',
  ].join('\n'),
};
/** The installer, itself installed with the venv's pip. */
const UV = 'uv==0.13.9';
const MARKER = '.ganzoo-installed';
const LOCK = '.ganzoo-lock';

export interface Venv {
  dir: string;
  python: string;
  /** The interpreter's major and minor version: LocalStack needs LOCALSTACK_PYTHON. */
  pythonVersion: readonly [number, number];
  /** A console script the packages installed, e.g. moto_server. */
  bin(name: string): string;
}

/** The environments the suite starts its emulators from; no LocalStack where Python is too old for it. */
export interface EmulatorVenvs {
  localstack?: Venv;
  moto: Venv;
}

function requirementsHash(name: EmulatorEnv): string {
  const hash = createHash('sha256');
  for (const f of [REQUIREMENTS[name], CONSTRAINTS]) hash.update(readFileSync(f));
  hash.update(CHECKS[name] ?? '');
  return hash.digest('hex').slice(0, 12);
}

/**
 * {GANZOO_EMULATORS_DIR, else $XDG_CACHE_HOME (or ~/.cache)/ganzoo}/{name}-{hash of its pins}-py{version}.
 */
export function venvDir(name: EmulatorEnv, python: Python, env: NodeJS.ProcessEnv = process.env): string {
  const base = env.GANZOO_EMULATORS_DIR || join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'ganzoo');
  return join(base, `${name}-${requirementsHash(name)}-py${python.version.join('.')}`);
}

function venvAt(dir: string, python: Python): Venv {
  return {
    dir,
    python: join(dir, 'bin', 'python'),
    pythonVersion: python.version,
    bin: (name) => join(dir, 'bin', name),
  };
}

export function isInstalled(name: EmulatorEnv, dir: string): boolean {
  const marker = join(dir, MARKER);
  return existsSync(marker) && readFileSync(marker, 'utf8').trim() === requirementsHash(name);
}

function run(cmd: string, args: string[], what: string): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error || r.status !== 0) {
    const output = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-25).join('\n');
    const why = r.error ? r.error.message : `exit code ${r.status}`;
    throw new Error(`emulator set-up: ${what} failed (${why}):\n${output}`);
  }
}

/** LocalStack 4.14.0 imports `warnings.deprecated` (3.13) and uses PEP 695 generics (3.12). */
export const LOCALSTACK_PYTHON: readonly [number, number] = [3, 13];
/** moto runs on older Pythons: with nothing newer, the suite still runs, S3 served by moto. */
const MIN_PYTHON: readonly [number, number] = [3, 10];

export interface Python {
  cmd: string;
  version: readonly [number, number];
}

const atLeast = (v: readonly [number, number], min: readonly [number, number]) =>
  v[0] > min[0] || (v[0] === min[0] && v[1] >= min[1]);

export const runsLocalstack = (version: readonly [number, number]) => atLeast(version, LOCALSTACK_PYTHON);

function versionOf(cmd: string): Python | undefined {
  const r = spawnSync(cmd, ['-c', 'import sys, venv; print(*sys.version_info[:2])'], { encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  const [major, minor] = r.stdout.trim().split(' ').map(Number);
  return major && minor !== undefined ? { cmd, version: [major, minor] } : undefined;
}

/** Interpreters installed by pyenv, newest first (Debian 12's own python3 is 3.11). */
function pyenvPythons(env: NodeJS.ProcessEnv): string[] {
  const root = env.PYENV_ROOT || join(homedir(), '.pyenv');
  const versions = join(root, 'versions');
  if (!existsSync(versions)) return [];
  return readdirSync(versions)
    .filter((v) => /^3\.\d+\.\d+$/.test(v))
    .sort((a, b) => b.localeCompare(a, undefined, { numeric: true }))
    .map((v) => join(versions, v, 'bin', 'python3'));
}

/**
 * GANZOO_PYTHON if set; else the first of python3.13, python3.14, pyenv's interpreters and python3 that is
 * new enough for LocalStack; else the first that moto can use (3.10+).
 */
export function findPython(env: NodeJS.ProcessEnv = process.env): Python {
  const candidates = env.GANZOO_PYTHON
    ? [env.GANZOO_PYTHON]
    : ['python3.13', 'python3.14', ...pyenvPythons(env), 'python3'];
  const found = candidates.map(versionOf).filter((p): p is Python => p !== undefined);
  const best =
    found.find((p) => runsLocalstack(p.version)) ?? found.find((p) => atLeast(p.version, MIN_PYTHON));
  if (!best) {
    throw new Error(
      `emulator set-up: no Python ${MIN_PYTHON.join('.')} or newer with venv found (tried ${candidates.join(', ')}); install python3 and python3-venv, or set GANZOO_PYTHON`,
    );
  }
  return best;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Holds a lock file beside the venv while installing, so two test runs starting at once do not both install
 * into one folder; a lock whose process is gone is taken over.
 */
async function withLock<T>(dir: string, fn: () => T): Promise<T> {
  const lock = `${dir}${LOCK}`;
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(readFileSync(lock, 'utf8'));
      if (!Number.isInteger(holder) || !pidAlive(holder)) {
        rmSync(lock, { force: true });
        continue;
      }
      if (Date.now() > deadline)
        throw new Error(`emulator set-up: ${lock} held by process ${holder} for 15 min`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { force: true });
  }
}

/** One environment, made first when missing or unfinished. `log` hears what takes time. */
export async function ensureVenv(
  name: EmulatorEnv,
  options: { env?: NodeJS.ProcessEnv; log?: (line: string) => void; python?: Python } = {},
): Promise<Venv> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => {});
  const python = options.python ?? findPython(env);
  const dir = venvDir(name, python, env);
  if (isInstalled(name, dir)) return venvAt(dir, python);
  mkdirSync(join(dir, '..'), { recursive: true });
  return withLock(dir, () => {
    if (isInstalled(name, dir)) return venvAt(dir, python); // another process finished it while we waited
    const started = Date.now();
    const requirements = REQUIREMENTS[name];
    log(`emulator set-up: making ${dir} with ${python.cmd} (uv pip install -r ${requirements})`);
    rmSync(dir, { recursive: true, force: true });
    run(python.cmd, ['-m', 'venv', dir], `${python.cmd} -m venv ${dir}`);
    const venv = venvAt(dir, python);
    // uv fetches the packages in parallel: about 35 s from cold where pip took over 5 minutes here.
    const pip = ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check'];
    run(venv.python, [...pip, UV], `pip install ${UV}`);
    run(
      venv.bin('uv'),
      [
        'pip',
        'install',
        '--quiet',
        '--native-tls',
        '--python',
        venv.python,
        '-r',
        requirements,
        '-c',
        CONSTRAINTS,
      ],
      `uv pip install -r ${requirements} -c ${CONSTRAINTS}`,
    );
    const check = CHECKS[name];
    if (check) run(venv.python, ['-c', check], `the check of ${dir}`);
    writeFileSync(join(dir, MARKER), `${requirementsHash(name)}\n`);
    log(`emulator set-up: ${name} installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    return venv;
  });
}

/** moto's environment, and LocalStack's where the Python found is new enough for it. */
export async function ensureVenvs(
  options: { env?: NodeJS.ProcessEnv; log?: (line: string) => void } = {},
): Promise<EmulatorVenvs> {
  const python = findPython(options.env ?? process.env);
  const moto = await ensureVenv('moto', { ...options, python });
  if (!runsLocalstack(python.version)) return { moto };
  return { moto, localstack: await ensureVenv('localstack', { ...options, python }) };
}
