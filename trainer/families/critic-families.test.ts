/**
 * WGAN, WGAN-GP and SNGAN: the family contract (contract-tests.ts) and what the critic families add: sigma ~1,
 * n_critic updates with clipping, SNGAN's u vectors in the checkpoint.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ExperimentSpec } from '../../shared/spec.ts';
import { initBackend } from '../backend/index.ts';
import { loadCheckpoint } from '../checkpoint.ts';
import { buildGan } from '../loop.ts';
import { spectralNormLayers } from '../nn/spectral-norm.ts';
import { LocalArtifactSink } from '../sinks/local.ts';
import { metricsOf, scratchDir, tinySpec, trainIn } from '../test-util.ts';
import { familyContract } from './contract-tests.ts';
import type { Gan } from './types.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

const TINY = { latentDim: 8, gChannels: 8, dChannels: 4 };

function spec(family: string, extra: Record<string, unknown> = {}): ExperimentSpec {
  return tinySpec(family, 'mnist', { hyperparameters: TINY, ...extra });
}

function dispose(gan: Gan): void {
  for (const net of Object.values(gan.nets)) net.dispose();
  for (const opt of Object.values(gan.optimizers)) opt.dispose();
}

familyContract('wgan', 'mnist', TINY, ['wasserstein']);
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
