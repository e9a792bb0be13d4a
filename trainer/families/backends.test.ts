/**
 * Backend contract: every family, shrunk to tiny networks, trains the same on the backends it trains on.
 * From the same seed and the same inputs, two steps on node (TensorFlow's C++ kernels) give the same losses
 * and diagnostics and the trained generator the same samples as on wasm (XNNPACK: the fallback, which always
 * loads), within float32 tolerance. node is skipped, and said so, where it cannot load (before
 * `npm run setup:native`). The cpu backend (plain JavaScript, for tiny tests only) is not compared: its
 * kernels take minutes on HoloGAN's 3D volume and tens of seconds on SPADE's, and its traces differed from
 * both others by up to 0.7% on the instance-normalising families while node and wasm agreed.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAMILY_IDS, familyInfo } from '../../shared/catalog.ts';
import type { DatasetId } from '../../shared/datasets.ts';
import { parseSpec } from '../../shared/spec.ts';
import { initBackend } from '../backend/index.ts';
import { loadNodeOrWhyNot } from '../backend/test-util.ts';
import { openDataset } from '../data/index.ts';
import { prepareDataset } from '../data/prepare.ts';
import { disposeGan } from '../gan.ts';
import { buildGan } from '../loop.ts';
import { enterStep } from '../stages.ts';
import { createStepper, disposeStepInputs, stepInputs } from '../step.ts';
import { fixedGeneratorInputs, TINY_HYPERPARAMETERS } from '../test-util.ts';

const STEPS = 2;
const BATCH = 4;
/** Sizes that shrink any family to milliseconds a step; a family takes those its schema has. */
const TINY: Record<string, number> = {
  latentDim: 8,
  gChannels: 8,
  // 8: the ResNet families (SAGAN, BigGAN) take no narrower.
  dChannels: 8,
  hiddenUnits: 16,
  hiddenLayers: 1,
  qUnits: 8,
  unrollSteps: 2,
  hmcLeapfrogSteps: 2,
  hmcIterations: 1,
  channels: 4,
  mbstdGroup: 2,
};
// Kernels differ in summation order (oneDNN and Eigen against XNNPACK); a wrong kernel is far outside.
const TOLERANCE = { absolute: 1e-4, relative: 1e-4 };
/** Families that normalise over few values amplify summation order; node against wasm differs by up to this. */
const SENSITIVE: Record<string, typeof TOLERANCE> = {
  // BigGAN's samples after two steps: 3.3e-4 apart (conditional batch norm over 4 images of tiny nets).
  biggan: { absolute: 1e-3, relative: 1e-3 },
  // SAGAN's, with node's batch norm on TensorFlow's fused kernels (its own summation order): 1.2e-4 apart on
  // one value of 0.03 (GANZOO_FUSED=0 keeps it within 1e-4).
  sagan: { absolute: 1e-3, relative: 1e-3 },
};

interface Trace {
  values: Record<string, number>[];
  samples: number[];
}

function tinySpec(family: string) {
  const defaults = parseSpec({ family, dataset: familyInfo(family)!.datasets[0]! }).hyperparameters;
  const hyperparameters =
    TINY_HYPERPARAMETERS[family] ??
    Object.fromEntries(
      Object.keys(defaults)
        .filter((k) => k in TINY)
        .map((k) => [k, TINY[k]]),
    );
  return parseSpec({ family, dataset: familyInfo(family)!.datasets[0]!, batchSize: BATCH, hyperparameters });
}

/** Trains `family` for STEPS steps on the current backend; returns what each step reported and G's samples. */
function trace(family: string): Trace {
  const spec = tinySpec(family);
  const gan = buildGan(spec);
  const data = openDataset(spec.dataset, spec.seed);
  const step = createStepper(gan);
  const values: Record<string, number>[] = [];
  for (let i = 0; i < STEPS; i++) {
    enterStep(gan, i);
    const inputs = stepInputs(gan, data, spec.seed, i, BATCH);
    values.push(step(inputs));
    disposeStepInputs(inputs);
  }
  const inputs = fixedGeneratorInputs(gan.generator, spec.seed, 3);
  const out = gan.generator.predict(inputs.length === 1 ? inputs[0]! : inputs);
  // The sample is the first output.
  const samples = Array.from((Array.isArray(out) ? out[0]! : out).dataSync());
  tf.dispose([...inputs, out]);
  disposeGan(gan);
  return { values, samples };
}

/** Largest excess over the tolerance (<= 0 when within it) and where it is. */
function worst(
  actual: number[],
  expected: number[],
  tolerance: typeof TOLERANCE,
): { excess: number; at: number } {
  let w = { excess: Number.NEGATIVE_INFINITY, at: -1 };
  for (let i = 0; i < expected.length; i++) {
    const bound = tolerance.absolute + tolerance.relative * Math.abs(expected[i]!);
    const excess = Math.abs(actual[i]! - expected[i]!) - bound;
    if (!(excess <= w.excess))
      w = { excess: Number.isNaN(excess) ? Number.POSITIVE_INFINITY : excess, at: i };
  }
  return w;
}

function expectClose(actual: Trace, expected: Trace, what: string, tolerance = TOLERANCE): void {
  expect(actual.values.map((v) => Object.keys(v).sort())).toEqual(
    expected.values.map((v) => Object.keys(v).sort()),
  );
  const keys = expected.values.flatMap((v, s) => Object.keys(v).map((k) => [s, k] as const));
  const got = keys.map(([s, k]) => actual.values[s]![k]!);
  const want = keys.map(([s, k]) => expected.values[s]![k]!);
  const w = worst(got, want, tolerance);
  const [s, k] = keys[w.at] ?? [];
  expect(
    w.excess,
    `${what}: step ${s} ${k} is ${got[w.at]}, the reference gave ${want[w.at]}`,
  ).toBeLessThanOrEqual(0);
  expect(actual.samples.length).toBe(expected.samples.length);
  const ws = worst(actual.samples, expected.samples, tolerance);
  expect(
    ws.excess,
    `${what}: sample value ${ws.at} is ${actual.samples[ws.at]}, the reference gave ${expected.samples[ws.at]}`,
  ).toBeLessThanOrEqual(0);
}

let nodeError: string | undefined;

beforeAll(async () => {
  nodeError = await loadNodeOrWhyNot();
  if (nodeError) console.warn('node not compared:', nodeError);
});

afterAll(async () => {
  await initBackend('cpu');
});

describe.each(FAMILY_IDS)('%s trains the same on node as on wasm', (family) => {
  let reference: Trace;
  beforeAll(async () => {
    // On a fresh machine the dataset's files (e.g. the photos) are fetched first.
    await prepareDataset(familyInfo(family)!.datasets[0]! as DatasetId, { log: () => {} });
    await initBackend('wasm');
    reference = trace(family);
  }, 300_000);

  it('the wasm reference is finite and training moves it', () => {
    const numbers = [...reference.values.flatMap(Object.values), ...reference.samples];
    expect(numbers.every(Number.isFinite)).toBe(true);
    // Two steps on different batches report different losses: the comparison is not of constants.
    expect(reference.values[0]).not.toEqual(reference.values[1]);
  });

  it('node matches wasm', async (ctx) => {
    if (nodeError) ctx.skip(`node: ${nodeError}`);
    await initBackend('node');
    expectClose(trace(family), reference, `${family} on node`, SENSITIVE[family]);
  });
});
