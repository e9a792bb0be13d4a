import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { runFiles } from '../shared/keys.ts';
import type { ExperimentSpec } from '../shared/spec.ts';
import { initBackend } from './backend/index.ts';
import { latestCheckpoint, loadCheckpoint } from './checkpoint.ts';
import type { Gan } from './families/types.ts';
import { fixedLatents, oneHotLabels } from './latents.ts';
import { buildGan } from './loop.ts';
import { LocalArtifactSink } from './sinks/local.ts';
import { sinkLoader } from './sinks/model-io.ts';
import { FileStatusSink } from './sinks/status-file.ts';
import type { StatusSink } from './sinks/types.ts';
import { metricsOf, scratchDir, tinySpec, trainIn } from './test-util.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

/** Three samples of a generator; a conditional one (second input [N, classes]) is asked for classes 0, 1, 2. */
function sampleThree(g: tf.LayersModel, seed: number): Float32Array {
  const inputs = [fixedLatents(seed, 3, g.inputs[0]!.shape[1]!)];
  if (g.inputs.length === 2) inputs.push(oneHotLabels([0, 1, 2], g.inputs[1]!.shape[1]!));
  const out = g.predict(inputs.length === 1 ? inputs[0]! : inputs) as tf.Tensor;
  const values = out.dataSync() as Float32Array;
  tf.dispose([...inputs, out]);
  return values;
}

async function generatorOutput(dir: string, spec: ExperimentSpec): Promise<Float32Array> {
  const g = await tf.loadLayersModel(sinkLoader(new LocalArtifactSink(dir), runFiles.generatorDir));
  const values = sampleThree(g, spec.seed);
  g.dispose();
  return values;
}

describe.each([
  ['vanilla', 'ring8'],
  ['vanilla', 'mnist'],
  ['dcgan', 'mnist'],
  ['cgan', 'mnist'],
])('%s on %s trains a few steps', (family, dataset) => {
  it('writes the artifact layout, moves D, leaks no tensors', async () => {
    const dir = scratchDir(`${family}-${dataset}`);
    const spec = tinySpec(family, dataset);
    const before = tf.memory().numTensors;
    const outcome = await trainIn(dir, spec);
    expect(outcome).toEqual({ status: 'SUCCEEDED', steps: 4 });
    expect(tf.memory().numTensors).toBe(before);

    const sink = new LocalArtifactSink(dir);
    expect(await sink.list(runFiles.samplesDir)).toEqual([0, 2, 4].map(runFiles.sample));
    expect((await metricsOf(dir)).map((m) => m.step)).toEqual([1, 2, 3, 4]);
    const first = (await metricsOf(dir))[0]!;
    expect(Object.keys(first.values).sort()).toEqual(['D(G(z))', 'D(x)', 'loss/D', 'loss/G']);
    expect(await latestCheckpoint(sink)).toBe(4);
    const out = await generatorOutput(dir, spec);
    expect(out.every(Number.isFinite)).toBe(true);
    const status = JSON.parse(new TextDecoder().decode(await sink.get(runFiles.status))) as {
      status: string;
    };
    expect(status.status).toBe('SUCCEEDED');
  });
});

describe.each(['dcgan', 'cgan'])('%s checkpoints and resume', (family) => {
  it('a checkpoint restores the generator exactly', async () => {
    const dir = scratchDir(`roundtrip-${family}`);
    const spec = tinySpec(family, 'mnist');
    await trainIn(dir, spec);
    const exported = await generatorOutput(dir, spec);
    const gan = buildGan(spec);
    await loadCheckpoint(new LocalArtifactSink(dir), gan, 4);
    const restored = sampleThree(gan.generator, spec.seed);
    for (const net of Object.values(gan.nets)) net.dispose();
    for (const opt of Object.values(gan.optimizers)) opt.dispose();
    expect(Array.from(restored)).toEqual(Array.from(exported));
  });

  it('a stopped run resumes and ends where an uninterrupted one does', async () => {
    const spec = tinySpec(family, 'mnist', { steps: 6, checkpointEvery: 4 });
    const straight = scratchDir('straight');
    await trainIn(straight, spec);

    const resumed = scratchDir('resumed');
    const stop = { requested: false };
    const first = await trainIn(resumed, spec, {
      stop,
      onProgress: (p) => {
        if (p.kind === 'step' && p.step === 3) stop.requested = true;
      },
    });
    expect(first).toEqual({ status: 'INTERRUPTED', step: 3 });
    expect(await latestCheckpoint(new LocalArtifactSink(resumed))).toBe(3);
    const second = await trainIn(resumed, spec);
    expect(second.status).toBe('SUCCEEDED');

    expect(await generatorOutput(resumed, spec)).toEqual(await generatorOutput(straight, spec));
    const sink = new LocalArtifactSink(resumed);
    expect(await sink.list(runFiles.samplesDir)).toEqual([0, 2, 4, 6].map(runFiles.sample));
    expect((await metricsOf(resumed)).map((m) => m.step)).toEqual([1, 2, 3, 4, 5, 6]);
  });
});

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
