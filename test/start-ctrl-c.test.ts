/**
 * `npm start` stopped as a terminal stops it: Ctrl-C sends SIGINT to the whole process group (npm, the
 * shell, the platform and its trainers). One Ctrl-C must stop the platform with a checkpoint of every
 * running trainer at the step it had reached, and the next start must resume from that step.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { s3ClientFor } from '../scripts/platform/emulators.ts';
import { LOCAL_BUCKET, startPlatform } from '../scripts/platform/platform.ts';
import { runFiles, runPrefix } from '../shared/keys.ts';
import type { RunRecord } from '../shared/run.ts';
import { latestCheckpoint } from '../trainer/checkpoint.ts';
import { S3ArtifactSink } from '../trainer/sinks/s3.ts';
import { scratchDir } from '../trainer/test-util.ts';
import { RecordingRunner } from './api-harness.ts';

const dataDir = scratchDir('npm-start-ctrl-c');
let npmStart: ChildProcess | undefined;

afterAll(() => {
  // A failed test must not leave the platform or its trainers running.
  if (npmStart?.exitCode === null && npmStart.signalCode === null) process.kill(-npmStart.pid!, 'SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

async function until<T>(get: () => Promise<T | undefined> | T | undefined, what: string, ms = 90_000) {
  const end = Date.now() + ms;
  for (;;) {
    const value = await get();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// Steps of a few hundred ms on cpu: a trainer stopped mid-step has work that only its own checkpoint keeps.
const SPEC = {
  family: 'vanilla',
  dataset: 'ring8',
  steps: 100_000,
  batchSize: 512,
  sampleEvery: 100_000,
  metricsEvery: 1,
  checkpointEvery: 100_000,
  hyperparameters: { hiddenUnits: 256 },
};

function lastMetricsStep(bytes: Uint8Array | undefined): number | undefined {
  const lines = new TextDecoder().decode(bytes).trim().split('\n').filter(Boolean);
  return lines.length ? (JSON.parse(lines.at(-1)!) as { step: number }).step : undefined;
}

describe('npm start under Ctrl-C', () => {
  it('one SIGINT to the process group checkpoints the running trainer at its step, and the next start resumes there', async () => {
    npmStart = spawn('npm', ['start'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PORT: '0', GANZOO_DATA_DIR: dataDir, GANZOO_BACKEND: 'cpu' },
      // Its own process group, as a terminal's foreground job is: the test signals the group.
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    npmStart.stdout!.on('data', (d) => {
      stdout += d;
    });
    npmStart.stderr!.on('data', (d) => {
      stderr += d;
    });
    // 'close' once every process holding npm's output has ended: npm itself exits as soon as its shell does.
    const closed = new Promise<void>((resolve) => npmStart!.on('close', () => resolve()));
    const url = await until(() => /local platform: (http:\/\/\S+?)\/?\n/.exec(stdout)?.[1], 'the banner');
    const token = /token\s+(gz_\S+)/.exec(stdout)![1]!;
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const post = await fetch(`${url}/experiments`, { method: 'POST', headers, body: JSON.stringify(SPEC) });
    expect(post.status).toBe(201);
    const { id } = (await post.json()) as RunRecord;
    const record = async () =>
      (await (await fetch(`${url}/experiments/${id}`, { headers })).json()) as RunRecord;
    await until(async () => ((await record()).status === 'RUNNING' ? true : undefined), 'RUNNING');
    // A few steps in, and mid-step.
    await new Promise((r) => setTimeout(r, 2_000));

    process.kill(-npmStart.pid!, 'SIGINT');
    await closed;
    const said = `${stdout}\n${stderr}`;
    expect(said).not.toContain('again');
    expect(said).toMatch(/SIGINT: stopping; 1 trainer\(s\) writing a checkpoint first[\s\S]*\nstopped\.\n/);

    // What the stopped attempt left, read without resuming it (a runner that starts nothing).
    const reader = await startPlatform({ port: 0, dataDir, runner: new RecordingRunner() });
    const client = s3ClientFor(reader.s3Endpoint);
    const sink = new S3ArtifactSink({ client, bucket: LOCAL_BUCKET, prefix: runPrefix(id) });
    const [checkpoints, at, metrics, stopped] = await Promise.all([
      sink.list(runFiles.checkpointsDir),
      latestCheckpoint(sink),
      sink.get(runFiles.metrics),
      reader.runStore.get(id),
    ]);
    client.destroy();
    await reader.stop();
    // Only the one the signal made (checkpointEvery is far away), at the last step trained.
    expect(new Set(checkpoints.map((k) => k.split('/')[1])).size).toBe(1);
    expect(at).toBeGreaterThan(0);
    expect(lastMetricsStep(metrics)).toBe(at);
    expect(stopped).toMatchObject({ status: 'RUNNING', attempt: 1 });

    // The next start takes the run up again as attempt 2, from that step.
    const next = await startPlatform({ port: 0, dataDir, trainerEnv: { GANZOO_BACKEND: 'cpu' } });
    try {
      expect(next.reconciled?.resumed).toEqual([id]);
      const log = join(dataDir, 'logs', `${id}.log`);
      const resumedFrom = await until(
        () =>
          /attempt 2 starts ===\n(?:.*\n)*?resuming from checkpoint at step (\d+)/.exec(
            readFileSync(log, 'utf8'),
          )?.[1],
        'attempt 2 to resume',
      );
      expect(Number(resumedFrom)).toBe(at);
    } finally {
      await next.stop();
    }
  });
});
