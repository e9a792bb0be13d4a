/**
 * The race's Python side: a virtual environment with PyTorch from PyPI (bench/pytorch/requirements.txt,
 * pinned and hashed), made once under GANZOO_RACE_VENV (default ~/.cache/ganzoo/race-venv) and reused while
 * requirements.txt is unchanged.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REQUIREMENTS = join(dirname(fileURLToPath(import.meta.url)), 'requirements.txt');

function run(what: string, cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) {
    const err = r.error?.message ?? r.stderr.trim().split('\n').slice(-15).join('\n');
    throw new Error(`PyTorch venv: ${what} failed (\`${cmd} ${args.join(' ')}\`)\n${err}`);
  }
}

/** Returns the venv's python, creating or refreshing the venv first if needed. */
export function torchPython(log: (line: string) => void = console.log): string {
  const dir =
    process.env.GANZOO_RACE_VENV ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'ganzoo/race-venv');
  const python = join(dir, 'bin/python');
  const stamp = join(dir, '.requirements-sha256');
  const want = createHash('sha256').update(readFileSync(REQUIREMENTS)).digest('hex');
  if (existsSync(python) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === want) return python;
  log(`PyTorch venv: installing ${REQUIREMENTS} into ${dir} (about 2.3 GB from PyPI, a few minutes)`);
  rmSync(dir, { recursive: true, force: true });
  run('create', process.env.GANZOO_PYTHON ?? 'python3', ['-m', 'venv', dir]);
  run('pip install', python, [
    '-m',
    'pip',
    'install',
    '--quiet',
    '--no-deps',
    '--only-binary=:all:',
    '--require-hashes',
    '-r',
    REQUIREMENTS,
  ]);
  writeFileSync(stamp, `${want}\n`);
  return python;
}
