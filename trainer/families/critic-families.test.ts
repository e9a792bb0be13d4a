/** Contract tests of WGAN, WGAN-GP and SNGAN: a few steps on tiny networks, checkpoints, resume. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { runFiles } from '../../shared/keys.ts';
import type { ExperimentSpec } from '../../shared/spec.ts';
import { initBackend } from '../backend/index.ts';
import { latestCheckpoint, loadCheckpoint } from '../checkpoint.ts';
import { fixedLatents } from '../latents.ts';
import { buildGan } from '../loop.ts';
import { spectralNormLayers } from '../nn/spectral-norm.ts';
import { LocalArtifactSink } from '../sinks/local.ts';
import { sinkLoader } from '../sinks/model-io.ts';
import { metricsOf, scratchDir, tinySpec, trainIn } from '../test-util.ts';
import type { Gan } from './types.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

const TINY = { latentDim: 8, gChannels: 8, dChannels: 4 };

function spec(family: string, extra: Record<string, unknown> = {}): ExperimentSpec {
  return tinySpec(family, 'mnist', { hyperparameters: TINY, ...extra });
}

function sample(g: tf.LayersModel, seed: number): number[] {
  const z = fixedLatents(seed, 3, g.inputs[0]!.shape[1]!);
  const out = g.predict(z) as tf.Tensor;
  const values = Array.from(out.dataSync());
  tf.dispose([z, out]);
  return values;
}

async function exported(dir: string, s: ExperimentSpec): Promise<number[]> {
  const g = await tf.loadLayersModel(sinkLoader(new LocalArtifactSink(dir), runFiles.generatorDir));
  const values = sample(g, s.seed);
  g.dispose();
  return values;
}

function dispose(gan: Gan): void {
  for (const net of Object.values(gan.nets)) net.dispose();
  for (const opt of Object.values(gan.optimizers)) opt.dispose();
}

const METRICS: Record<string, string[]> = {
  wgan: ['loss/D', 'loss/G', 'wasserstein'],
  'wgan-gp': ['grad-norm', 'loss/D', 'loss/D/gp', 'loss/G', 'wasserstein'],
  sngan: ['loss/D', 'loss/G', 'sigma/D/sn_conv1', 'sigma/D/sn_conv2', 'sigma/D/sn_score'],
};

describe.each(['wgan', 'wgan-gp', 'sngan'])('%s', (family) => {
  it('trains a few steps: artifacts, its metrics every step, no leaked tensors', async () => {
    const dir = scratchDir(family);
    const s = spec(family);
    const before = tf.memory().numTensors;
    expect(await trainIn(dir, s)).toEqual({ status: 'SUCCEEDED', steps: 4 });
    expect(tf.memory().numTensors).toBe(before);
    const lines = await metricsOf(dir);
    expect(lines.map((m) => m.step)).toEqual([1, 2, 3, 4]);
    for (const line of lines) {
      expect(Object.keys(line.values).sort()).toEqual(METRICS[family]);
      expect(Object.values(line.values).every(Number.isFinite)).toBe(true);
    }
    // SNGAN: the kernels its layers apply have spectral norm ~1 once u has tracked them for a few steps.
    const last = lines.at(-1)!.values;
    for (const [k, v] of Object.entries(last))
      if (k.startsWith('sigma/')) expect(Math.abs(v - 1), k).toBeLessThan(0.02);
    expect(await latestCheckpoint(new LocalArtifactSink(dir))).toBe(4);
    expect((await exported(dir, s)).every(Number.isFinite)).toBe(true);
  });

  it('a checkpoint restores the generator exactly', async () => {
    const dir = scratchDir(`${family}-roundtrip`);
    const s = spec(family);
    await trainIn(dir, s);
    const gan = buildGan(s);
    await loadCheckpoint(new LocalArtifactSink(dir), gan, 4);
    const restored = sample(gan.generator, s.seed);
    dispose(gan);
    expect(restored).toEqual(await exported(dir, s));
  });

  it('a stopped run resumes and ends where an uninterrupted one does, metrics included', async () => {
    const s = spec(family, { steps: 6, checkpointEvery: 4 });
    const straight = scratchDir(`${family}-straight`);
    await trainIn(straight, s);
    const resumed = scratchDir(`${family}-resumed`);
    const stop = { requested: false };
    const first = await trainIn(resumed, s, {
      stop,
      onProgress: (p) => {
        if (p.kind === 'step' && p.step === 3) stop.requested = true;
      },
    });
    expect(first).toEqual({ status: 'INTERRUPTED', step: 3 });
    expect((await trainIn(resumed, s)).status).toBe('SUCCEEDED');
    expect(await exported(resumed, s)).toEqual(await exported(straight, s));
    // Steps 4-6 ran after the resume: the same values mean the critic (and SNGAN's u vectors) came back.
    const values = async (dir: string) => (await metricsOf(dir)).map((m) => m.values);
    expect(await values(resumed)).toEqual(await values(straight));
  });
});

describe('critic updates', () => {
  it('WGAN updates the critic nCritic times per step, each on its own batch, and clips its weights', async () => {
    const s = spec('wgan', { steps: 2, hyperparameters: { ...TINY, nCritic: 3, clip: 0.005 } });
    const dir = scratchDir('wgan-ncritic');
    await trainIn(dir, s);
    const gan = buildGan(s);
    await loadCheckpoint(new LocalArtifactSink(dir), gan, 2);
    const iterations = async (name: string) => (await gan.optimizers[name]!.getWeights())[0]!.tensor;
    expect((await iterations('D')).dataSync()[0]).toBe(6);
    expect((await iterations('G')).dataSync()[0]).toBe(2);
    const critic = gan.nets.D!.trainableWeights.map((w) => w.read());
    expect(Math.max(...critic.map((w) => tf.max(tf.abs(w)).dataSync()[0]!))).toBeLessThanOrEqual(0.005);
    dispose(gan);
  });

  it('SNGAN keeps a u vector per normalised layer in its checkpoint', async () => {
    const s = spec('sngan', { steps: 2 });
    const dir = scratchDir('sngan-u');
    await trainIn(dir, s);
    const fresh = buildGan(s);
    const layers = spectralNormLayers(fresh.nets.D!);
    expect(layers.map((l) => l.name)).toEqual(['sn_conv1', 'sn_conv2', 'sn_score']);
    const u = () => layers.map((l) => Array.from(l.nonTrainableWeights.at(-1)!.read().dataSync()));
    const initial = u();
    await loadCheckpoint(new LocalArtifactSink(dir), fresh, 2);
    const loaded = u();
    // Trained u differs from the seeded initial one: it was saved and loaded, not rebuilt.
    for (let i = 0; i < layers.length; i++) expect(loaded[i]).not.toEqual(initial[i]);
    dispose(fresh);
  });
});
