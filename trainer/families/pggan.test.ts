/**
 * The Progressive GAN: the family contract, its parts (growth, fade-in, pixel norm, minibatch stddev,
 * equalized layers, WGAN-GP with drift), and training in stages: metrics, samples and checkpoints carry
 * the stage, and a run stopped mid-stage and mid-fade resumes to the same weights as one never stopped.
 */
import type * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { runFiles } from '../../shared/keys.ts';
import { RunStagesSchema } from '../../shared/stages.ts';
import { initBackend } from '../backend/index.ts';
import type { CheckpointState } from '../checkpoint.ts';
import { buildGan } from '../loop.ts';
import { LocalArtifactSink } from '../sinks/local.ts';
import { stagesOf } from '../stages.ts';
import { metricsOf, scratchDir, tinySpec, trainIn } from '../test-util.ts';
import { familyContract } from './contract-tests.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

// One critic update a step (the default is 5) keeps these tiny runs quick.
const TINY = { latentDim: 8, channels: 4, mbstdGroup: 2, nCritic: 1 };

familyContract('pggan', 'mnist32', TINY, ['grad-norm', 'loss/D/gp', 'loss/D/drift', 'wasserstein']);

const decoder = new TextDecoder();

describe('pggan: its parts', () => {
  it('grows 4 -> 8 -> 16 -> 32 on mnist32 and 7 -> 14 -> 28 on fashion-mnist, fading in every grown stage', () => {
    for (const [dataset, sides] of [
      ['mnist32', [4, 8, 16, 32]],
      ['fashion-mnist', [7, 14, 28]],
    ] as const) {
      const gan = buildGan(tinySpec('pggan', dataset, { steps: 40, hyperparameters: TINY }));
      const stages = stagesOf(gan);
      expect(stages.map((s) => s.name)).toEqual(sides.map((s) => `${s}x${s}`));
      expect(stages.map((s) => s.generator.outputs[0]!.shape.slice(1, 3))).toEqual(sides.map((s) => [s, s]));
      expect(stages.map((s) => s.fade?.steps)).toEqual(
        sides.map((_, k) => (k === 0 ? undefined : Math.floor(Math.floor(40 / sides.length) / 2))),
      );
      // Each stage trains its own models and optimizers; the exported G is the full-size one without a fade.
      expect(stages.map((s) => s.phases.flatMap((p) => p.updates))).toEqual(
        sides.map((s) => [`D${s}`, `G${s}`]),
      );
      const kinds = (m: tf.LayersModel) => new Set(m.layers.map((l) => l.getClassName()));
      const g = kinds(gan.generator);
      for (const k of ['EqualizedDense', 'EqualizedConv2D', 'PixelNorm', 'UpSampling2D'])
        expect(g.has(k), k).toBe(true);
      expect(g.has('FadeIn')).toBe(false);
      const d = kinds(gan.nets[`D${sides.at(-1)}`]!);
      for (const k of ['MinibatchStddev', 'Halve', 'EqualizedConv2D', 'FadeIn'])
        expect(d.has(k), k).toBe(true);
      for (const n of Object.values(gan.nets)) n.dispose();
      for (const o of Object.values(gan.optimizers)) o.dispose();
    }
  });
});

describe('pggan: training in stages', () => {
  // 16 steps over 4 resolutions: stage k covers steps 4k..4k+3, fading in over its first 2.
  const spec = tinySpec('pggan', 'mnist32', {
    steps: 16,
    sampleEvery: 100,
    checkpointEvery: 100,
    hyperparameters: TINY,
  });

  it('writes the stages, puts the stage and alpha on each metrics line, samples every stage at its end', async () => {
    const dir = scratchDir('pggan-stages');
    expect((await trainIn(dir, spec)).status).toBe('SUCCEEDED');
    const sink = new LocalArtifactSink(dir);
    const stages = RunStagesSchema.parse(JSON.parse(decoder.decode(await sink.get(runFiles.stages))));
    expect(stages.map((s) => [s.name, s.start, s.end, s.fadeSteps])).toEqual([
      ['4x4', 0, 4, undefined],
      ['8x8', 4, 8, 2],
      ['16x16', 8, 12, 2],
      ['32x32', 12, 16, 2],
    ]);
    const lines = await metricsOf(dir);
    expect(lines.slice(3, 8).map((l) => [l.step, l.stage?.name, l.stage?.alpha])).toEqual([
      [4, '4x4', 1],
      [5, '8x8', 0],
      [6, '8x8', 0.5],
      [7, '8x8', 1],
      [8, '8x8', 1],
    ]);
    expect(await sink.list(runFiles.samplesDir)).toEqual([0, 4, 8, 12, 16].map(runFiles.sample));
  });

  it('a run stopped mid-fade resumes in the same stage and alpha, ending where an uninterrupted one does', async () => {
    const s = { ...spec, checkpointEvery: 4 };
    const straight = scratchDir('pggan-straight');
    await trainIn(straight, s);
    const resumed = scratchDir('pggan-resumed');
    const stop = { requested: false };
    // Stopped after step 9: the next step is the 16x16 stage's second, halfway through its fade.
    const first = await trainIn(resumed, s, {
      stop,
      onProgress: (p) => {
        if (p.kind === 'step' && p.step === 9) stop.requested = true;
      },
    });
    expect(first).toEqual({ status: 'INTERRUPTED', step: 9 });
    const sink = new LocalArtifactSink(resumed);
    const state = JSON.parse(decoder.decode(await sink.get(runFiles.checkpointState(9)))) as CheckpointState;
    expect(state.stage).toEqual({ index: 2, name: '16x16', alpha: 0.5 });
    expect((await trainIn(resumed, s)).status).toBe('SUCCEEDED');
    const values = async (dir: string) => (await metricsOf(dir)).map((m) => [m.step, m.stage, m.values]);
    expect(await values(resumed)).toEqual(await values(straight));
    const weights = async (dir: string) =>
      decoder.decode(await new LocalArtifactSink(dir).get(`${runFiles.generatorDir}weights.bin`));
    expect(await weights(resumed)).toEqual(await weights(straight));
  });
});
