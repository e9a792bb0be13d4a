/**
 * The shared fake batch (Gan.generate): a step that runs G once and hands its output to every phase trains
 * exactly as one that runs G in each phase: the same losses, diagnostics and weights, bit for bit, with
 * fewer G forward passes.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from './backend/index.ts';
import { openDataset } from './data/index.ts';
import type { Gan } from './gan.ts';
import { buildGan } from './loop.ts';
import { createStepper, disposeStepInputs, stepInputs } from './step.ts';
import { TINY_HYPERPARAMETERS, tinySpec } from './test-util.ts';

const STEPS = 3;
const CNN = TINY_HYPERPARAMETERS.dcgan!;
const MLP = TINY_HYPERPARAMETERS.vanilla!;
/** Family, dataset, hyperparameters, and G's forward passes a step without sharing and with it. */
const CASES = [
  ['vanilla', 'mnist', MLP, 2, 1],
  ['dcgan', 'mnist', CNN, 2, 1],
  ['cgan', 'mnist', TINY_HYPERPARAMETERS.cgan!, 2, 1],
  ['infogan', 'mnist', { ...CNN, qUnits: 8, hiddenUnits: 16 }, 2, 1],
  ['sngan', 'mnist', CNN, 2, 1],
  // n_critic draws: the critic's first update shares G's output, the other two make their own.
  ['wgan-gp', 'mnist', { ...CNN, nCritic: 3 }, 4, 3],
  // Weight clipping after each critic update, inside G's gradient scope for the first.
  ['wgan', 'mnist', { ...CNN, nCritic: 2 }, 3, 2],
  ['unrolled', 'ring8', { ...MLP, unrollSteps: 2 }, 2, 1],
] as const;

interface Run {
  values: Record<string, number>[];
  weights: number[][];
  forwards: number;
}

function train(family: string, dataset: string, hyperparameters: object, share: boolean): Run {
  const spec = tinySpec(family, dataset, { hyperparameters });
  const built = buildGan(spec);
  expect(built.generate, `${family} shares G's output`).toBeTypeOf('function');
  const gan: Gan = share ? built : { ...built, generate: undefined };
  let forwards = 0;
  const G = gan.generator;
  const apply = G.apply.bind(G);
  G.apply = (...args: Parameters<typeof G.apply>) => {
    forwards++;
    return apply(...args);
  };
  const data = openDataset(spec.dataset, spec.seed);
  const step = createStepper(gan);
  const values: Record<string, number>[] = [];
  for (let i = 0; i < STEPS; i++) {
    const inputs = stepInputs(gan, data, spec.seed, i, spec.batchSize);
    values.push(step(inputs));
    disposeStepInputs(inputs);
  }
  const weights = Object.values(gan.nets).flatMap((net) =>
    net.trainableWeights.map((w) => Array.from(w.read().dataSync())),
  );
  for (const net of Object.values(gan.nets)) net.dispose();
  for (const opt of Object.values(gan.optimizers)) opt.dispose();
  return { values, weights, forwards: forwards / STEPS };
}

beforeAll(async () => {
  await initBackend('wasm');
});

describe('a step that shares G output trains exactly as one that does not', () => {
  it.each(CASES)('%s', (family, dataset, hp, plainForwards, sharedForwards) => {
    const before = tf.memory().numTensors;
    const plain = train(family, dataset, hp, false);
    const shared = train(family, dataset, hp, true);
    expect(tf.memory().numTensors).toBe(before);
    expect(plain.forwards).toBe(plainForwards);
    expect(shared.forwards).toBe(sharedForwards);
    expect(shared.values).toEqual(plain.values);
    expect(shared.weights).toEqual(plain.weights);
    // Not a comparison of constants: training moved the losses.
    expect(plain.values[0]).not.toEqual(plain.values[STEPS - 1]);
  });
});
