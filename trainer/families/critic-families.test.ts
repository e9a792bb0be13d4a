/**
 * WGAN, WGAN-GP and SNGAN: the family contract (contract-tests.ts) and what the critic families add: sigma ~1,
 * n_critic updates with clipping and WGAN's warm-up schedule, SNGAN's u vectors in the checkpoint.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ExperimentSpec } from '../../shared/spec.ts';
import { initBackend } from '../backend/index.ts';
import { loadCheckpoint } from '../checkpoint.ts';
import { openDataset } from '../data/index.ts';
import type { Gan } from '../gan.ts';
import { buildGan } from '../loop.ts';
import { spectralNormLayers } from '../nn/spectral-norm.ts';
import { LocalArtifactSink } from '../sinks/local.ts';
import { disposeStepInputs, drawsBefore, drawsPerStep, stepInputs } from '../step.ts';
import { metricsOf, scratchDir, tinySpec, trainIn } from '../test-util.ts';
import { familyContract } from './contract-tests.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

const TINY = { latentDim: 8, gChannels: 8, dChannels: 4 };

function spec(family: string, extra: Record<string, unknown> = {}): ExperimentSpec {
  return tinySpec(family, 'mnist', { hyperparameters: TINY, ...extra });
}

/** How many updates an optimizer has made (its first weight). */
async function iterations(gan: Gan, optimizer: string): Promise<tf.Tensor> {
  return (await gan.optimizers[optimizer]!.getWeights())[0]!.tensor;
}

function dispose(gan: Gan): void {
  for (const net of Object.values(gan.nets)) net.dispose();
  for (const opt of Object.values(gan.optimizers)) opt.dispose();
}

familyContract('wgan', 'mnist', TINY, ['wasserstein']);
// Every step of these short runs is a warm-up step: resume must find the draws of a schedule by step.
familyContract('wgan', 'mnist', { ...TINY, nCritic: 1, criticWarmup: 2 }, ['wasserstein']);
familyContract('wgan-gp', 'mnist', TINY, ['grad-norm', 'loss/D/gp', 'wasserstein']);
familyContract('sngan', 'mnist', TINY, ['sigma/D/sn_conv1', 'sigma/D/sn_conv2', 'sigma/D/sn_score']);

describe('spectral norm in training', () => {
  it('each normalised layer applies a kernel of spectral norm ~1 once u has tracked it for a few steps', async () => {
    const dir = scratchDir('sngan-sigma');
    await trainIn(dir, spec('sngan'));
    const last = (await metricsOf(dir)).at(-1)!.values;
    const sigmas = Object.entries(last).filter(([k]) => k.startsWith('sigma/'));
    expect(sigmas).toHaveLength(3);
    for (const [k, v] of sigmas) expect(Math.abs(v - 1), k).toBeLessThan(0.02);
  });
});

describe('critic updates', () => {
  it('WGAN updates the critic nCritic times per step, each on its own batch, and clips its weights', async () => {
    const s = spec('wgan', { steps: 2, hyperparameters: { ...TINY, nCritic: 3, clip: 0.005 } });
    const dir = scratchDir('wgan-ncritic');
    await trainIn(dir, s);
    const gan = buildGan(s);
    await loadCheckpoint(new LocalArtifactSink(dir), gan, 2);
    expect((await iterations(gan, 'D')).dataSync()[0]).toBe(6);
    expect((await iterations(gan, 'G')).dataSync()[0]).toBe(2);
    const critic = gan.nets.D!.trainableWeights.map((w) => w.read());
    expect(Math.max(...critic.map((w) => tf.max(tf.abs(w)).dataSync()[0]!))).toBeLessThanOrEqual(0.005);
    dispose(gan);
  });

  it("WGAN's warm-up: criticWarmup critic updates for the first 25 G updates and every 500th, nCritic between", async () => {
    const s = spec('wgan', { steps: 26, hyperparameters: { ...TINY, nCritic: 2, criticWarmup: 3 } });
    const dir = scratchDir('wgan-warmup');
    await trainIn(dir, s);
    const gan = buildGan(s);
    await loadCheckpoint(new LocalArtifactSink(dir), gan, 26);
    expect((await iterations(gan, 'D')).dataSync()[0]).toBe(25 * 3 + 2);
    expect((await iterations(gan, 'G')).dataSync()[0]).toBe(26);
    expect([0, 24, 25, 499, 500, 501].map((step) => drawsPerStep(gan, step))).toEqual([3, 3, 2, 2, 3, 2]);
    // Draws are numbered on across steps of either size: every update of the run sees its own batch.
    const data = openDataset('mnist', s.seed);
    const draws = [24, 25, 26].map((step) => {
      const inputs = stepInputs(gan, data, s.seed, step, s.batchSize);
      const numbers = inputs.map((i) => i.draw);
      disposeStepInputs(inputs);
      return numbers;
    });
    expect(draws).toEqual([
      [72, 73, 74],
      [75, 76],
      [77, 78],
    ]);
    expect(drawsBefore(gan, 501)).toBe(25 * 3 + 475 * 2 + 3);
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
