import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { runFiles } from '../shared/keys.ts';
import type { ExperimentSpec } from '../shared/spec.ts';
import { initBackend } from './backend/index.ts';
import { latestCheckpoint } from './checkpoint.ts';
import { familyContract } from './families/contract-tests.ts';
import type { Gan } from './gan.ts';
import { buildGan } from './loop.ts';
import { readRunSpec } from './run-spec.ts';
import { LocalArtifactSink } from './sinks/local.ts';
import { FileStatusSink } from './sinks/status-file.ts';
import type { StatusSink } from './sinks/types.ts';
import { scratchDir, tinySpec, trainIn } from './test-util.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

// The family contract (a few steps, checkpoint round trip, resume) for the first families; the others call
// it from their own test files.
for (const [family, dataset] of [
  ['vanilla', 'ring8'],
  ['vanilla', 'mnist'],
  ['dcgan', 'mnist'],
  ['cgan', 'mnist'],
] as const) {
  familyContract(family, dataset, undefined, ['D(x)', 'D(G(z))']);
}

describe('run folders', () => {
  it('refuses a run folder that holds a different spec', async () => {
    const dir = scratchDir('other-spec');
    await trainIn(dir, tinySpec('vanilla', 'ring8', { steps: 1 }));
    await expect(trainIn(dir, tinySpec('vanilla', 'ring8', { steps: 2 }))).rejects.toThrow(/different spec/);
  });

  it('resumes a run whose stored spec predates a field with a default', async () => {
    const dir = scratchDir('old-spec');
    const spec = tinySpec('vanilla', 'ring8', { steps: 2 });
    const { evaluate: _added, ...stored } = spec;
    await new LocalArtifactSink(dir).put(runFiles.spec, JSON.stringify(stored, null, 2));
    expect(await trainIn(dir, spec)).toEqual({ status: 'SUCCEEDED', steps: 2 });
  });

  it('resumes a run stored before a default changed only with the value it was trained with', async () => {
    const dir = scratchDir('old-infogan');
    // InfoGAN's noise became uniform by default; a stored spec without the field drew z from a normal.
    const hyperparameters = { latentDim: 4, gChannels: 8, dChannels: 4, qUnits: 4, hiddenUnits: 0 };
    const trained = tinySpec('infogan', 'mnist', {
      steps: 2,
      hyperparameters: { ...hyperparameters, noise: 'normal' },
    });
    const { noise: _added, ...storedHp } = trained.hyperparameters;
    const stored = { ...trained, hyperparameters: storedHp };
    await new LocalArtifactSink(dir).put(runFiles.spec, JSON.stringify(stored, null, 2));
    const today = tinySpec('infogan', 'mnist', { steps: 2, hyperparameters });
    await expect(trainIn(dir, today)).rejects.toThrow(/different spec/);
    expect(await trainIn(dir, trained)).toEqual({ status: 'SUCCEEDED', steps: 2 });
    expect((await readRunSpec(new LocalArtifactSink(dir))).hyperparameters.noise).toBe('normal');
  });
});

describe('a run that has ended', () => {
  it('is not trained again once cancelled: no network built, no step, no report, nothing written', async () => {
    const dir = scratchDir('cancelled');
    const spec = tinySpec('vanilla', 'ring8', { steps: 6 });
    await trainIn(dir, spec, { stop: { requested: true } });
    const status = new FileStatusSink(dir);
    await status.report({
      runId: 'test-run',
      status: 'CANCELLED',
      attempt: 1,
      reason: 'cancelled on request',
    });
    const sink = new LocalArtifactSink(dir);
    const before = await sink.list('');
    const statusBefore = await sink.get(runFiles.status);
    let built = false;
    const outcome = await trainIn(dir, spec, {
      attempt: 2,
      build: (s) => {
        built = true;
        return buildGan(s);
      },
    });
    expect(outcome).toEqual({
      status: 'CANCELLED',
      step: 1,
      reason: 'run test-run was cancelled (cancelled on request); not training it again',
    });
    expect(built).toBe(false);
    expect(await sink.list('')).toEqual(before);
    expect(await sink.get(runFiles.status)).toEqual(statusBefore);
  });

  it('refuses a FAILED run', async () => {
    const dir = scratchDir('failed');
    const status = new FileStatusSink(dir);
    await status.report({ runId: 'test-run', status: 'FAILED', attempt: 1, reason: 'diverged at step 3' });
    await expect(trainIn(dir, tinySpec('vanilla', 'ring8'))).rejects.toThrow(
      /already ended as FAILED \(diverged at step 3\)/,
    );
  });
});

describe('end of a run', () => {
  it('runs the evaluation after the generator is exported, as RUNNING/evaluating, before SUCCEEDED', async () => {
    const dir = scratchDir('evaluate-hook');
    const sink = new LocalArtifactSink(dir);
    const reports: { status: string; phase?: string }[] = [];
    const status = new FileStatusSink(dir);
    const recording: StatusSink = {
      read: (id) => status.read(id),
      report: async (r) => {
        reports.push({ status: r.status, ...(r.progress?.phase ? { phase: r.progress.phase } : {}) });
        await status.report(r);
      },
    };
    let seen: { generator: boolean; reports: number } | undefined;
    const outcome = await trainIn(dir, tinySpec('vanilla', 'ring8'), {
      status: recording,
      evaluate: async () => {
        seen = {
          generator: (await sink.get(runFiles.generatorModel)) !== undefined,
          reports: reports.length,
        };
      },
    });
    expect(outcome.status).toBe('SUCCEEDED');
    expect(seen?.generator).toBe(true);
    expect(reports.at(seen!.reports - 1)).toEqual({ status: 'RUNNING', phase: 'evaluating' });
    expect(reports.slice(seen!.reports)).toEqual([{ status: 'SUCCEEDED' }]);
  });
});

describe('divergence guard', () => {
  it('stops with "diverged at step N" and keeps the last good checkpoint', async () => {
    const dir = scratchDir('nan');
    const spec = tinySpec('vanilla', 'ring8', { steps: 6, checkpointEvery: 2 });
    // The real networks, with a G loss that turns NaN from step 3 on.
    const poisoned = (s: ExperimentSpec): Gan => {
      const gan = buildGan(s);
      const g = gan.phases[1]!;
      gan.phases[1] = {
        ...g,
        loss: (inputs) => {
          const r = g.loss(inputs);
          return inputs.step >= 2 ? { loss: tf.mul(r.loss, Number.NaN) as tf.Scalar } : r;
        },
      };
      return gan;
    };
    const outcome = await trainIn(dir, spec, { build: poisoned });
    expect(outcome).toEqual({
      status: 'FAILED',
      step: 3,
      reason: 'diverged at step 3: loss/G = NaN; last good checkpoint: step 2',
    });
    const sink = new LocalArtifactSink(dir);
    expect(await latestCheckpoint(sink)).toBe(2);
    expect(await sink.get(runFiles.generatorModel)).toBeUndefined();
    const status = JSON.parse(new TextDecoder().decode(await sink.get(runFiles.status))) as {
      status: string;
      reason: string;
    };
    expect(status).toMatchObject({
      status: 'FAILED',
      reason: outcome.status === 'FAILED' ? outcome.reason : '',
    });
  });
});
