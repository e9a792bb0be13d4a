/**
 * Fetching pinned files on a machine that reaches only package registries: run a command (apt-get, pip,
 * npm) and say which step failed with the end of its output, hash a file, and the per-user cache folder.
 * Shared by the dataset fetchers and `npm run setup:native`.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** A step of a fetch failed; the message names the step and what the command said. */
export class StepError extends Error {}

/** Runs a command; on failure throws a StepError with the step's name and the end of its output. */
export function runCommand(step: string, cmd: string, args: string[], cwd?: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error) throw new StepError(`${step}: could not run ${cmd} (${r.error.message})`);
  if (r.status !== 0) {
    const out = `${r.stdout}\n${r.stderr}`.trim().split('\n').slice(-25).join('\n');
    throw new StepError(`${step}: \`${cmd} ${args.join(' ')}\` exited with ${r.status}\n${out}`);
  }
  return r.stdout;
}

/** Whether a command is on PATH. */
export function hasCommand(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).status === 0;
}

export async function fileDigest(
  file: string,
  algorithm: 'sha256' | 'sha512' | 'md5' = 'sha256',
  encoding: 'hex' | 'base64' = 'hex',
): Promise<string> {
  const hash = createHash(algorithm);
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest(encoding);
}

/** A folder of ganzoo's per-user cache: $XDG_CACHE_HOME/ganzoo/..., else ~/.cache/ganzoo/... */
export function userCacheDir(...parts: string[]): string {
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'ganzoo', ...parts);
}

export interface WheelPin {
  /** The project's name on PyPI. */
  name: string;
  version: string;
  /** The wheel's file name, which pip's --python-version and --platform below select. */
  file: string;
  sha256: string;
  pythonVersion: string;
  platform: string;
}

/**
 * Downloads one pinned wheel from PyPI with pip (no dependencies, binary only) into `dest` and checks its
 * sha256; returns its path. Any Python runs pip here: the wheel is only unzipped, never installed.
 */
export async function pipDownload(pin: WheelPin, dest: string): Promise<string> {
  const python = process.env.GANZOO_PYTHON ?? 'python3';
  const step = `download the ${pin.name} wheel`;
  runCommand(step, python, [
    '-m',
    'pip',
    'download',
    '--no-deps',
    '--only-binary=:all:',
    '--python-version',
    pin.pythonVersion,
    '--platform',
    pin.platform,
    '--dest',
    dest,
    `${pin.name}==${pin.version}`,
  ]);
  const wheel = join(dest, pin.file);
  if (!existsSync(wheel))
    throw new StepError(`${step}: expected ${pin.file}, got ${readdirSync(dest).join(', ')}`);
  const got = await fileDigest(wheel);
  if (got !== pin.sha256)
    throw new StepError(`check the ${pin.name} wheel: ${pin.file} has sha256 ${got}, expected ${pin.sha256}`);
  return wheel;
}
