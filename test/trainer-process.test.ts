/**
 * The trainer as a real process: killed with SIGKILL (no chance to clean up) several times, it resumes from
 * its last checkpoint each time; stopped with SIGTERM (what Batch sends first), it checkpoints, then exits.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PointsEval } from '../shared/evaluation.ts';
import { runFiles } from '../shared/keys.ts';
import { scratchDir } from '../trainer/test-util.ts';

const STEPS = 60;

/** A tiny Progressive GAN: 24 steps, 6 a resolution, each grown one fading in over its first 3. */
function startStagedTrainer(out: string): ChildProcess {
  const args = ['--import', 'tsx', 'trainer/cli.ts', '--family', 'pggan', '--dataset', 'mnist32'];
  args.push('--steps', '24', '--batch', '4', '--sample-every', '100', '--metrics-every', '1');
  args.push('--checkpoint-every', '1', '--hp', 'latentDim=8', '--hp', 'channels=4', '--hp', 'mbstdGroup=2');
  args.push('--hp', 'nCritic=1');
  args.push('--no-eval', '--out', out, '--quiet');
  return spawn(process.execPath, args, {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, GANZOO_BACKEND: 'wasm' },
  });
}

function startTrainer(out: string): ChildProcess {
  const args = ['--import', 'tsx', 'trainer/cli.ts', '--family', 'vanilla', '--dataset', 'ring8'];
  args.push('--steps', String(STEPS), '--batch', '16', '--sample-every', '10', '--metrics-every', '5');
  args.push(
    '--checkpoint-every',
    '10',
    '--hp',
    'hiddenUnits=16',
    '--hp',
    'hiddenLayers=1',
    '--out',
    out,
    '--quiet',
  );
  return spawn(process.execPath, args, {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, GANZOO_BACKEND: 'wasm' },
  });
}

function checkpoints(out: string): number[] {
  const dir = join(out, 'checkpoints');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((d) => existsSync(join(dir, d, 'state.json')))
    .map(Number)
    .sort((a, b) => a - b);
}

