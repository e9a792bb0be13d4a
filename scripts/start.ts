/**
 * `npm start`, until the API and dashboard land: trains a small DCGAN on MNIST on this machine (about two
 * minutes on the wasm backend), scores it, and prints where its samples are. Each start is a new run.
 *   PORT and the platform come with the API; GANZOO_RUNS_DIR overrides where runs go (default ./runs).
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const runsDir = resolve(process.env.GANZOO_RUNS_DIR ?? 'runs');
const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
const out = resolve(runsDir, `quickstart-${stamp}`);

function run(script: string, args: string[]): number {
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { stdio: 'inherit' });
  return r.status ?? 1;
}

console.log(`ganzoo quickstart: a small DCGAN on MNIST, written to ${out}\n`);
const trainArgs = ['--family', 'dcgan', '--dataset', 'mnist', '--steps', '600', '--batch', '64'];
trainArgs.push(
  '--hp',
  'gChannels=64',
  '--hp',
  'dChannels=32',
  '--sample-every',
  '100',
  '--checkpoint-every',
  '200',
);
const code = run('trainer/cli.ts', [...trainArgs, '--out', out]);
if (code !== 0) process.exit(code);
run('trainer/eval/cli.ts', [out, '--samples', '2000']);
console.log(`\nsample grids (one per 100 steps, the same 64 latents each time): ${out}/samples/`);
console.log(`the last one: ${out}/samples/00000600.png`);
console.log(
  `train your own: npm run train -- --family dcgan --dataset mnist --steps 2000 --out runs/my-dcgan`,
);
