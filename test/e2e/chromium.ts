/**
 * The browser the dashboard's tests drive: Debian's chromium (playwright-core never downloads one, and this
 * machine's network would refuse it). Installed on first use where that can be done without asking anybody
 * (root, or sudo without a password, and apt-get); elsewhere the error says what to install.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const CHROMIUM = process.env.GANZOO_CHROMIUM ?? '/usr/bin/chromium';

const INSTRUCTION = `the dashboard's tests need Chromium at ${CHROMIUM}: install Debian's (sudo apt-get install chromium) or set GANZOO_CHROMIUM to a Chromium binary`;

const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

/** How to run a command as root here without a prompt: directly, through `sudo -n`, or not at all. */
function asRoot(): string[] | undefined {
  if (process.getuid?.() === 0) return [];
  if (has('sudo') && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0)
    return ['sudo', '-n'];
  return undefined;
}

function apt(prefix: string[], args: string[]): void {
  const [cmd, ...rest] = [...prefix, 'apt-get', ...args];
  const r = spawnSync(cmd!, rest, {
    encoding: 'utf8',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (r.status !== 0) {
    const tail = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-5).join('\n');
    throw new Error(`${INSTRUCTION} (apt-get ${args.join(' ')} failed: ${r.error?.message ?? tail})`);
  }
}

/** The path of a usable chromium, installing Debian's package first when it is missing and that is possible. */
export function ensureChromium(log: (line: string) => void = console.log): string {
  if (existsSync(CHROMIUM)) return CHROMIUM;
  const root = asRoot();
  if (process.env.GANZOO_CHROMIUM || root === undefined || !has('apt-get')) throw new Error(INSTRUCTION);
  const started = Date.now();
  log(`dashboard tests: installing Debian's chromium (apt-get install chromium)`);
  apt(root, ['update', '-qq']);
  apt(root, ['install', '-y', '-qq', '--no-install-recommends', 'chromium']);
  if (!existsSync(CHROMIUM)) throw new Error(`${INSTRUCTION} (apt-get installed chromium, but not there)`);
  log(`dashboard tests: chromium installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return CHROMIUM;
}