async function until(cond: () => boolean, what: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function exited(
  p: ChildProcess,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  let stderr = '';
  p.stderr?.on('data', (d) => {
    stderr += d;
  });
  return new Promise((resolve) => p.on('exit', (code, signal) => resolve({ code, signal, stderr })));
}

describe('trainer process', () => {
  it('resumes after SIGKILL, several times, with every sample step written once', async () => {
    const out = scratchDir('sigkill');
    for (const killAt of [20, 40]) {
      const p = startTrainer(out);
      const done = exited(p);
      await until(() => (checkpoints(out).at(-1) ?? 0) >= killAt, `checkpoint ${killAt}`);
      p.kill('SIGKILL');
      expect((await done).signal).toBe('SIGKILL');
    }
    const last = await exited(startTrainer(out));
    expect(last.stderr).toBe('');
    expect(last.code).toBe(0);

    const samples = readdirSync(join(out, 'samples')).sort();
    const expected = Array.from({ length: STEPS / 10 + 1 }, (_, i) =>
      runFiles.sample(i * 10).slice('samples/'.length),
    );
    expect(samples).toEqual(expected);
    const steps = readFileSync(join(out, runFiles.metrics), 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { step: number }).step);
    expect(steps).toEqual(Array.from({ length: STEPS / 5 }, (_, i) => (i + 1) * 5));
    const status = JSON.parse(readFileSync(join(out, runFiles.status), 'utf8')) as {
      status: string;
      attempt: number;
    };
    expect(status.status).toBe('SUCCEEDED');
    expect(status.attempt).toBe(3);
    expect(existsSync(join(out, runFiles.generatorModel))).toBe(true);
    // The process scored its generator before reporting SUCCEEDED.
    const evaluation = JSON.parse(readFileSync(join(out, runFiles.eval), 'utf8')) as PointsEval;
    expect(evaluation.kind).toBe('points2d');
    expect(evaluation.run).toMatchObject({ family: 'vanilla', dataset: 'ring8', steps: STEPS });
    expect(evaluation.modes.modesTotal).toBe(8);
    expect(evaluation.modes.samples).toBe(evaluation.samples);
  });

  it('under `npm run train`, Ctrl+C (SIGINT to the process group) writes a checkpoint before it stops', async () => {
    const out = scratchDir('ctrl-c');
    // Steps long enough (a few hundred ms on cpu) that a wrapper relaying the signal and then killing the
    // trainer for not answering at once (tsx's command line does) would lose the step's work.
    const args = ['run', 'train', '--', '--family', 'vanilla', '--dataset', 'ring8', '--steps', '100000'];
    args.push(
      '--batch',
      '512',
      '--hp',
      'hiddenUnits=256',
      '--checkpoint-every',
      '100000',
      '--metrics-every',
      '1',
    );
    args.push('--out', out);
    const p = spawn('npm', args, {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, GANZOO_BACKEND: 'cpu' },
      detached: true,
    });
    const done = exited(p);
    try {
      // Mid-step: the first step's metrics are written, the second step is running.
      await until(() => existsSync(join(out, runFiles.metrics)), 'the first step');
      process.kill(-p.pid!, 'SIGINT');
      const { stderr } = await done;
      expect(stderr).toContain('SIGINT: writing a checkpoint');
      expect(checkpoints(out).at(-1)).toBeGreaterThan(0);
    } finally {
      // Never leave the detached group training if the test fails early.
      try {
        process.kill(-p.pid!, 'SIGKILL');
      } catch {}
    }
  });

  it('a trainer killed mid-stage and mid-fade resumes there and ends with the weights of one never killed', async () => {
    const straight = scratchDir('staged-straight');
    expect((await exited(startStagedTrainer(straight))).code).toBe(0);
    const out = scratchDir('staged-killed');
    const p = startStagedTrainer(out);
    const done = exited(p);
    // Checkpoint 13: the next step is the 16x16 stage's second (steps 12-17), a third into its fade.
    await until(() => checkpoints(out).includes(13), 'checkpoint 13');
    p.kill('SIGKILL');
    expect((await done).signal).toBe('SIGKILL');
    const killedAt = checkpoints(out).at(-1)!;
    expect(killedAt).toBeLessThan(18); // still in the 16x16 stage
    const state = JSON.parse(readFileSync(join(out, runFiles.checkpointState(13)), 'utf8')) as {
      stage: { name: string; alpha: number };
    };
    expect(state.stage.name).toBe('16x16');
    expect(state.stage.alpha).toBeCloseTo(1 / 3, 6);
    const last = await exited(startStagedTrainer(out));
    expect(last.stderr).toBe('');
    expect(last.code).toBe(0);
    const weights = (dir: string) => readFileSync(join(dir, runFiles.generatorWeights));
    expect(weights(out).equals(weights(straight))).toBe(true);
    const lines = (dir: string) =>
      readFileSync(join(dir, runFiles.metrics), 'utf8')
        .trim()
        .split('\n')
        .map((l) => {
          const { step, values, stage } = JSON.parse(l) as { step: number; values: object; stage: object };
          return { step, values, stage };
        });
    expect(lines(out)).toEqual(lines(straight));
  });

  it('writes a checkpoint on SIGTERM and exits with 143', async () => {
    const out = scratchDir('sigterm');
    const p = startTrainer(out);
    const done = exited(p);
    await until(() => existsSync(join(out, runFiles.sample(10))), 'the step-10 sample');
    p.kill('SIGTERM');
    const { code } = await done;
    expect(code).toBe(143);
    const stoppedAt = checkpoints(out).at(-1)!;
    expect(stoppedAt).toBeGreaterThanOrEqual(10);
    expect(stoppedAt).toBeLessThan(STEPS);
    const metrics = readFileSync(join(out, runFiles.metrics), 'utf8').trim().split('\n');
    expect((JSON.parse(metrics.at(-1)!) as { step: number }).step).toBeLessThanOrEqual(stoppedAt);
  });
});
