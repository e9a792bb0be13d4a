/**
 * The Python virtual environment that holds LocalStack and moto: requirements.txt names them, and
 * constraints.txt pins every package beneath them. Made once and reused: it lives in a cache folder named
 * after a hash of both files, so changing a pin makes a new one and an unchanged checkout (or a fresh clone
 * on the same machine) finds the old one. A marker file written after the install succeeds tells a finished
 * environment from one an interrupted install left behind.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REQUIREMENTS = fileURLToPath(new URL('requirements.txt', import.meta.url));
/** Every transitive package pinned too: releases after LocalStack 4.14.0 break it. */
export const CONSTRAINTS = fileURLToPath(new URL('constraints.txt', import.meta.url));
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

function requirementsHash(): string {
  const hash = createHash('sha256');
  for (const file of [REQUIREMENTS, CONSTRAINTS]) hash.update(readFileSync(file));
  return hash.digest('hex').slice(0, 12);
}

/**
 * GANZOO_EMULATORS_VENV, else $XDG_CACHE_HOME (or ~/.cache)/ganzoo/emulators-{hash of the pins}-py{version}.
 */
export function venvDir(python: Python, env: NodeJS.ProcessEnv = process.env): string {
  if (env.GANZOO_EMULATORS_VENV) return env.GANZOO_EMULATORS_VENV;
  const cache = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cache, 'ganzoo', `emulators-${requirementsHash()}-py${python.version.join('.')}`);
}

function venvAt(dir: string, python: Python): Venv {
  return {
    dir,
    python: join(dir, 'bin', 'python'),
    pythonVersion: python.version,
    bin: (name) => join(dir, 'bin', name),
  };
}

export function isInstalled(dir: string): boolean {
  const marker = join(dir, MARKER);
  return existsSync(marker) && readFileSync(marker, 'utf8').trim() === requirementsHash();
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

/** The environment, made first when missing or unfinished. `log` hears what takes time. */
export async function ensureVenv(
  options: { env?: NodeJS.ProcessEnv; log?: (line: string) => void } = {},
): Promise<Venv> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => {});
  const python = findPython(env);
  const dir = venvDir(python, env);
  if (isInstalled(dir)) return venvAt(dir, python);
  mkdirSync(join(dir, '..'), { recursive: true });
  return withLock(dir, () => {
    if (isInstalled(dir)) return venvAt(dir, python); // another process finished it while we waited
    const started = Date.now();
    log(`emulator set-up: making ${dir} with ${python.cmd} (uv pip install -r ${REQUIREMENTS})`);
    rmSync(dir, { recursive: true, force: true });
    run(python.cmd, ['-m', 'venv', dir], `${python.cmd} -m venv ${dir}`);
    const venv = venvAt(dir, python);
    // uv fetches the ~120 packages in parallel: about 35 s from cold where pip took over 5 minutes here.
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
        REQUIREMENTS,
        '-c',
        CONSTRAINTS,
      ],
      `uv pip install -r ${REQUIREMENTS} -c ${CONSTRAINTS}`,
    );
    writeFileSync(join(dir, MARKER), `${requirementsHash()}\n`);
    log(`emulator set-up: installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    return venv;
  });
}
