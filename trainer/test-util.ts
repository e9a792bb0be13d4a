/** Helpers for the trainer's tests: tiny specs and a scratch run folder. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ExperimentSpec, parseSpec } from '../shared/spec.ts';

/** The smallest networks each family can build, so a test step takes milliseconds. */
export const TINY_HYPERPARAMETERS: Record<string, Record<string, unknown>> = {
  vanilla: { latentDim: 4, hiddenUnits: 16, hiddenLayers: 1 },
  dcgan: { latentDim: 8, gChannels: 8, dChannels: 4 },
  cgan: { latentDim: 8, gChannels: 8, dChannels: 4 },
};

export function tinySpec(
  family: string,
  dataset: string,
  extra: Record<string, unknown> = {},
): ExperimentSpec {
  return parseSpec({
    family,
    dataset,
    steps: 4,
    batchSize: 4,
    sampleEvery: 2,
    metricsEvery: 1,
    checkpointEvery: 2,
    hyperparameters: TINY_HYPERPARAMETERS[family],
    ...extra,
  });
}

export function scratchDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `ganzoo-${name}-`));
}
